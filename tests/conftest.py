"""Shared fixtures: one real index built from the real corpus, one app over it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
CORPUS_DIR = REPO_ROOT / "corpus"


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory) -> Path:
    from indexer.build import build

    out = tmp_path_factory.mktemp("index")
    build(CORPUS_DIR, out, progress=False)
    return out


@pytest.fixture(scope="session")
def index(index_dir):
    from search_app.index import load_index

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
