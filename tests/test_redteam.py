"""The attacker's findings of issue 19, replayed against the real server.

Each test sends what the attacker sent to the server `make serve` runs
(bench/server.py's Server, on loopback) and fails if the finding comes back:

1. costly queries within the limits (NFKC-expanding characters, many words);
2. invisible characters splitting a word;
3. a k of thousands of digits (a 500);
4. a malformed Host (an HTML 500 and a traceback per request), a forged Host
   echoed in a redirect, an untrusted Host answered;
5. the rate limit per route and per process (alternating routes and servers
   gave about four times the budget): two real servers share one real
   redis-server here;
6. OPTIONS answered 200 with an undocumented HTML body;
7. the log flooded, or holding what a client typed.

Costs are the server processes' CPU time, with the query caches sized so that
no request is served from them; the bound asserted (10 times the mean gold
question) is twice the benchmark's target, to stay clear of the noise of a
shared machine: `python -m bench.adversarial` is the measurement. Every loop
is bounded by a request count.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import string
import subprocess
import time
import urllib.parse
from pathlib import Path

import pytest

from bench.floor import gold_questions
from bench.server import Server, free_port

PORTS = (8400, 8499)
REDIS_PORTS = (8500, 8599)
REDIS_SERVER = Path("/usr/bin/redis-server")
ORDINARY = [
    "can myeloma mess up my kidneys",
    "what is a plasmacytoma",
    "stem cell transplant side effects",
    "how is MGUS treated",
    "what does smoldering myeloma mean",
    "bone pain and fractures",
]
MARK = "zqxredteammark"  # typed into every part of a request; must never reach the log


def call(server: Server, path: str, headers: dict | None = None, method: str = "GET"):
    """(status, headers, body) of one request, sent as given (Host included)."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        conn.request(method, path, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def search(q: str, k: int | str = 3, route: str = "/api/search") -> str:
    return route + "?" + urllib.parse.urlencode({"q": q, "k": k})


def listening(server: Server) -> bool:
    """Whether the port is held by this server's own processes: other suites on the
    machine start servers too, and one could take the port between the check for a
    free port and the bind, and answer in our server's place."""
    pids = [server.proc.pid, *server.worker_pids()]
    inodes = set()
    for pid in pids:
        try:
            for fd in Path(f"/proc/{pid}/fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[8:-1])
        except OSError:
            continue
    port = f":{server.port:04X}"
    with open("/proc/net/tcp", encoding="ascii") as fh:
        for line in fh.readlines()[1:]:
            fields = line.split()
            if fields[1].endswith(port) and fields[3] == "0A" and fields[9] in inodes:
                return True
    return False


def start(env: dict, log: Path) -> Server:
    server = Server(free_port(*PORTS), env, log)
    server.start()
    try:
        deadline = time.monotonic() + 300
        while not listening(server):
            assert server.proc.poll() is None, f"the server exited; see {log}"
            assert time.monotonic() < deadline, f"the server never listened; see {log}"
            time.sleep(0.1)
        server.wait_answer("/api/health")
    except BaseException:
        server.stop()
        raise
    return server


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    """As deployed locally: no trusted hosts configured, one worker, caches that never hit."""
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(index_dir),
        "CANCER_SEARCH_RATE_LIMIT": "100000 per hour",
        "CANCER_SEARCH_QUERY_CACHE_SIZE": "1",
        "CANCER_SEARCH_WORD_CACHE_SIZE": "1",
        "CANCER_SEARCH_NATIVE_THREADS": "1",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "1",
    }
    srv = start(env, tmp_path_factory.mktemp("redteam") / "server.log")
    try:
        yield srv
    finally:
        srv.stop()


def random_words(count: int, length: int) -> list[str]:
    rng = random.Random(19)
    return [
        "".join(rng.choice(string.ascii_lowercase) for _ in range(length)) for _ in range(count)
    ]


def cpu_per_request(server: Server, paths: list[str]) -> float:
    before = server.cpu_seconds()
    for path in paths:
        status, _, _ = call(server, path)
        assert status == 200, path
    return (server.cpu_seconds() - before) / len(paths)


# --- 1. cost bounded after normalisation --------------------------------------------


def test_expanding_and_wordy_queries_are_refused_by_name(server):
    cases = {
        "\ufdfa" * 890: "query_too_long",  # 890 characters typed, 16,020 once normalised
        " ".join(f"w{i}x" for i in range(100)): "query_too_many_words",
        "\u200b" * 900: "missing_query",  # nothing visible is no question
    }
    for query, code in cases.items():
        for route in ("/api/search", "/search"):
            status, headers, body = call(server, search(query, route=route))
            assert status == 400, (route, code)
            if route == "/api/search":
                assert json.loads(body)["error"]["code"] == code


