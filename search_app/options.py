"""OPTIONS on any route: 204, an Allow header and no body, as the OpenAPI says.

Flask's automatic answer was a 200 with an empty text/html body, which the
API description did not mention. Answered before the limiter and the index
check: it reads nothing and costs nothing.
"""

from __future__ import annotations

from flask import Flask, Response, request


def _options() -> Response | None:
    if request.method != "OPTIONS" or request.url_rule is None:
        return None  # unknown paths stay 404
    response = Response(status=204)
    response.headers["Allow"] = ", ".join(sorted(request.url_rule.methods or ()))
    del response.headers["Content-Type"]  # no body, so no type
    return response


def register(app: Flask) -> None:
    app.before_request(_options)
