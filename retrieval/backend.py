"""Where the first stage's candidates come from (CANCER_SEARCH_BACKEND).

The first stage asks a backend for two things: the dense top (passage rows
and inner products) and BM25 scores. `faiss` reads the build's own files in
this process; `milvus` asks a Milvus collection, embedded or a cluster
(retrieval/milvus_backend.py). Fusion and everything after it is the same
code for both.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from core import settings

from .index import Index, IndexUnavailable
from .lexical import LexicalScorer


class BackendUnavailable(IndexUnavailable):
    """The backend cannot answer now (unreachable, timed out); requests get 503."""


class Backend(Protocol):
    name: str

    def dense_top(
        self, vector: np.ndarray, depth: int, mask: np.ndarray | None, sources: list[str] | None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and inner products of the best `depth` passages, best first; every
        passage when the corpus is small. `mask`/`sources`: the allowed passages."""

    def lexical_scores(
        self, tokens: list[str], depth: int, sources: list[str] | None, also: np.ndarray | None
    ) -> np.ndarray:
        """BM25 score of every passage (0 where unknown): exact while the corpus is
        small; above that, exact for the BM25 top `depth` and for the rows `also`."""

    def describe(self) -> dict:
        """What /api/health shows: the backend's name and, for a service, where it is."""


def score_everything(total: int) -> bool:
    return total <= settings.SCORE_ALL_MAX_PASSAGES


class FaissBackend:
    """The build's FAISS index and bm25s arrays, in this process."""

    name = "faiss"

    def __init__(self, index: Index, lexical: LexicalScorer):
        self.dense, self.lexical = index.dense, lexical

    def dense_top(self, vector, depth, mask, sources):
        total = self.dense.ntotal
        # With a filter every passage is scored, so that filtered-out ones keep
        # their place in the normalisation (the filter is applied after fusion).
        depth = total if mask is not None or score_everything(total) else min(depth, total)
        scores, ids = self.dense.search(vector, depth)
        valid = ids[0] >= 0
        return ids[0][valid].astype(np.int64), scores[0][valid]

    def lexical_scores(self, tokens, depth, sources, also):
        return self.lexical.scores(tokens)  # bm25s scores every passage anyway

    def describe(self) -> dict:
        return {"name": self.name}


def open_backend(index: Index, lexical: LexicalScorer, name: str | None = None) -> Backend:
    """The configured backend over `index`; IndexUnavailable, in one line, when the
    backend does not hold what this build needs."""
    if (name or settings.BACKEND) == "milvus":
        from .milvus_backend import MilvusBackend

        return MilvusBackend(index)
    return FaissBackend(index, lexical)