def test_the_costliest_accepted_queries_cost_a_bounded_multiple(server):
    gold = gold_questions()
    ordinary = cpu_per_request(server, [search(q) for q in gold[:: len(gold) // 24][:24]])
    attacks = {
        "expanding": "\ufdfa" * 12,
        "many distinct words": " ".join(random_words(48, 8)),
        "long words": " ".join(random_words(38, 24)),
        "mixed scripts": " ".join(["миелома", "μυέλωμα", "骨髓瘤", "ورم", "מיאלומה"] * 9),
    }
    costs = {}
    for name, query in attacks.items():
        costs[name] = cpu_per_request(server, [search(f"{query} {n}") for n in range(4)])
    worst = max(costs.values())
    print(
        f"gold {ordinary * 1000:.1f} ms;",
        ", ".join(f"{k} {v * 1000:.1f}" for k, v in costs.items()),
    )
    assert worst <= 10 * max(ordinary, 0.005), (ordinary, costs)


def test_the_query_searched_is_the_normalised_one(server):
    status, _, body = call(server, search("mye\u200bloma \ufb01ve"))
    assert status == 200 and json.loads(body)["query"] == "myeloma five"


# --- 2. invisible characters ---------------------------------------------------------


def test_a_zero_width_space_does_not_split_a_word(server):
    plain = json.loads(call(server, search("myeloma kidney damage"))[2])
    hidden = json.loads(call(server, search("mye\u200bloma kid\u200dney dam\u00adage"))[2])
    assert hidden["query"] == plain["query"]
    assert "corrected_query" not in hidden
    assert [r["id"] for r in hidden["results"]] == [r["id"] for r in plain["results"]]


# --- 3. numbers parse safely -----------------------------------------------------------


@pytest.mark.parametrize(
    "k",
    [
        "1" * 5000,
        "9" * 4301,
        "-" + "1" * 5000,
        "+3",
        " 3",
        "3 ",
        "3e0",
        "1e3",
        "0x3",
        "٣",
        "３",
        "00",
    ],
)
def test_any_k_not_an_integer_in_range_is_a_json_400(server, k):
    status, headers, body = call(server, search("myeloma", k))
    assert status == 400 and headers["content-type"].startswith("application/json")
    assert json.loads(body)["error"]["code"] == "invalid_k"


# --- 4. hosts ------------------------------------------------------------------------------


@pytest.mark.parametrize("host", ["a..b", "-a.b", "a" * 300, "a.b:99999", "a b", "[zz]"])
@pytest.mark.parametrize("path", ["/", "/search?q=myeloma", "/passages/x", "/api/search?q=x"])
def test_a_malformed_host_is_400_never_500(server, host, path):
    status, headers, body = call(server, path, {"Host": host})
    assert status == 400, (host, path)
    if path.startswith("/api/"):
        assert json.loads(body)["error"]["code"] == "invalid_host"
    else:
        assert headers["content-type"].startswith(("text/html", "text/plain"))


@pytest.mark.parametrize("path", ["/api//search?q=myeloma", "/passages//x"])
def test_a_redirect_never_echoes_a_forged_host(server, path):
    """Werkzeug merges doubled slashes with a redirect, which named the Host."""
    status, headers, _ = call(server, path, {"Host": "evil.example"})
    assert 300 <= status < 400
    location = headers["location"]
    assert location.startswith("/") and not location.startswith("//")
    assert "evil" not in location


# --- 6. OPTIONS ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/api/search", "/api/sources", "/api/health", "/api/openapi.json", "/", "/search"]
)
def test_options_is_204_with_allow_and_no_body(server, path):
    status, headers, body = call(server, path, method="OPTIONS")
    assert status == 204 and body == b""
    assert "GET" in headers["allow"] and "content-type" not in headers


def test_options_is_described_in_the_openapi(server):
    spec = json.loads(call(server, "/api/openapi.json")[2])
    for path, item in spec["paths"].items():
        assert "204" in item["options"]["responses"], path
        assert "Allow" in item["options"]["responses"]["204"]["headers"], path


# --- 7. logs -----------------------------------------------------------------------------------


def test_a_flood_of_bad_hosts_leaves_one_short_line_each_and_no_traceback(server):
    before = server.log_path.stat().st_size
    for _ in range(100):
        assert call(server, "/search?q=myeloma", {"Host": "a..b"})[0] == 400
    grown = server.log_path.read_bytes()[before:]
    assert b"Traceback" not in grown
    assert len(grown) < 100 * 600  # one request line each, about 300 bytes


def test_nothing_a_client_typed_reaches_the_log(server):
    before = server.log_path.stat().st_size
    typed = [
        (f"/api/search?q={MARK}&k=3", {}),
        (f"/search?q={MARK}+myeloma", {}),
        (f"/passages/{MARK}", {}),
        (f"/{MARK}", {}),
        (f"/api/search?q=x&k={MARK}", {}),
        (f"/api/search?q=x&source={MARK}", {}),
        ("/api/search?q=x", {"Host": f"{MARK}..b"}),
        ("/api/search?q=x", {"User-Agent": MARK, "Referer": MARK, "X-Forwarded-For": MARK}),
    ]
    for path, headers in typed:
        assert call(server, path, headers)[0] < 500
    assert MARK not in server.log_path.read_bytes()[before:].decode("utf-8", "replace")


# --- 5. one rate-limit budget per client, across routes and processes -----------------------


@pytest.fixture()
def redis_url(tmp_path):
    """A throwaway redis-server on loopback: no persistence, a temp directory."""
    if not REDIS_SERVER.exists():
        pytest.skip("redis-server missing (make test installs it as root: apt-get redis-server)")
    port = free_port(*REDIS_PORTS)
    proc = subprocess.Popen(
        [str(REDIS_SERVER), "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "redis did not start"
            time.sleep(0.05)
        yield f"redis://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


BUDGET = 12


def test_one_budget_across_routes_and_two_server_processes(index_dir, tmp_path, redis_url):
    """Two servers (two replicas, one worker each) counting in one redis: a client
    alternating /api/search and /search between them gets the budget once."""
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(index_dir),
        "CANCER_SEARCH_RATE_LIMIT": f"{BUDGET} per hour",
        "CANCER_SEARCH_RATE_LIMIT_STORAGE_URI": redis_url,
        "CANCER_SEARCH_TRUSTED_HOSTS": "127.0.0.1,localhost",
        "CANCER_SEARCH_TRUSTED_PROXIES": "1",
        "CANCER_SEARCH_NATIVE_THREADS": "1",
        "WEB_WORKERS": "1",
        "WEB_THREADS": "1",
    }
    first = start(env, tmp_path / "first.log")
    try:
        second = start(env, tmp_path / "second.log")
    except BaseException:
        first.stop()
        raise
    try:
        # one proxy in front: the client is the address it forwarded
        client = {"X-Forwarded-For": "198.51.100.7"}
        statuses = []
        for n in range(2 * BUDGET):
            server = (first, second)[n % 2]
            route = ("/api/search", "/search")[(n // 2) % 2]
            statuses.append(call(server, search(f"bone pain {n}", route=route), client)[0])
        assert statuses == [200] * BUDGET + [429] * BUDGET, statuses
        # another client has its own budget; health is never throttled
        other = {"X-Forwarded-For": "198.51.100.8"}
        assert call(second, search("bone pain"), other)[0] == 200
        assert call(first, "/api/health", client)[0] == 200
        # an untrusted Host is refused where trusted hosts are configured
        assert call(first, "/api/health", {"Host": "evil.example"})[0] == 400
        assert call(first, "/api/health", {"Host": f"127.0.0.1:{first.port}"})[0] == 200
        logs = first.log_path.read_text() + second.log_path.read_text()
        assert "Traceback" not in logs
    finally:
        second.stop()
        first.stop()


# --- in-process: what a real server cannot be made to show on demand ------------------------


def test_a_repeating_error_is_logged_once_per_interval_with_a_count():
    """No route of the app fails on demand any more, so one is made to: 50 failures
    give one line with its frames, and the next interval one line with the count."""
    import logging

    from flask import Flask

    from search_app import errors
    from search_app.requestlog import logger

    app = Flask("failing")
    app.config["ERROR_LOG_INTERVAL"] = 1.0
    errors.register(app)

    @app.get("/api/fail")
    def fail():
        raise KeyError(MARK)  # a message quoting the input, as many do

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__(logging.INFO)
            self.records: list[logging.LogRecord] = []

        def emit(self, record):
            self.records.append(record)

    kept = Keep()
    client = app.test_client()
    logger().addHandler(kept)
    try:
        started = time.monotonic()
        for _ in range(50):
            assert client.get("/api/fail").status_code == 500
        assert time.monotonic() - started < 1.0, "too slow to stay in one interval"
        time.sleep(1.1)
        assert client.get("/api/fail").status_code == 500
    finally:
        logger().removeHandler(kept)
    lines = [r.msg for r in kept.records if isinstance(r.msg, dict)]
    assert [line["event"] for line in lines] == ["unhandled_error"] * 2
    assert lines[0]["error"] == "KeyError" and lines[0]["frames"]
    assert lines[1]["count"] == 50 and "frames" not in lines[1]
    assert MARK not in json.dumps(lines) and not any(r.exc_info for r in kept.records)


def test_x_forwarded_for_is_ignored_unless_proxies_are_trusted(index_dir):
    from search_app import create_app

    for hops, expected in ((0, 429), (1, 200)):
        app = create_app(
            {
                "INDEX_DIR": str(index_dir),
                "RATELIMIT_DEFAULT": "2 per hour",
                "RATELIMIT_STORAGE_URI": "memory://",
                "TRUSTED_PROXIES": hops,
            }
        )
        client = app.test_client()
        for n in range(3):  # a new forged address each time
            r = client.get(
                "/api/search?q=myeloma&k=1", headers={"X-Forwarded-For": f"203.0.113.{n}"}
            )
        assert r.status_code == expected, hops
