"""The dense index: exact search while the corpus is small, HNSW once it is large.

Why a threshold and not always one kind: exact inner-product search
(IndexFlatIP) costs time linear in the corpus but is exact and builds
instantly; HNSW answers in near-constant time but is approximate and slow to
build. `python -m bench.scale` measured both on 384-d vectors (README,
"Scaling"): exact search stays under a quarter of the query-embedding time
(the "floor") up to a few tens of thousands of passages, and no further.
So corpora up to settings.DENSE_EXACT_MAX_PASSAGES (40,000) get IndexFlatIP;
larger ones get IndexHNSWFlat (M=32, efSearch 256), which at 1M passages
measured recall@10 0.965 against exact search in 1.2 ms, under a seventh of
the floor.
"""

from __future__ import annotations

import numpy as np

from core import settings

FLAT = "faiss.IndexFlatIP"
HNSW = "faiss.IndexHNSWFlat"


def choose_index_type(n_passages: int, exact_max: int | None = None) -> str:
    """FLAT up to `exact_max` passages (inclusive), HNSW beyond."""
    limit = settings.DENSE_EXACT_MAX_PASSAGES if exact_max is None else exact_max
    return FLAT if n_passages <= limit else HNSW


def build_dense_index(vectors: np.ndarray, index_type: str | None = None):
    """A filled FAISS inner-product index over unit vectors (cosine similarity)."""
    import faiss

    vectors = np.ascontiguousarray(vectors, dtype="float32")
    n, dim = vectors.shape
    index_type = index_type or choose_index_type(n)
    if index_type == FLAT:
        index = faiss.IndexFlatIP(dim)
    elif index_type == HNSW:
        index = faiss.IndexHNSWFlat(dim, settings.DENSE_HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = settings.DENSE_HNSW_EF_CONSTRUCTION
        index.hnsw.efSearch = settings.DENSE_HNSW_EF_SEARCH
    else:
        raise ValueError(f"unknown dense index type {index_type!r}")
    index.add(vectors)
    return index


def index_type_of(index) -> str:
    """The name recorded in meta.json, so readers know what they will load."""
    import faiss

    if isinstance(index, faiss.IndexHNSWFlat):
        return HNSW
    if isinstance(index, faiss.IndexFlatIP):
        return FLAT
    return "faiss." + type(index).__name__
