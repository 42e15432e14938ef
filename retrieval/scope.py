"""The labelled questions nearest to a query vote on whether the library answers it.

Similarity to the passages cannot tell "on the library's topic" from "answered
by it": "how soon can I fly after my transplant" is as close to the transplant
passages as a question they answer. The curator's labelled questions
(corpus/scope_examples.jsonl, embedded by indexer/scope.py) carry what the
similarities miss: out-of-scope questions come in kinds (daily life, caring
for side effects, numbers and drugs the documents never give), and a new one
of a known kind lies nearer to its kin than to the answerable examples.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core import index_files

LABELS_FILE = index_files.SCOPE_EXAMPLES
VECTORS_FILE = index_files.SCOPE_VECTORS


class ScopeVote:
    def __init__(self, vectors: np.ndarray, answerable: np.ndarray, neighbours: int):
        answerable = np.asarray(answerable, dtype=bool)
        self.inside = np.asarray(vectors[answerable], dtype=np.float32)
        self.outside = np.asarray(vectors[~answerable], dtype=np.float32)
        self.neighbours = max(int(neighbours), 1)

    @classmethod
    def load(cls, index_path: Path, neighbours: int) -> "ScopeVote | None":
        """None for a build without labelled questions (or with only one label)."""
        labels, vectors = index_path / LABELS_FILE, index_path / VECTORS_FILE
        if not (labels.is_file() and vectors.is_file()):
            return None
        answerable = np.array(
            [row["answerable"] for row in json.loads(labels.read_text(encoding="utf-8"))],
            dtype=bool,
        )
        if answerable.all() or not answerable.any():
            return None
        return cls(np.load(vectors), answerable, neighbours)

    def vote(self, vector: np.ndarray) -> float:
        """Mean similarity of the nearest answerable examples minus that of the
        nearest out-of-scope ones: above 0, the query looks like what the library answers."""
        vector = np.asarray(vector, dtype=np.float32).reshape(-1)
        return _nearest_mean(self.inside @ vector, self.neighbours) - _nearest_mean(
            self.outside @ vector, self.neighbours
        )


def _nearest_mean(similarities: np.ndarray, k: int) -> float:
    k = min(k, len(similarities))
    return float(np.partition(similarities, -k)[-k:].mean())
