"""Rank passages for a query. The service and the evaluation harness both call this."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from core import models

from .index import Index


@dataclass
class Hit:
    passage: dict
    score: float


@dataclass
class SearchResult:
    query: str
    hits: list[Hit]
    confident: bool
    took_ms: float
    corrected_query: str | None = None
    details: dict = field(default_factory=dict)


class Searcher:
    """Holds the loaded model and index; built once per process."""

    def __init__(self, index: Index, confidence_threshold: float):
        self.index = index
        self.model = models.load_embedder(index.meta["model"]["name"])
        self.confidence_threshold = confidence_threshold

    def embed_query(self, query: str) -> np.ndarray:
        return models.embed(self.model, [query])

    def dense(self, query: str, k: int, sources: set[str] | None = None) -> list[Hit]:
        n = self.index.dense.ntotal if sources else min(k, self.index.dense.ntotal)
        scores, ids = self.index.dense.search(self.embed_query(query), n)
        hits = [
            Hit(self.index.passages[i], float(s))
            for s, i in zip(scores[0], ids[0])
            if i >= 0 and (not sources or self.index.passages[i]["doc_id"] in sources)
        ]
        return hits[:k]

    def search(self, query: str, k: int = 10, sources: set[str] | None = None) -> SearchResult:
        """Rank passages; `sources` (document ids) restricts the search to those documents."""
        started = time.perf_counter()
        hits = self.dense(query, k, sources)
        confident = bool(hits) and hits[0].score >= self.confidence_threshold
        return SearchResult(
            query=query,
            hits=hits,
            confident=confident,
            took_ms=(time.perf_counter() - started) * 1000,
        )
