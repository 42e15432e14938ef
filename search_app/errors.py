"""Every error leaves as JSON `{"error": {"code", "message"}}`, never a stack trace.

Under /api/ that is the contract; the pages for people get the same error as a
friendly HTML page instead (templates/error.html).
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, make_response, render_template, request
from flask.globals import request_ctx
from werkzeug.exceptions import HTTPException

from core import settings
from retrieval.backend import BackendUnavailable

from .errorlog import ErrorDigest

log = logging.getLogger(__name__)
UNAVAILABLE_MESSAGE = "The search index is unavailable right now; please try again shortly."

# Stable machine-readable codes for the HTTP errors Flask raises itself.
HTTP_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "request_too_large",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _for_people() -> bool:
    return not (request.path == "/api" or request.path.startswith("/api/"))


def _plain(status: int, message: str):
    """A page without links: what is left when the page template cannot be built."""
    response = make_response(f"{status} {message}\n", status)
    response.mimetype = "text/plain"
    return response


def error_response(status: int, code: str, message: str):
    if _for_people():
        if request_ctx.url_adapter is None:  # Flask could not route it: no links to build
            return _plain(status, message)
        try:
            page = render_template("error.html", status=status, message=message)
        except Exception:  # noqa: BLE001 - an error page must never become a 500
            return _plain(status, message)
        return make_response(page, status)
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def register(app: Flask) -> None:
    digest = ErrorDigest(app.config.setdefault("ERROR_LOG_INTERVAL", settings.ERROR_LOG_INTERVAL))

    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        response = error_response(
            status, HTTP_CODES.get(status, "http_error"), exc.description or exc.name
        )
        if status == 405 and getattr(exc, "valid_methods", None):
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(BackendUnavailable)
    def _backend_unavailable(exc: BackendUnavailable):
        """The retrieval backend (Milvus) went away mid-request: 503, logged once
        per problem; the next request reconnects."""
        message = str(exc)
        if message != app.extensions.get("backend_problem"):
            log.error("retrieval backend unavailable: %s", message)
            app.extensions["backend_problem"] = message
        response = error_response(503, "index_unavailable", UNAVAILABLE_MESSAGE)
        response.headers["Retry-After"] = str(settings.UNAVAILABLE_RETRY_AFTER)
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        digest.record(exc, request.endpoint)  # never a traceback per request
        return error_response(500, "internal_error", "The server could not answer this request.")
