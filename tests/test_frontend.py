"""The front end over real sockets: gunicorn + waitress as `make serve` runs them.

Slow clients hold sockets, never threads, and are cut off at their deadline
with a 408; the server's own errors look like the app's (security headers,
JSON on /api, fixed text); nothing the client typed reaches the log. Nothing
here asserts on timing: loops are bounded by counts, with generous timeouts
only as a safety net.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
import urllib.request

import pytest

from bench.server import Server, free_port
from search_app.security import HEADERS

SECRET = "zebracornsecret"  # typed by the "client"; must never reach the log


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(index_dir),
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "2",
        "WEB_HEADER_TIMEOUT": "1",
        "WEB_BODY_TIMEOUT": "1",
        "WEB_IDLE_TIMEOUT": "2",
        "CANCER_SEARCH_MAX_REQUEST_BYTES": "4096",
    }
    log = tmp_path_factory.mktemp("frontend") / "server.log"
    with Server(free_port(8400, 8499), env, log) as srv:
        srv.wait_answer("/api/health")
        yield srv


def connect(server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    return sock


def read_response_open(sock: socket.socket) -> tuple[int, dict, bytes, None]:
    """One response on a connection that stays open (keep-alive)."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            break
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (ln.split(":", 1) for ln in lines[1:])}
    length = int(headers.get("content-length", 0))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(lines[0].split()[1]), headers, body, None


def read_response(sock: socket.socket) -> tuple[int, dict, bytes, bool]:
    """(status, headers, body, closed after it) of one response on `sock`."""
    status, headers, body, _ = read_response_open(sock)
    try:
        closed = sock.recv(1) == b""
    except ConnectionResetError:  # closed with our unread bytes still in its buffer
        closed = True
    return status, headers, body, closed


def raw(server, payload: bytes) -> tuple[int, dict, bytes, bool]:
    with connect(server) as sock:
        sock.sendall(payload)
        return read_response(sock)


def assert_like_the_app(headers: dict, body: bytes, api: bool) -> None:
    for name, value in HEADERS.items():
        assert headers[name.lower()] == value, name
    assert b"Traceback" not in body and SECRET.encode() not in body
    assert b"waitress" not in body.lower()
    if api:
        assert headers["content-type"] == "application/json"
        error = json.loads(body)["error"]
        assert error["code"] and error["message"]
    else:
        assert headers["content-type"].startswith("text/html")


