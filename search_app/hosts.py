"""The Host header: well-formed and trusted, or 400 before Flask reads it.

Flask builds its URL adapter from the Host header while it sets up a request.
A malformed name ("a..b") made that fail, and the error page, which needs the
adapter to build its links, failed in turn: a 500 with a traceback in the log
on every page. A forged name could also reach an absolute URL. This
middleware looks at the header first: a malformed or untrusted one is
replaced by a trusted name (so the app can still build its own pages) and the
request is marked, and the app answers it with 400 (JSON under /api/, a page
elsewhere). The trusted names are TRUSTED_HOSTS, which is also given to Flask
as its own `TRUSTED_HOSTS`; empty means any well-formed name (local use).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.sansio.utils import host_is_trusted

from .errors import ApiError

MARK = "cancer_search.bad_host"
# RFC 1123 names (labels of letters, digits and inner hyphens) or a bracketed
# IPv6 address, then an optional port.
_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]{{2,45}}\])(?::[0-9]{{1,5}})?")
MAX_HOST_CHARS = 261  # 253 for the name, a colon and a port


def acceptable(host: str | None, trusted: list[str]) -> bool:
    """Well-formed, with a port in range, and one of `trusted` (any when it is empty)."""
    if not host or len(host) > MAX_HOST_CHARS or not _HOST.fullmatch(host):
        return False
    return host_is_trusted(host.lower(), trusted or None)


class HostCheck:
    """WSGI middleware: a bad Host never reaches Flask's URL building."""

    def __init__(self, wsgi_app, trusted: list[str]):
        self.wsgi_app = wsgi_app
        self.trusted = trusted
        # What the app builds its pages with when the client's name is refused.
        self.stand_in = trusted[0].lstrip(".") if trusted else "localhost"

    def __call__(self, environ, start_response):
        host = environ.get("HTTP_HOST")
        # No Host at all (HTTP/1.0) falls back to the server's address: fine
        # only when every name is.
        if (host is not None or self.trusted) and not acceptable(host, self.trusted):
            environ = {**environ, "HTTP_HOST": self.stand_in, MARK: True}
        return self.wsgi_app(environ, start_response)


def _refuse_bad_host() -> None:
    if request.environ.get(MARK):
        raise ApiError(400, "invalid_host", "The Host header is malformed or not served here.")


def _relative_location(response: Response) -> Response:
    """The app only ever redirects to itself ("//search" -> "/search", made by
    werkzeug's routing, which Flask's error handlers never see): path and
    query are enough, and a Host the client sent is never echoed."""
    location = response.headers.get("Location")
    if location and response.status_code // 100 == 3:
        target = urlsplit(location)
        if target.scheme or target.netloc:
            relative = "/" + target.path.lstrip("/")
            response.headers["Location"] = relative + (f"?{target.query}" if target.query else "")
    return response


def register(app: Flask, trusted: list[str]) -> None:
    """Register before any hook that could answer first (the limiter, the index check)."""
    app.config["TRUSTED_HOSTS"] = list(trusted) or None
    app.wsgi_app = HostCheck(app.wsgi_app, list(trusted))
    app.before_request(_refuse_bad_host)
    app.after_request(_relative_location)
