"""One JSON line per request, without the patient's question.

A query is health information, so by default the log keeps only its length
and a hash (enough to count repeats and join with an evaluation run), never
its text; the route is logged, never the path a client typed. LOG_QUERY_TEXT
turns the text on for evaluation. Every line carries a request id, taken from
the caller's X-Request-ID when it is safe and echoed back, so one request can
be followed across a proxy, the app and a bug report.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import re
import sys
import time
import uuid

from flask import Flask, Response, current_app, g, request

from core import settings

LOGGER_NAME = "search_app.requests"
REQUEST_ID_HEADER = "X-Request-ID"
# Long enough for a UUID or a trace id; only characters that cannot forge a
# log line or a header.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


class JsonLines(logging.Formatter):
    """A record whose message is a dict becomes that dict as one JSON line."""

    def format(self, record: logging.LogRecord) -> str:
        fields = record.msg if isinstance(record.msg, dict) else {"message": record.getMessage()}
        line = {
            "ts": dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname.lower(),
            **fields,
        }
        return json.dumps(line, ensure_ascii=False, default=str)


def logger() -> logging.Logger:
    """The request logger, writing JSON lines to stderr (gunicorn's error log)."""
    log = logging.getLogger(LOGGER_NAME)
    if not any(isinstance(h.formatter, JsonLines) for h in log.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(JsonLines())
        log.addHandler(handler)
        log.setLevel(logging.INFO)
        log.propagate = False
    return log


def request_id() -> str:
    """The caller's id when it is safe to repeat, else a fresh one."""
    given = request.headers.get(REQUEST_ID_HEADER, "")
    return given if SAFE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def query_fields(query: str | None) -> dict:
    if query is None:
        return {}
    key = current_app.config["LOG_QUERY_HASH_KEY"].encode()
    digest = (
        hmac.new(key, query.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()
        if key
        else hashlib.sha256(query.encode("utf-8", "surrogatepass")).hexdigest()
    )
    fields = {"query_chars": len(query), "query_sha256": digest}
    if current_app.config["LOG_QUERY_TEXT"]:
        fields["query"] = query
    return fields


def _start() -> None:
    g.request_id = request_id()
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    rid = g.get("request_id") or request_id()
    response.headers[REQUEST_ID_HEADER] = rid
    started = g.get("started")
    line = {
        "event": "request",
        "request_id": rid,
        "method": request.method,
        # The route, not the path: a path is typed by the client (a passage id,
        # anything on a 404), and nothing a client typed goes into the log.
        "route": request.url_rule.rule if request.url_rule is not None else None,
        "endpoint": request.endpoint,
        "status": response.status_code,
        "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        **query_fields(request.args.get("q")),
    }
    logger().info(line)
    return response


def register(app: Flask) -> None:
    """Register first, so requests refused by later hooks are still timed and logged."""
    app.config.setdefault("LOG_QUERY_TEXT", settings.LOG_QUERY_TEXT)
    app.config.setdefault("LOG_QUERY_HASH_KEY", settings.LOG_QUERY_HASH_KEY)
    logger()
    app.before_request(_start)
    app.after_request(_finish)
