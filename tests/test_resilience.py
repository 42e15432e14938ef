"""Faults against the real server: gunicorn + waitress on loopback, as `make serve` runs it.

One server (2 workers x 2 threads, the app preloaded as by default) over a
copy of the test index, shared by the tests below in order: rebuild the
index while requests flow (the indexer's build(), in this process), reload
gracefully on HUP, move the index away and back, SIGKILL a worker under
load. Every loop is bounded by a request count (with a generous deadline
only as a safety net); nothing asserts on timing. The figures each test
measures go to test-output/resilience.json for the README.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import re
import shutil
import signal
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from bench.server import Server, cpu_seconds, free_port
from indexer.build import build

REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO / "corpus"
PORTS = (8300, 8399)
QUESTIONS = [
    "can myeloma mess up my kidneys",
    "what is a plasmacytoma",
    "bone pain",
    "stem cell transplant side effects",
    "how is MGUS treated",
    "CAR T cell therapy",
]
FIGURES: dict[str, dict] = {}


def call(base: str, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """(status, headers, body) of one GET on a fresh connection; status 0 if it failed.
    The headers look names up case-insensitively (waitress capitalises them)."""
    request = urllib.request.Request(base + path, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()
    except (urllib.error.URLError, OSError, http.client.HTTPException):
        return 0, {}, b""  # refused, reset, or cut off mid-response (IncompleteRead)


def search_path(n: int) -> str:
    return "/api/search?" + urllib.parse.urlencode({"q": QUESTIONS[n % len(QUESTIONS)], "k": 3})


class Load:
    """Client threads sending searches until told to stop; every outcome is kept."""

    def __init__(self, base: str, threads: int):
        self.base, self.stop, self.lock = base, threading.Event(), threading.Lock()
        self.outcomes: list[int] = []
        self.slowest = 0.0  # seconds: reported, never asserted
        self.crashed: BaseException | None = None
        self.per_thread = [0] * threads
        self.threads = [
            threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)
        ]

    def _run(self, i: int) -> None:
        try:
            self._loop(i)
        except BaseException as exc:  # a dead client thread must fail the test, not hang it
            self.crashed = exc
            raise

    def _loop(self, i: int) -> None:
        n = i
        while not self.stop.is_set():
            started = time.perf_counter()
            status, _, body = call(self.base, search_path(n))
            try:
                ok = status == 200 and bool(json.loads(body)["results"])
            except (ValueError, KeyError, TypeError):  # a truncated body is a failure too
                ok = False
            with self.lock:
                self.slowest = max(self.slowest, time.perf_counter() - started)
                self.outcomes.append(status if ok else -abs(status) or -1)
                self.per_thread[i] += bool(ok)
            n += 1

    def __enter__(self) -> "Load":
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=150)

    def wait_successes(self, each: int, limit: int = 20_000) -> None:
        """Block until every thread has `each` more successes.

        Bounded by `limit` requests, and by a deadline only a hung server reaches.
        """
        with self.lock:
            target = [n + each for n in self.per_thread]
            budget = len(self.outcomes) + limit
        deadline = time.monotonic() + 300
        while True:
            assert self.crashed is None, f"a client thread died: {self.crashed!r}"
            with self.lock:
                if all(n >= t for n, t in zip(self.per_thread, target)):
                    return
                assert len(self.outcomes) < budget, "the server stopped answering"
            assert time.monotonic() < deadline, "the server stopped answering"
            self.stop.wait(0.05)

    @property
    def failures(self) -> int:
        with self.lock:
            return sum(1 for s in self.outcomes if s != 200)


@pytest.fixture(scope="module")
def served_index(index_dir, tmp_path_factory) -> Path:
    copy = tmp_path_factory.mktemp("resilience") / "index"
    shutil.copytree(index_dir, copy, symlinks=True)
    return copy


@pytest.fixture(scope="module")
def server(served_index, tmp_path_factory):
    log = tmp_path_factory.mktemp("resilience-log") / "server.log"
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(served_index),
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "CANCER_SEARCH_NATIVE_THREADS": "1",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
    }
    srv = Server(free_port(*PORTS), env, log)
    srv.start()
    try:
        srv.wait_answer("/api/health")
        yield srv
    finally:
        if srv.proc.poll() is None:  # nothing left to drain: stop its process group at once
            os.killpg(srv.proc.pid, signal.SIGKILL)
            srv.proc.wait(timeout=30)
        srv.stop()
        out = REPO / "test-output"
        out.mkdir(exist_ok=True)
        (out / "resilience.json").write_text(json.dumps(FIGURES, indent=1) + "\n")


def health(server) -> dict:
    status, _, body = call(server.base_url, "/api/health")
    assert status == 200
    return json.loads(body)


def test_headers_banner_and_logs_over_http(server):
    secret = "is my father's myeloma hereditary for me"
    status, headers, _ = call(
        server.base_url,
        "/api/search?" + urllib.parse.urlencode({"q": secret, "k": 1}),
        {"X-Request-ID": "resilience-1"},
    )
    assert status == 200
    assert "Server" not in headers  # nothing to fingerprint
    assert headers["X-Request-ID"] == "resilience-1"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    # the front end's own refusal of an oversized request line carries no version either
    status, headers, body = call(server.base_url, "/api/search?q=" + "a" * 20000)
    assert status in (400, 414, 431) and not re.search(rb"\d+\.\d+\.\d+", body)
    assert not re.search(r"\d", headers.get("Server", ""))
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "father" not in log and "hereditary" not in log  # no access log, no query text
    assert hashlib.sha256(secret.encode()).hexdigest() in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line.get("request_id") == "resilience-1" and line["status"] == 200 for line in lines)


def test_rebuild_while_serving_loses_no_request(server, served_index):
    before = health(server)["index_version"]
    with Load(server.base_url, threads=2) as load:
        load.wait_successes(2)
        # What `python -m indexer build --out DIR` runs, in this process, whose
        # model is already loaded (a new process would spend seconds on torch).
        version = build(CORPUS_DIR, served_index, progress=False).version
        during = len(load.outcomes)
        assert version != before
        # both workers pick the new build up on their next requests
        seen = 0
        for _ in range(200):
            seen = seen + 1 if health(server)["index_version"] == version else 0
            if seen == 10:
                break
        assert seen == 10
        load.wait_successes(3)
    FIGURES["rebuild"] = {
        "requests": len(load.outcomes),
        "during_build": during,
        "failed": load.failures,
        "slowest_s": round(load.slowest, 2),
    }
    assert during > 2 and load.failures == 0


def test_graceful_reload_on_hup_loses_no_request(server):
    old = set(server.worker_pids())
    with Load(server.base_url, threads=2) as load:
        load.wait_successes(2)
        os.kill(server.proc.pid, signal.SIGHUP)
        for _ in range(600):  # bounded: until every worker is a new one
            now = set(server.worker_pids())
            if len(now) == 2 and not now & old:
                break
            load.wait_successes(1)
        assert len(now) == 2 and not now & old
        load.wait_successes(3)
    FIGURES["hup"] = {
        "requests": len(load.outcomes),
        "failed": load.failures,
        "slowest_s": round(load.slowest, 2),
    }
    assert load.failures == 0


def test_unreadable_index_gives_503_json_until_it_is_back(server, served_index):
    """Moving the index directory away stands in for an unreadable disk (root ignores chmod)."""
    away = served_index.with_name("index-away")
    served_index.rename(away)
    try:
        refused = []
        for n in range(8):  # enough for both workers and both threads to see it
            status, headers, body = call(server.base_url, search_path(n))
            assert status == 503, status
            assert json.loads(body)["error"]["code"] == "index_unavailable"
            assert int(headers["Retry-After"]) >= 1
            refused.append(status)
        assert call(server.base_url, "/api/health")[0] == 503
        assert call(server.base_url, "/api/openapi.json")[0] == 200
    finally:
        away.rename(served_index)
    statuses = [call(server.base_url, search_path(n))[0] for n in range(8)]
    FIGURES["unreadable_index"] = {
        "answered_503_while_away": len(refused),
        "after_restore": statuses,
    }
    assert statuses == [200] * 8


HOSTILE = [  # (path, method, body, headers): one of each class of bad input, and good ones
    ("/api/search", "GET", None, {}),
    ("/api/search?q=", "GET", None, {}),
    ("/api/search?q=%20%09%0A", "GET", None, {}),
    ("/api/search?q=" + "a" * 1001, "GET", None, {}),
    ("/api/search?q=a%00b", "GET", None, {}),
    ("/api/search?q=%ff%fe", "GET", None, {}),
    ("/api/search?q=myeloma&k=0", "GET", None, {}),
    ("/api/search?q=myeloma&k=51", "GET", None, {}),
    ("/api/search?q=myeloma&k=%EF%BC%95", "GET", None, {}),
    ("/api/search?q=myeloma&source=nope", "GET", None, {}),
    ("/api/search?q=myeloma&source=,", "GET", None, {}),
    ("/api/search?q=%3Cscript%3Ealert(1)%3C/script%3E", "GET", None, {}),
    (
        "/api/search?" + urllib.parse.urlencode({"q": "\u202emyeloma\u200f 🩺 骨髓瘤 \x1b[31m"}),
        "GET",
        None,
        {},
    ),
    ("/api/search?" + urllib.parse.urlencode({"q": "é" * 1000}), "GET", None, {}),
    ("/api/search?q=myeloma", "GET", b"x" * 20000, {}),
    ("/api/search?q=myeloma", "POST", b"", {}),
    ("/api/search?q=myeloma", "DELETE", None, {}),
    ("/api/nothing", "GET", None, {}),
    ("/search?q=%3Cimg%20src=x%20onerror=alert(1)%3E", "GET", None, {}),
    ("/passages/..%2F..%2Fetc%2Fpasswd", "GET", None, {}),
    ("/api/health", "GET", None, {"X-Request-ID": "x" * 500}),
    ("/api/search?q=kidney&k=2", "GET", None, {"X-Request-ID": "<script>"}),
    *[(search_path(n), "GET", None, {}) for n in range(6)],
]


def test_mixed_hostile_load_gets_no_5xx(server):
    """Four clients cycling through every class of bad input, interleaved with good ones."""
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(offset: int) -> None:
        for n in range(100):
            path, method, body, headers = HOSTILE[(offset + n) % len(HOSTILE)]
            request = urllib.request.Request(
                server.base_url + path, data=body, method=method, headers=headers
            )
            try:
                with urllib.request.urlopen(request, timeout=120) as resp:
                    status = resp.status
            except urllib.error.HTTPError as err:
                status = err.code
                assert err.headers["Content-Type"].startswith(("application/json", "text/html"))
            except (urllib.error.URLError, OSError, http.client.HTTPException):
                status = 0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(7 * i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    FIGURES["hostile_load"] = {
        "requests": sum(statuses.values()),
        "input_kinds": len(HOSTILE),
        "statuses": statuses,
    }
    assert sum(statuses.values()) == 400
    assert set(statuses) <= {200, 400, 404, 405, 413}, statuses
    assert statuses.get(200) and statuses.get(400)


def test_killed_worker_is_replaced_under_load(server):
    victim, survivor = server.worker_pids()
    with Load(server.base_url, threads=4) as load:
        load.wait_successes(2)
        os.kill(victim, signal.SIGKILL)
        for _ in range(600):
            now = server.worker_pids()
            if len(now) == 2 and victim not in now:
                break
            load.wait_successes(1)
        assert len(now) == 2 and victim not in now and survivor in now
        replacement = next(pid for pid in now if pid != survivor)
        load.wait_successes(10)
        failed = load.failures
    FIGURES["worker_kill"] = {
        "requests": len(load.outcomes),
        "failed_in_flight": failed,
        "client_threads": 4,
        "slowest_s": round(load.slowest, 2),
    }
    print(f"\nworker SIGKILL under load: {failed} of {len(load.outcomes)} requests failed")
    assert failed <= 4  # at most the requests in flight on the killed worker
    # the replacement is alive and working: fresh connections reach it sooner or later
    for n in range(400):
        if cpu_seconds(replacement) > 0:
            break
        assert call(server.base_url, search_path(n))[0] == 200
    assert cpu_seconds(replacement) > 0
    assert health(server)["status"] == "ok"


@pytest.mark.integration
@pytest.mark.parametrize("preload", ["1", "0"])
def test_broken_index_stops_the_server_with_one_line(tmp_path, preload):
    env = {"CANCER_SEARCH_INDEX_DIR": str(tmp_path / "nothing"), "WEB_PRELOAD": preload}
    srv = Server(free_port(*PORTS), env, tmp_path / "server.log")
    srv.start()
    try:
        assert srv.proc.wait(timeout=300) != 0
    finally:
        srv.stop()
    log = srv.log_path.read_text()
    assert "Traceback" not in log
    hints = [line for line in log.splitlines() if "python -m indexer build" in line]
    assert len(hints) == 1 and str(tmp_path / "nothing") in hints[0]
