"""The production server: gunicorn with the app preloaded before the fork is safe with torch.

preload_app loads torch, the model and the index once in the master and
forks the workers from it (they share its memory and start at once). That is
only safe if the forked model still answers: this starts the real server on
loopback and has both workers answer concurrent searches.
"""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from bench.server import Server, cpu_seconds, free_port

QUESTIONS = [
    "can myeloma mess up my kidneys",
    "what is a plasmacytoma",
    "stem cell transplant side effects",
    "how is MGUS treated",
]


def fetch(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=120) as resp:
        assert resp.status == 200
        return json.loads(resp.read())


@pytest.fixture()
def preloaded_server(index_dir, tmp_path):
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(index_dir),
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "CANCER_SEARCH_QUERY_CACHE_SIZE": "1",
        "CANCER_SEARCH_NATIVE_THREADS": "1",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "1",
        "WEB_PRELOAD": "1",
        # sync workers take one request at a time, so concurrent requests reach both
        "WEB_WORKER_CLASS": "sync",
    }
    server = Server(free_port(8200, 8299), env, tmp_path / "server.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


def test_preloaded_workers_answer_concurrent_searches(preloaded_server):
    server = preloaded_server
    server.wait_answer("/api/health")
    workers = server.wait_workers(2)
    assert len(workers) == 2
    before = {pid: cpu_seconds(pid) for pid in workers}
    urls = [
        f"{server.base_url}/api/search?" + urllib.parse.urlencode({"q": q, "k": 3})
        for q in QUESTIONS * 4
    ]
    with ThreadPoolExecutor(max_workers=4) as pool:
        bodies = list(pool.map(fetch, urls))
    for body, url in zip(bodies, urls):
        assert len(body["results"]) == 3
        assert body["query"] in url.replace("+", " ")
    assert server.worker_pids() == workers  # no worker crashed and was replaced
    assert all(cpu_seconds(pid) > before[pid] for pid in workers)  # both forked models ran
    # every worker gives the same answer to the same question
    again = [fetch(urls[0])["results"][0]["id"] for _ in range(4)]
    assert set(again) == {bodies[0]["results"][0]["id"]}
