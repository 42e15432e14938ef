"""The front end: waitress reads whole requests before any app thread sees them.

waitress's event loop (one thread) reads every connection without blocking
and hands a request to the app's thread pool only once its headers and body
are complete, so a client sending slowly holds a socket, never a thread.
Around it, this module adds what waitress lacks:

- deadlines per request: the request line and headers must arrive within
  WEB_HEADER_TIMEOUT seconds of its first byte, the body within
  WEB_BODY_TIMEOUT of the headers (waitress alone only closes connections idle
  for channel_timeout, which a byte every few seconds defeats); a late
  request gets 408 and its connection is closed;
- its own errors (400, 408, 413, 431, 500, 501) answered like the app's:
  the same security headers, JSON ``{"error": {"code", "message"}}`` on /api
  paths and a short HTML page elsewhere, fixed text only (nothing the client
  sent, no traceback);
- its log lines scrubbed of request paths and exception text, which come
  from the client.
"""

from __future__ import annotations

import json
import logging
import re
import time

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask
from waitress.utilities import Error

from core import settings

from .security import HEADERS

MESSAGES = {
    400: ("bad_request", "The request could not be understood."),
    408: ("request_timeout", "The request took too long to arrive."),
    413: ("request_too_large", "The request body is too large."),
    431: ("headers_too_large", "The request line or headers are too large."),
    500: ("internal_error", "The server could not answer this request."),
    501: ("not_implemented", "This request uses a feature the server does not support."),
}
_API = re.compile(rb"^[A-Za-z]{1,16} +(?:https?://[^/\s]*)?/api(?:[/?# ]|$)")
_HEAD_BYTES = 64  # enough to tell an /api path; never logged


class RequestTimeout(Error):
    code = 408
    reason = "Request Timeout"


def is_api(head: bytes) -> bool:
    return bool(_API.match(head))


def error_body(status: int, api: bool) -> tuple[str, bytes]:
    """(content type, body) of a server-made error: fixed text only."""
    code, message = MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])
    if api:
        body = json.dumps({"error": {"code": code, "message": message}})
        return "application/json", body.encode()
    page = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>Error {status}</title></head><body><main><h1>Error {status}</h1>"
        f'<p>{message}</p><p><a href="/">Back to the search</a></p></main></body></html>\n'
    )
    return "text/html; charset=utf-8", page.encode()


class GuardedParser(HTTPRequestParser):
    """Remembers when its request began and the first bytes (to tell an /api path)."""

    def __init__(self, adj):
        super().__init__(adj)
        self.began = time.time()
        self.headers_at: float | None = None
        self.head = b""

    def received(self, data):
        if len(self.head) < _HEAD_BYTES:
            self.head += bytes(data[: _HEAD_BYTES - len(self.head)])
        consumed = super().received(data)
        if self.headers_finished and self.headers_at is None:
            self.headers_at = time.time()
        return consumed


class SafeErrorTask(ErrorTask):
    """waitress's error response, with the app's headers and none of the client's text."""

    def execute(self):
        error = self.request.error
        status = getattr(error, "code", 400)
        content_type, body = error_body(status, is_api(getattr(self.request, "head", b"")))
        self.status = f"{status} {getattr(error, 'reason', 'Bad Request')}"
        self.response_headers.extend(
            [("Content-Type", content_type), *HEADERS.items(), ("Cache-Control", "no-store")]
        )
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class GuardedChannel(HTTPChannel):
    parser_class = GuardedParser
    error_task_class = SafeErrorTask

    def overdue(self, now: float, header_timeout: float, body_timeout: float) -> bool:
        """A request still arriving past its deadline (and nothing ahead of it being served)."""
        request = self.request
        if request is None or self.requests or request.error is not None:
            return False
        if request.headers_at is None:
            return now - request.began > header_timeout
        return now - request.headers_at > body_timeout

    def time_out(self) -> None:
        """Answer the late request 408 (through the error task) and close the connection."""
        with self.requests_lock:
            request = self.request
            if request is None or self.will_close:
                return
            request.error = RequestTimeout("late")
            request.completed = True
            self.request = None
            self.requests.append(request)
            if len(self.requests) == 1:
                self.server.add_task(self)


class GuardedServer(TcpWSGIServer):
    channel_class = GuardedChannel

    def __init__(self, *args, header_timeout: float, body_timeout: float, **kwargs):
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        super().__init__(*args, **kwargs)

    def maintenance(self, now):
        super().maintenance(now)  # idle keep-alive connections (channel_timeout)
        for channel in list(self.active_channels.values()):
            if channel.overdue(now, self.header_timeout, self.body_timeout):
                channel.time_out()


class ScrubbedLog(logging.Filter):
    """waitress logs request paths and exception text (the client's words): keep neither."""

    KEEP_PREFIX = ("Client disconnected while serving", "Exception while serving")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        for prefix in self.KEEP_PREFIX:
            if message.startswith(prefix):
                message = prefix + " a request"
        if record.exc_info and record.exc_info[0] is not None:
            message += f" ({record.exc_info[0].__name__})"
        record.msg, record.args = message, None
        record.exc_info = record.exc_text = None
        return True


def install_log_filter() -> None:
    for name in ("waitress", "waitress.queue"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, ScrubbedLog) for f in logger.filters):
            logger.addFilter(ScrubbedLog())


def adjustments(threads: int) -> dict:
    """waitress's settings from core/settings.py."""
    return {
        "threads": threads,
        "ident": "",  # no Server header: nothing to fingerprint
        "channel_timeout": settings.WEB_IDLE_TIMEOUT,
        "cleanup_interval": 1,  # deadlines are checked every second
        "max_request_header_size": settings.WEB_MAX_HEADER_BYTES,
        "max_request_body_size": settings.MAX_REQUEST_BYTES,
        "connection_limit": settings.WEB_CONNECTION_LIMIT,
        "expose_tracebacks": False,
        "log_socket_errors": False,
        "asyncore_use_poll": True,  # select() cannot watch fds above 1024
        "backlog": 1024,
        "url_scheme": "http",
        # Forwarded headers are the app's to judge (ProxyFix, TRUSTED_PROXIES): with no
        # trusted proxy waitress drops them, so a client cannot claim another address.
        "clear_untrusted_proxy_headers": settings.TRUSTED_PROXIES == 0,
    }


def create_server(app, sock=None, host: str | None = None, port: int | None = None, **overrides):
    """A waitress server on `sock` (a listening socket, e.g. gunicorn's) or host:port."""
    install_log_filter()
    kw = {**adjustments(settings.WEB_THREADS), **overrides}
    if sock is None:
        kw["listen"] = f"{host or settings.HOST}:{port or settings.PORT}"
    adj = Adjustments(**kw)
    options = {
        "header_timeout": settings.WEB_HEADER_TIMEOUT,
        "body_timeout": settings.WEB_BODY_TIMEOUT,
    }
    if sock is None:
        return GuardedServer(app, adj=adj, **options)
    sockinfo = (sock.family, sock.type, sock.proto, sock.getsockname())
    return GuardedServer(app, _sock=sock, adj=adj, bind_socket=False, sockinfo=sockinfo, **options)
