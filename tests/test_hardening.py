"""Hardening, in process: headers, limits, logs, index integrity, live index swaps.

Tests that change the index or the corpus do it on copies, through their own
app (`own_app`), and put everything back before they finish.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import itertools
import json
import logging
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

from core import settings
from indexer import store
from retrieval import integrity
from retrieval.index import IndexUnavailable
from search_app import create_app, requestlog

CORPUS_DIR = Path(__file__).resolve().parent.parent / "corpus"
_addresses = (f"10.6.{n // 250}.{n % 250 + 1}" for n in itertools.count())


def get(app, url, addr=None, **kwargs):
    """One request from its own client address, so no test spends another's budget."""
    environ = {"REMOTE_ADDR": addr or next(_addresses)}
    return app.test_client().get(url, environ_base=environ, **kwargs)


@pytest.fixture(scope="module")
def own_dirs(index_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("hardening")
    shutil.copytree(index_dir, root / "index", symlinks=True)
    shutil.copytree(CORPUS_DIR, root / "corpus")
    return root / "index", root / "corpus"


@pytest.fixture(scope="module")
def own_app(own_dirs):
    """An app over copies, with a tiny rate limit, a full index check on every request,
    and FLASK_DEBUG set in its environment."""
    index, corpus = own_dirs
    old = os.environ.get("FLASK_DEBUG")
    os.environ["FLASK_DEBUG"] = "1"
    try:
        return create_app(
            {
                "INDEX_DIR": str(index),
                "CORPUS_DIR": str(corpus),
                "TESTING": True,
                "RATELIMIT_DEFAULT": "5 per day",
                "INDEX_CHECK_SECONDS": 0,
            }
        )
    finally:
        if old is None:
            os.environ.pop("FLASK_DEBUG")
        else:
            os.environ["FLASK_DEBUG"] = old


@pytest.fixture()
def log_lines():
    """The JSON lines the request logger writes during one test."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(requestlog.JsonLines())
    log = requestlog.logger()
    log.addHandler(handler)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        log.removeHandler(handler)


# --- security headers ---------------------------------------------------------


@pytest.mark.parametrize(
    "url, status",
    [
        ("/api/search?q=myeloma&k=1", 200),
        ("/api/search?q=", 400),
        ("/api/nope", 404),
        ("/api/health", 200),
        ("/api/openapi.json", 200),
        ("/", 200),
        ("/nope", 404),
        ("/static/site.css", 200),
    ],
)
def test_security_headers_on_every_response(client, url, status):
    r = client.get(url)
    assert r.status_code == status
    csp = r.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] in ("'none'", "'self'")
    for name, value in directives.items():  # only our own origin, never inline code
        assert set(value.split()) <= {"'self'", "'none'"}, (name, value)
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert "Server" not in r.headers  # gunicorn adds a bare "gunicorn": see test_serving


def test_results_for_a_question_are_never_cached(client):
    for url in ("/api/search?q=kidney+damage", "/search?q=kidney+damage"):
        assert client.get(url).headers["Cache-Control"] == "no-store"


def test_debug_mode_stays_off_even_when_the_environment_asks(own_app):
    assert own_app.debug is False
    r = get(own_app, "/api/search?q=myeloma&k=200")
    assert r.status_code == 400 and "Traceback" not in r.get_data(as_text=True)


# --- limits -------------------------------------------------------------------


def test_rate_limit_answers_429_json_with_retry_after(own_app):
    addr = "10.66.0.1"
    for _ in range(5):
        assert get(own_app, "/api/search?q=bone+pain&k=1", addr).status_code == 200
    r = get(own_app, "/api/search?q=bone+pain&k=1", addr)
    assert r.status_code == 429 and r.is_json
    assert r.get_json()["error"]["code"] == "rate_limited"
    assert int(r.headers["Retry-After"]) >= 1
    assert r.headers["X-Request-ID"] and r.headers["Content-Security-Policy"]
    # the budget is per client, and monitoring endpoints are never throttled
    assert get(own_app, "/api/health", addr).status_code == 200
    assert get(own_app, "/api/openapi.json", addr).status_code == 200
    assert get(own_app, "/api/search?q=bone+pain&k=1", "10.66.0.2").status_code == 200
    assert "Retry-After" not in get(own_app, "/api/search?q=x&k=1", "10.66.0.3").headers


def test_rate_limit_storage_and_budget_come_from_settings():
    """memory:// by default; another URI is really used (an unknown scheme is refused)."""
    from flask import Flask
    from limits.errors import ConfigurationError
    from limits.storage import MemoryStorage

    from core import settings
    from search_app import errors, limits

    plain = Flask("plain")
    errors.register(plain)
    limiter = limits.register(plain)
    assert plain.config["RATELIMIT_DEFAULT"] == settings.RATE_LIMIT
    assert isinstance(limiter._storage, MemoryStorage)
    other = Flask("other")
    other.config["RATELIMIT_STORAGE_URI"] = "nosuch://cache:1234"
    errors.register(other)
    with pytest.raises(ConfigurationError, match="nosuch"):
        limits.register(other)


def test_oversized_body_is_refused_before_anything_reads_it(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    r = client.get("/api/search?q=myeloma", data=b"x" * (limit + 1))
    assert r.status_code == 413 and r.get_json()["error"]["code"] == "request_too_large"
    assert client.get("/api/search?q=myeloma&k=1", data=b"x" * limit).status_code == 200


def test_query_and_k_limits_are_the_documented_ones(client, app):
    spec = client.get("/api/openapi.json").get_json()
    params = {p["name"]: p for p in spec["paths"]["/api/search"]["get"]["parameters"]}
    q, k = params["q"], params["k"]
    assert q["schema"]["maxLength"] == app.config["MAX_QUERY_CHARS"]
    assert k["schema"]["maximum"] == app.config["MAX_K"]
    too_long = "a" * (app.config["MAX_QUERY_CHARS"] + 1)
    assert client.get("/api/search", query_string={"q": too_long}).status_code == 400
    assert client.get(f"/api/search?q=a&k={app.config['MAX_K'] + 1}").status_code == 400


# --- privacy-preserving logs ----------------------------------------------------

SECRET = "does my husband's myeloma mean he will die soon"


def test_log_line_has_id_status_timing_and_hash_but_not_the_question(client, log_lines):
    r = client.get(
        "/api/search", query_string={"q": SECRET, "k": 2}, headers={"X-Request-ID": "trace-42.a:b"}
    )
    assert r.headers["X-Request-ID"] == "trace-42.a:b"
    lines = log_lines()
    assert len(lines) == 1
    line = lines[0]
    assert line["event"] == "request" and line["request_id"] == "trace-42.a:b"
    assert line["status"] == 200 and line["method"] == "GET" and line["route"] == "/api/search"
    assert isinstance(line["ms"], float) and line["ms"] >= 0
    assert line["query_chars"] == len(SECRET)
    assert line["query_sha256"] == hashlib.sha256(SECRET.encode()).hexdigest()
    raw = json.dumps(lines)
    assert "husband" not in raw and "query" not in line


def test_refused_requests_are_logged_too(client, log_lines):
    client.get("/api/search?q=" + "a" * 1001)
    client.get("/api/nope")
    assert [line["status"] for line in log_lines()] == [400, 404]


@pytest.mark.parametrize("given", ["", "x" * 129, "a b", "bad\tid", "<script>", "ümlaut", "a;b"])
def test_unsafe_request_ids_are_replaced(client, log_lines, given):
    r = client.get("/api/health", headers={"X-Request-ID": given})
    rid = r.headers["X-Request-ID"]
    assert rid != given and len(rid) == 32 and rid.isalnum()
    assert log_lines()[0]["request_id"] == rid


def test_query_text_is_logged_only_when_asked_and_hash_can_be_keyed(own_app, log_lines):
    own_app.config.update(LOG_QUERY_TEXT=True, LOG_QUERY_HASH_KEY="pepper")
    try:
        get(own_app, "/api/search?q=" + SECRET.replace(" ", "+") + "&k=1")
    finally:
        own_app.config.update(LOG_QUERY_TEXT=False, LOG_QUERY_HASH_KEY="")
    line = log_lines()[0]
    assert line["query"] == SECRET
    keyed = hmac.new(b"pepper", SECRET.encode(), hashlib.sha256).hexdigest()
    assert line["query_sha256"] == keyed != hashlib.sha256(SECRET.encode()).hexdigest()


# --- index integrity at start -----------------------------------------------------


def _copy_build(index_dir: Path, dest: Path) -> Path:
    shutil.copytree(index_dir, dest, symlinks=True)
    return (dest / "current").resolve()


def _edit_meta(build: Path, change) -> None:
    meta = json.loads((build / "meta.json").read_text())
    change(meta)
    (build / "meta.json").write_text(json.dumps(meta))


def _one_line_with_hint(exc: IndexUnavailable) -> None:
    message = str(exc)
    assert "\n" not in message and "python -m indexer build" in message


def test_missing_index_stops_the_app_with_one_line(tmp_path):
    with pytest.raises(IndexUnavailable) as exc:
        create_app({"INDEX_DIR": str(tmp_path)})
    _one_line_with_hint(exc.value)
    with pytest.raises(IndexUnavailable):
        integrity.preflight(tmp_path)


@pytest.mark.parametrize("damage", ["garbage passages", "truncated faiss", "no meta"])
def test_corrupt_index_stops_the_app_with_one_line(index_dir, tmp_path, damage):
    build = _copy_build(index_dir, tmp_path / "index")
    if damage == "garbage passages":
        (build / "passages.jsonl").write_bytes(b"\x00\xff not json\n")
    elif damage == "truncated faiss":
        data = (build / "dense.faiss").read_bytes()
        (build / "dense.faiss").write_bytes(data[: len(data) // 3])
    else:
        (build / "meta.json").unlink()
    for check in (
        lambda: create_app({"INDEX_DIR": str(tmp_path / "index")}),
        lambda: integrity.preflight(tmp_path / "index"),
    ):
        with pytest.raises(IndexUnavailable) as exc:
            check()
        _one_line_with_hint(exc.value)


def test_index_from_another_model_stops_the_app(index_dir, tmp_path):
    build = _copy_build(index_dir, tmp_path / "index")
    _edit_meta(build, lambda m: m["model"].update(name="all-mpnet-base-v2"))
    for check in (
        lambda: create_app({"INDEX_DIR": str(tmp_path / "index")}),
        lambda: integrity.preflight(tmp_path / "index"),
    ):
        with pytest.raises(IndexUnavailable) as exc:
            check()
        _one_line_with_hint(exc.value)
        assert "all-mpnet-base-v2" in str(exc.value) and "all-MiniLM-L6-v2" in str(exc.value)


def test_index_of_another_dimension_stops_the_app(index_dir, tmp_path):
    """A self-consistent index (vectors match metadata) whose size the model cannot produce."""
    import faiss

    build = _copy_build(index_dir, tmp_path / "index")
    n = json.loads((build / "meta.json").read_text())["passage_count"]
    small = faiss.IndexFlatIP(8)
    small.add(np.eye(n, 8, dtype="float32"))
    faiss.write_index(small, str(build / "dense.faiss"))
    _edit_meta(build, lambda m: m["model"].update(dimension=8))
    for check in (
        lambda: create_app({"INDEX_DIR": str(tmp_path / "index")}),
        lambda: integrity.preflight(tmp_path / "index"),
    ):
        with pytest.raises(IndexUnavailable) as exc:
            check()
        _one_line_with_hint(exc.value)
        assert "8-dimensional" in str(exc.value) and "384" in str(exc.value)


def test_model_dimension_is_read_from_the_installed_package():
    assert integrity.declared_dimension("all-MiniLM-L6-v2") == 384
    assert integrity.model_dimension("all-MiniLM-L6-v2") == 384


# --- health: version and corpus drift --------------------------------------------


def test_health_reports_version_and_unchanged_corpus(client, index):
    body = client.get("/api/health").get_json()
    assert body["index_version"] == index.version == body["index"]["version"]
    assert body["corpus_changed"] is False
    assert set(body["corpus"]) == set(index.meta["corpus"]) | {settings.SCOPE_EXAMPLES_NAME}
    assert set(body["corpus"].values()) == {"unchanged"}


def test_health_notices_a_corpus_edited_since_the_build(own_app, own_dirs):
    _, corpus = own_dirs
    edited = corpus / "acs-multiple-myeloma-treatment-options.txt"
    manifest = corpus / "manifest.json"
    examples = corpus / settings.SCOPE_EXAMPLES_NAME
    original_text, original_manifest = edited.read_bytes(), manifest.read_bytes()
    original_examples = examples.read_bytes()
    try:
        edited.write_bytes(original_text.replace(b"myeloma", b"mye1oma", 1))
        examples.write_bytes(original_examples + b'{"question": "new?", "answerable": false}\n')
        data = json.loads(original_manifest)
        data["documents"].append({**data["documents"][0], "id": "new-doc", "file": "new.txt"})
        manifest.write_text(json.dumps(data))
        body = get(own_app, "/api/health").get_json()
        assert body["corpus_changed"] is True
        assert body["corpus"]["acs-multiple-myeloma-treatment-options.txt"] == "changed"
        assert body["corpus"]["nci-pdq-plasma-cell-neoplasms-treatment-patient.txt"] == "unchanged"
        assert body["corpus"]["new.txt"] == "new"
        assert body["corpus"][settings.SCOPE_EXAMPLES_NAME] == "changed"
        edited.unlink()
        assert get(own_app, "/api/health").get_json()["corpus"][edited.name] == "missing"
    finally:
        edited.write_bytes(original_text)
        manifest.write_bytes(original_manifest)
        examples.write_bytes(original_examples)
    assert get(own_app, "/api/health").get_json()["corpus_changed"] is False


# --- the live index: unreadable at run time, new builds ------------------------------


def _search_ok(app) -> dict:
    r = get(app, "/api/search?q=stem+cell+transplant&k=3")
    assert r.status_code == 200, r.get_data(as_text=True)
    return r.get_json()


def _unavailable(app, url="/api/search?q=stem+cell+transplant&k=3"):
    r = get(app, url)
    assert r.status_code == 503 and r.is_json, (url, r.status_code)
    assert r.get_json()["error"]["code"] == "index_unavailable"
    assert int(r.headers["Retry-After"]) >= 1
    return r


def test_index_moved_away_gives_503_until_it_is_back(own_app, own_dirs, log_lines):
    index_dir, _ = own_dirs
    before = _search_ok(own_app)
    searcher = own_app.extensions["searcher"]
    away = index_dir.with_name("index-away")
    index_dir.rename(away)
    try:
        for url in ("/api/search?q=stem+cell+transplant&k=3", "/api/health", "/search?q=myeloma"):
            assert get(own_app, url).status_code == 503
        _unavailable(own_app)
        assert get(own_app, "/api/openapi.json").status_code == 200  # needs no index
        assert get(own_app, "/api/nothing").status_code == 404
        assert get(own_app, "/static/site.css").status_code == 200
    finally:
        away.rename(index_dir)
    after = _search_ok(own_app)
    assert [r["id"] for r in after["results"]] == [r["id"] for r in before["results"]]
    assert own_app.extensions["searcher"] is searcher  # same build back: nothing reloaded
    events = [line["event"] for line in log_lines() if line["event"] != "request"]
    assert events == ["index_unavailable", "index_available"]


def test_build_files_replaced_with_garbage_give_503_until_restored(own_app, own_dirs):
    index_dir, _ = own_dirs
    target = (index_dir / "current").resolve() / "passages.jsonl"
    original = target.read_bytes()
    try:
        target.write_bytes(b"garbage\n" * 10)
        _unavailable(own_app)
        _unavailable(own_app)  # stays down, without retrying the load on every request
    finally:
        target.write_bytes(original)
    assert _search_ok(own_app)["results"]


def test_a_newly_published_build_is_served_without_restart(own_app, own_dirs, log_lines):
    """The indexer's atomic publish (store.write_build) is picked up on the next request."""
    index_dir, _ = own_dirs
    old_build = (index_dir / "current").resolve()
    old_searcher = own_app.extensions["searcher"]
    version = old_build.name + "-next"

    def write_files(tmp: Path) -> None:
        shutil.copytree(old_build, tmp, dirs_exist_ok=True)
        _edit_meta(tmp, lambda m: m.update(version=version))

    store.write_build(index_dir, version, write_files)
    try:
        assert get(own_app, "/api/health").get_json()["index_version"] == version
        assert own_app.extensions["searcher"] is not old_searcher
        assert _search_ok(own_app)["results"]
        assert [line["version"] for line in log_lines() if line["event"] == "index_loaded"] == [
            version
        ]
    finally:
        tmp_link = index_dir / ".current.restore"
        os.symlink(Path("builds") / old_build.name, tmp_link)
        os.replace(tmp_link, index_dir / "current")
    assert get(own_app, "/api/health").get_json()["index_version"] == old_build.name


def test_a_broken_new_build_gives_503_not_a_crash(own_app, own_dirs):
    index_dir, _ = own_dirs
    old_build = (index_dir / "current").resolve()

    def write_files(tmp: Path) -> None:
        shutil.copytree(old_build, tmp, dirs_exist_ok=True)
        _edit_meta(tmp, lambda m: m.update(passage_count=1))

    store.write_build(index_dir, "broken", write_files)
    try:
        _unavailable(own_app)
    finally:
        tmp_link = index_dir / ".current.restore"
        os.symlink(Path("builds") / old_build.name, tmp_link)
        os.replace(tmp_link, index_dir / "current")
    assert _search_ok(own_app)["results"]


def test_the_per_request_index_check_is_cheap(app, client, monkeypatch):
    """Between full checks a request costs one realpath and one stat, not a directory scan."""
    from search_app import live

    scans = []
    real = live.fingerprint
    monkeypatch.setattr(live, "fingerprint", lambda build: scans.append(build) or real(build))
    watcher = app.extensions["live_index"]
    monkeypatch.setattr(watcher, "interval", 3600.0)
    for q in ("myeloma", "kidney"):
        assert client.get("/api/search", query_string={"q": q, "k": 1}).status_code == 200
    assert scans == []
    monkeypatch.setattr(watcher, "interval", 0.0)
    assert client.get("/api/search?q=myeloma&k=1").status_code == 200
    assert scans == [watcher.serving[0]]