def test_slow_headers_are_answered_408_and_the_connection_closed(server):
    with connect(server) as sock:
        sock.sendall(f"GET /api/search?q={SECRET} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
        sock.settimeout(0.3)
        answer = b""
        for n in range(100):  # one header line at a time, never the blank line
            try:
                sock.sendall(f"X-Slow-{n}: {SECRET}\r\n".encode())
                answer = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                break
            if answer:
                break
        assert answer.startswith(b"HTTP/1.1 408") or answer.startswith(b"HTTP/1.0 408")
        sock.settimeout(30)
        rest = answer
        try:
            while chunk := sock.recv(65536):
                rest += chunk
        except OSError:
            pass  # reset by the server after it closed: closed either way
    head, _, body = rest.partition(b"\r\n\r\n")
    headers = {
        k.strip().lower(): v.strip()
        for k, v in (ln.split(":", 1) for ln in head.decode().split("\r\n")[1:])
    }
    assert_like_the_app(headers, body, api=True)
    assert json.loads(body)["error"]["code"] == "request_timeout"


def test_a_body_that_never_finishes_is_answered_408(server):
    with connect(server) as sock:
        sock.sendall(
            b"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n"
            + SECRET.encode()
        )
        status, headers, body, closed = read_response(sock)
    assert status == 408 and closed
    assert_like_the_app(headers, body, api=True)


def test_an_idle_connection_is_closed(server):
    with connect(server) as sock:
        assert sock.recv(1) == b""  # closed by the server, having sent nothing


def test_slow_clients_hold_no_thread(server):
    """Eight sockets stuck mid-headers (more than the worker's 2 threads); searches still answer."""
    slow = [connect(server) for _ in range(8)]
    try:
        for sock in slow:
            sock.sendall(b"GET /api/search?q=myeloma HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: ")
        for n in range(6):
            url = f"{server.base_url}/api/search?" + urllib.parse.urlencode({"q": f"bone pain {n}"})
            with urllib.request.urlopen(url, timeout=60) as resp:
                assert resp.status == 200 and json.loads(resp.read())["results"]
    finally:
        for sock in slow:
            sock.close()


@pytest.mark.parametrize("path, api", [("/api/search", True), ("/search", False)])
def test_oversized_headers_are_431_like_the_app(server, path, api):
    payload = f"GET {path}?q={SECRET} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {'a' * 20000}\r\n\r\n"
    status, headers, body, closed = raw(server, payload.encode())
    assert status == 431 and closed
    assert_like_the_app(headers, body, api)


def test_oversized_request_line_is_refused_like_the_app(server):
    status, headers, body, _ = raw(
        server, f"GET /api/search?q={SECRET}{'b' * 20000} HTTP/1.1\r\n\r\n".encode()
    )
    assert status == 431
    assert_like_the_app(headers, body, api=True)


def test_oversized_body_is_413_before_the_app_reads_it(server):
    status, headers, body, _ = raw(
        server,
        b"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\n",
    )
    assert status == 413
    assert_like_the_app(headers, body, api=True)


def test_oversized_chunked_body_is_413(server):
    chunk = b"x" * 3000
    payload = b"POST /api/search HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    payload += (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * 3 + b"0\r\n\r\n"
    status, headers, body, _ = raw(server, payload)
    assert status == 413
    assert_like_the_app(headers, body, api=True)


@pytest.mark.parametrize(
    "payload",
    [
        f"GET /api/search?q={SECRET} HTTP/1.1\r\nHost: 127.0.0.1\r\nBad Header {SECRET}\r\n\r\n",
        f"GET /api/search?q={SECRET} HTTP/1.1\r\nContent-Length: {SECRET}\r\n\r\n",
        f"GET /api/search?q={SECRET} HTTP/1.1\r\nTransfer-Encoding: gzip\r\n\r\n",
    ],
)
def test_malformed_requests_are_refused_like_the_app(server, payload):
    status, headers, body, closed = raw(server, payload.encode())
    assert status in (400, 501) and closed
    assert_like_the_app(headers, body, api=True)


def test_a_bad_host_is_served_or_refused_but_never_logged(server):
    status, _, body, _ = raw(
        server,
        f"GET /api/search?q={SECRET} HTTP/1.1\r\nHost: {SECRET}.example\r\n"
        "Connection: close\r\n\r\n".encode(),
    )
    assert status in (200, 400, 421) and b"Traceback" not in body


def test_nothing_the_clients_typed_reaches_the_log(server):
    """Runs after the tests above (file order), which all sent SECRET somewhere."""
    time.sleep(0)  # nothing to wait for: every response above was read in full
    log = server.log_path.read_text(encoding="utf-8", errors="replace")
    assert "search?q=" not in log and SECRET not in log
    assert "Traceback" not in log


def test_beyond_the_connection_limit_a_worker_stops_accepting_until_one_closes(index_dir, tmp_path):
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(index_dir),
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "2",
        "WEB_CONNECTION_LIMIT": "6",
        "WEB_IDLE_TIMEOUT": "600",
    }
    srv = Server(free_port(8400, 8499), env, tmp_path / "server.log")
    srv.start()
    try:
        srv.wait_answer("/api/health")
        held = []
        waiting = None
        for _ in range(12):  # open connections until one is left unanswered
            sock = connect(srv)
            sock.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            sock.settimeout(3)
            try:
                status, _, _, _ = read_response_open(sock)
            except TimeoutError:
                waiting = sock  # accepted by the kernel, not by the worker
                break
            assert status == 200
            held.append(sock)  # kept open (keep-alive): it counts against the limit
        assert waiting is not None and len(held) <= 6
        held.pop().close()  # one closes: the worker accepts again
        waiting.settimeout(60)
        status, _, _, _ = read_response_open(waiting)
        assert status == 200
    finally:
        for sock in held + ([waiting] if waiting else []):
            sock.close()
        srv.stop()
