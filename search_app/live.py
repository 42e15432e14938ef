"""Serve whatever index is published now: pick up rebuilds, refuse a broken index.

The indexer publishes a build by swapping the `current` symlink. Before each
request the app resolves that link and stats the build's meta.json (a few
microseconds): a different build is loaded by one request thread while the
others keep answering from the old one, then swapped in with one assignment,
so no request fails during a rebuild and no worker restart is needed. Every
INDEX_CHECK_SECONDS it also compares a fingerprint of every file of the build
(identity, size, mtime) with the one it loaded, to notice files damaged in
place. If the published index cannot be read (directory moved away, files
replaced), the app answers 503 until it is readable again, rather than go on
answering from memory for an index the operator has taken away.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask, request

from core import index_files, settings
from retrieval import integrity
from retrieval.backend import BackendUnavailable
from retrieval.index import Index, load_index

from .errors import UNAVAILABLE_MESSAGE, error_response
from .requestlog import logger

# Endpoints that do not need the index keep working while it is away.
INDEPENDENT_ENDPOINTS = {"openapi.spec", "static"}
MESSAGE = UNAVAILABLE_MESSAGE


def published(index_dir: str) -> str:
    """Real path of the build `index_dir` serves; OSError if it cannot be read."""
    current = os.path.join(index_dir, index_files.CURRENT)
    build = os.path.realpath(current if os.path.lexists(current) else index_dir)
    os.stat(os.path.join(build, index_files.META))
    return build


def fingerprint(build: str) -> tuple:
    """What changes whenever any file of the build does; OSError if unreadable."""
    items, stack = [], [build]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(entry.path)
                else:
                    st = entry.stat()
                    items.append((entry.path, st.st_ino, st.st_size, st.st_mtime_ns))
    return (build, frozenset(items))


class LiveIndex:
    def __init__(self, app: Flask, make_searcher: Callable[[Index], object]):
        self.app = app
        self.index_dir = str(app.config["INDEX_DIR"])
        self.make_searcher = make_searcher
        self.interval = float(app.config["INDEX_CHECK_SECONDS"])
        self.lock = threading.Lock()
        self.serving = fingerprint(os.path.realpath(app.extensions["searcher"].index.path))
        self.checked = time.monotonic()
        self.failed: tuple | None = None
        self.problem: str | None = None

    def _unavailable(self, problem: str):
        if problem != self.problem:  # log each new problem once, not every request
            logger().error({"event": "index_unavailable", "reason": problem})
            self.problem = problem
        response = error_response(503, "index_unavailable", MESSAGE)
        response.headers["Retry-After"] = str(settings.UNAVAILABLE_RETRY_AFTER)
        return response

    def _recovered(self) -> None:
        if self.problem is not None:
            logger().info({"event": "index_available", "path": self.serving[0]})
            self.problem = None

    def _load(self, seen: tuple):
        """Load the newly published build; any failure means unavailable, never a crash."""
        try:
            index = load_index(Path(self.index_dir))
            integrity.check_index(index, self.app.config["EMBED_MODEL"])
            searcher = self.make_searcher(index)
            loaded = fingerprint(os.path.realpath(index.path))
        except Exception as exc:  # noqa: BLE001 - whatever broke, keep the server up
            # An unreachable backend is retried on the next request; a broken build is not.
            self.failed = None if isinstance(exc, BackendUnavailable) else seen
            return self._unavailable(str(exc) or type(exc).__name__)
        self.app.extensions["searcher"] = searcher
        self.serving, self.failed = loaded, None
        logger().info({"event": "index_loaded", "version": index.version, "path": loaded[0]})
        self._recovered()
        return None

    def before_request(self):
        endpoint = request.endpoint
        if endpoint is None or endpoint in INDEPENDENT_ENDPOINTS or endpoint.endswith(".static"):
            return None  # unknown paths stay 404/405; the description and files need no index
        try:
            build = published(self.index_dir)
            now = time.monotonic()
            if (
                build == self.serving[0]
                and self.problem is None
                and now - self.checked < self.interval
            ):
                return None  # the common case: same build, checked recently
            seen = fingerprint(build)
            self.checked = now
        except OSError as exc:
            return self._unavailable(f"index directory unreadable: {exc}")
        if seen == self.serving:
            self._recovered()
            return None
        if seen == self.failed:
            return self._unavailable(self.problem or "index unreadable")
        if not self.lock.acquire(blocking=False):
            # Another thread is loading the new build; answer from the old one meanwhile.
            return None if self.problem is None else self._unavailable(self.problem)
        try:
            return self._load(seen)
        finally:
            self.lock.release()


def register(app: Flask, make_searcher: Callable[[Index], object]) -> LiveIndex:
    """Call after app.extensions["searcher"] holds the searcher over the loaded index."""
    app.config.setdefault("EMBED_MODEL", settings.EMBED_MODEL)
    app.config.setdefault("INDEX_CHECK_SECONDS", settings.INDEX_CHECK_SECONDS)
    live = LiveIndex(app, make_searcher)
    app.before_request(live.before_request)
    app.extensions["live_index"] = live
    return live
