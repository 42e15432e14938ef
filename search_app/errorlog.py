"""Unexpected errors in the log: once per kind per interval, with a count.

A request that breaks the app can be sent in a loop; a traceback per request
let one client write megabytes of log a second. So an error is logged by its
kind (exception type and where in the code it was raised): the first of a
kind at once, with its frames; repeats only as a count, once per
ERROR_LOG_INTERVAL. No line holds the exception's message or anything else a
client typed (a message can quote the input); the frames, files, lines and
function names are the code's own.
"""

from __future__ import annotations

import os
import threading
import time
import traceback

from .requestlog import logger

MAX_FRAMES = 12


def _frames(exc: BaseException) -> list[str]:
    """The innermost frames as "file:line in function", file relative to its package."""
    out = []
    for frame in traceback.extract_tb(exc.__traceback__)[-MAX_FRAMES:]:
        parts = frame.filename.replace(os.sep, "/").split("/")
        out.append(f"{'/'.join(parts[-2:])}:{frame.lineno} in {frame.name}")
    return out


class ErrorDigest:
    """Per kind of error: when it was last logged and how often it happened since."""

    def __init__(self, interval: float):
        self.interval = interval
        self.lock = threading.Lock()
        self.kinds: dict[tuple, list] = {}  # kind -> [last logged (monotonic), count since]

    def record(self, exc: BaseException, endpoint: str | None) -> None:
        frames = _frames(exc)
        kind = (type(exc).__name__, frames[-1] if frames else "", endpoint)
        now = time.monotonic()
        with self.lock:
            seen = self.kinds.get(kind)
            if seen is not None and now - seen[0] < self.interval:
                seen[1] += 1
                return
            repeats = seen[1] if seen else 0
            self.kinds[kind] = [now, 0]
        line = {
            "event": "unhandled_error",
            "error": type(exc).__name__,
            "where": kind[1],
            "endpoint": endpoint,
        }
        if seen is None:
            line["frames"] = frames  # the first of its kind: where it came from
        else:
            line["count"] = repeats + 1  # this one and the repeats since the last line
        logger().error(line)
