"""Shared fixtures: one real index built from the real corpus, one app over it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_DIR = REPO_ROOT / "corpus"
# Tests that use one of these need a real index build: the integration tier.
INDEX_FIXTURES = {"index_dir", "index", "app", "client", "searcher", "server", "live_server"}
TIERS = ("unit", "integration", "browser")


def pytest_collection_modifyitems(items):
    """Every test gets a tier: browser (tests/browser), integration (marked, or using
    a real index), else unit, which `make test-fast` runs alone."""
    for item in items:
        marked = {m.name for m in item.iter_markers()}
        if item.path.parent.name == "browser":
            item.add_marker(pytest.mark.browser)
        elif not marked & set(TIERS):
            uses_index = bool(INDEX_FIXTURES & set(item.fixturenames))
            item.add_marker(pytest.mark.integration if uses_index else pytest.mark.unit)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    from indexer.build import build

    out = tmp_path_factory.mktemp("index")
    build(CORPUS_DIR, out, progress=False)
    return out


@pytest.fixture(scope="session")
def index(index_dir):
    from retrieval.index import load_index

    return load_index(index_dir)


@pytest.fixture(scope="session")
def app(index_dir):
    from search_app import create_app

    # Every test shares this app and one client address; the rate limit has its own tests.
    return create_app({"INDEX_DIR": str(index_dir), "TESTING": True, "RATELIMIT_ENABLED": False})


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="session")
def source_texts() -> dict[str, str]:
    return {p.name: p.read_bytes().decode("utf-8") for p in CORPUS_DIR.glob("*.txt")}
