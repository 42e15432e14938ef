"""The Milvus backend (CANCER_SEARCH_BACKEND=milvus) against Milvus Lite, embedded:
the same results as FAISS, source filters in Milvus, a reindex under load, one
line for bad configuration, 503 while Milvus is away. A test that needs a
Milvus server runs only when CANCER_SEARCH_TEST_MILVUS_URI names one.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from bench.server import Server, free_port
from core import index_files, milvus, settings
from indexer import milvus_collection
from indexer.build import build
from retrieval.backend import BackendUnavailable
from retrieval.index import IndexUnavailable, load_index
from retrieval.search import Searcher

pytestmark = pytest.mark.integration
REPO = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO / "corpus"
PORTS = (8400, 8449)
SERVER_URI = os.environ.get("CANCER_SEARCH_TEST_MILVUS_URI", "")


def gold_questions(n: int) -> list[str]:
    rows = [json.loads(line) for line in (REPO / "eval" / "gold.jsonl").open()]
    return [r["question"] for r in rows][:n]


@pytest.fixture(scope="module")
def milvus_dir(index_dir, tmp_path_factory) -> Path:
    """A copy of the test index whose build is also in its default Milvus Lite database."""
    copy = tmp_path_factory.mktemp("milvus") / "index"
    shutil.copytree(index_dir, copy, symlinks=True)
    build_dir = (copy / index_files.CURRENT).resolve()
    milvus_collection.export(build_dir, milvus.resolve_uri("", copy))
    return copy


@pytest.fixture()
def use_milvus(monkeypatch):
    monkeypatch.setattr(settings, "BACKEND", "milvus")
    monkeypatch.setattr(settings, "MILVUS_URI", "")


@pytest.fixture(scope="module")
def searchers(milvus_dir):
    index = load_index(milvus_dir)
    faiss = Searcher(index)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(settings, "BACKEND", "milvus")
        patch.setattr(settings, "MILVUS_URI", "")
        on_milvus = Searcher(index)
    return faiss, on_milvus


def assert_same_results(a, b) -> None:
    assert [h.passage["id"] for h in a.hits] == [h.passage["id"] for h in b.hits]
    assert np.allclose([h.score for h in a.hits], [h.score for h in b.hits], atol=1e-5)
    assert a.confident == b.confident


def test_milvus_serves_the_same_rankings_as_faiss(searchers):
    faiss, on_milvus = searchers
    assert on_milvus.parts.backend.name == "milvus"
    for question in gold_questions(40):
        assert_same_results(faiss.search(question, 10), on_milvus.search(question, 10))


def test_milvus_bm25_on_our_tokens_equals_bm25s(searchers):
    faiss, on_milvus = searchers
    for question in gold_questions(25) + ["stage 3 myeloma treatment", "zzzz"]:
        tokens = faiss.plan(question).tokens
        ours = faiss.parts.backend.lexical_scores(tokens, 100, None, None)
        theirs = on_milvus.parts.backend.lexical_scores(tokens, 100, None, None)
        assert np.allclose(ours, theirs, rtol=1e-5, atol=1e-5)


def test_source_filter_is_a_milvus_expression_with_k_results(searchers):
    _, on_milvus = searchers
    backend = on_milvus.parts.backend
    sent = []
    client = backend._connected()
    original = client.search

    def spy(*args, **kwargs):
        sent.append(kwargs.get("filter"))
        return original(*args, **kwargs)

    client.search = spy
    try:
        for source in on_milvus.index.documents:
            count = sum(p["doc_id"] == source for p in on_milvus.index.passages)
            result = on_milvus.search("treatment for myeloma", 10, sources={source})
            assert len(result.hits) == min(10, count)
            assert {h.passage["doc_id"] for h in result.hits} == {source}
    finally:
        client.search = original
    assert sent and all(f.startswith(f"{milvus.DOC_ID} in [") for f in sent)


def test_bad_milvus_configuration_is_one_line(milvus_dir, use_milvus, monkeypatch):
    index = load_index(milvus_dir)
    monkeypatch.setattr(settings, "MILVUS_URI", "http://user:secret@127.0.0.1:1")
    with pytest.raises(IndexUnavailable) as unreachable:
        Searcher(index)
    message = str(unreachable.value)
    assert "unreachable" in message and "secret" not in message and "\n" not in message

    monkeypatch.setattr(settings, "MILVUS_URI", "")
    monkeypatch.setattr(settings, "MILVUS_COLLECTION", "elsewhere")
    with pytest.raises(IndexUnavailable, match="has no collection .*python -m indexer milvus"):
        Searcher(index)

    monkeypatch.setattr(settings, "MILVUS_COLLECTION", "passages")
    index.meta = {**index.meta, "model": {**index.meta["model"], "dimension": 768}}
    with pytest.raises(IndexUnavailable, match="has dimension 384 but the build has 768"):
        Searcher(index)


def test_uris_lose_their_credentials():
    assert milvus.redact("https://root:Milvus@db.example:19530/x?token=t") == (
        "https://db.example:19530/x"
    )
    assert milvus.redact("/srv/index/milvus.db") == "/srv/index/milvus.db"
    assert milvus.collection_name("passages", "20261204T0607Z-59b") == "passages_20261204T0607Z_59b"


@pytest.fixture(scope="module")
def milvus_server(milvus_dir, tmp_path_factory):
    """`make serve` with CANCER_SEARCH_BACKEND=milvus over the embedded database
    (this test process holds it and serves it to the workers)."""
    log = tmp_path_factory.mktemp("milvus-log") / "server.log"
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(milvus_dir),
        "CANCER_SEARCH_BACKEND": "milvus",
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "CANCER_SEARCH_NATIVE_THREADS": "1",
        "WEB_WORKERS": "2",
        "WEB_THREADS": "2",
    }
    with Server(free_port(*PORTS), env, log) as srv:
        srv.wait_answer("/api/health")
        yield srv


def test_reindex_on_milvus_lite_while_queries_run_loses_none(milvus_server, milvus_dir):
    from test_resilience import Load, call

    status, _, body = call(milvus_server.base_url, "/api/health")
    before = json.loads(body)
    assert status == 200 and before["backend"]["name"] == "milvus"
    assert before["backend"]["uri"].endswith(index_files.MILVUS_LITE)
    with Load(milvus_server.base_url, threads=2) as load:
        load.wait_successes(2)
        # A new versioned collection, then the alias, then the build directory.
        version = build(CORPUS_DIR, milvus_dir, progress=False, backend="milvus").version
        for _ in range(200):
            health = json.loads(call(milvus_server.base_url, "/api/health")[2])
            if health["index_version"] == version:
                break
        assert health["backend"]["collection"] == milvus.collection_name("passages", version)
        load.wait_successes(3)
    assert len(load.outcomes) > 5 and load.failures == 0
    client = milvus.connect(milvus.resolve_uri("", milvus_dir))
    assert client.describe_alias("passages")["collection_name"].endswith(
        milvus.collection_name("", version)
    )


def test_milvus_away_gives_503_then_recovers(milvus_dir, tmp_path):
    """A Milvus server (Milvus Lite's own, in another process) stopped and started again."""
    from test_resilience import call, search_path

    port = free_port(8450, 8499)
    uri = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "milvus_lite", "server", "--data-dir", str(tmp_path / "db")]
    command += ["--port", str(port)]

    def start_milvus() -> subprocess.Popen:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(300):
            try:
                milvus.connect(uri, timeout=1).close()
                return proc
            except milvus.MilvusUnavailable:
                time.sleep(0.1)
        raise AssertionError("Milvus Lite's server did not start")

    store = start_milvus()
    build_dir = (milvus_dir / index_files.CURRENT).resolve()
    milvus_collection.export(build_dir, uri)
    env = {
        "CANCER_SEARCH_INDEX_DIR": str(milvus_dir),
        "CANCER_SEARCH_BACKEND": "milvus",
        "CANCER_SEARCH_MILVUS_URI": uri,
        "CANCER_SEARCH_MILVUS_TIMEOUT": "2",
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "WEB_WORKERS": "1",
    }
    srv = Server(free_port(*PORTS), env, tmp_path / "server.log")
    srv.start()
    try:
        srv.wait_answer("/api/health")
        assert call(srv.base_url, search_path(0))[0] == 200
        store.send_signal(signal.SIGKILL)
        store.wait(timeout=30)
        for n in range(4):
            status, headers, body = call(srv.base_url, search_path(n))
            assert status == 503, status
            assert json.loads(body)["error"]["code"] == "index_unavailable"
            assert int(headers["Retry-After"]) >= 1
        store = start_milvus()
        statuses = [call(srv.base_url, search_path(n))[0] for n in range(6)]
        assert statuses[-3:] == [200] * 3
    finally:
        srv.stop()
        store.kill()
        store.wait(timeout=30)
    log = srv.log_path.read_text()
    assert "Traceback" not in log


@pytest.mark.skipif(not SERVER_URI, reason="no Milvus server: set CANCER_SEARCH_TEST_MILVUS_URI")
def test_a_milvus_server_serves_the_same_rankings(milvus_dir, searchers, monkeypatch):
    build_dir = (milvus_dir / index_files.CURRENT).resolve()
    milvus_collection.export(build_dir, SERVER_URI)
    monkeypatch.setattr(settings, "BACKEND", "milvus")
    monkeypatch.setattr(settings, "MILVUS_URI", SERVER_URI)
    on_server = Searcher(load_index(milvus_dir))
    faiss, _ = searchers
    for question in gold_questions(20):
        assert_same_results(faiss.search(question, 10), on_server.search(question, 10))


def test_backend_unavailable_is_an_index_unavailable():
    """create_app's one-line start-up failure covers the backend too."""
    assert issubclass(BackendUnavailable, IndexUnavailable)
