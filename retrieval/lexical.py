"""BM25 scores for a query, from the index the indexer built with bm25s."""

from __future__ import annotations

import bisect
from pathlib import Path

import bm25s
import numpy as np


class LexicalScorer:
    def __init__(self, bm25_dir: Path, n_passages: int):
        self.retriever = bm25s.BM25.load(str(bm25_dir), load_corpus=False)
        self.n_passages = n_passages
        vocab = self.retriever.vocab_dict
        indptr = self.retriever.scores["indptr"]
        # Share of passages each token occurs in, to judge how telling a word is.
        self.document_frequency = {
            token: float(indptr[i + 1] - indptr[i]) / max(n_passages, 1)
            for token, i in vocab.items()
            if token
        }
        # bm25s lists each token's passages in order; then membership is a bisection.
        indices = self.retriever.scores["indices"]
        steps = np.diff(indices)
        starts = indptr[1:-1]  # where a token's list begins, the step from the last may fall
        steps[starts[(starts > 0) & (starts < len(indices))] - 1] = 1
        self._sorted = bool((steps > 0).all())

    def idf(self, token: str) -> float:
        """BM25's idf; a word the corpus never uses is as specific as words get."""
        df = self.document_frequency.get(token, 0.0) * self.n_passages
        return float(np.log(1 + (self.n_passages - df + 0.5) / (df + 0.5)))

    def passages_with(self, token: str) -> np.ndarray:
        """Indices of the passages that contain `token` (stemmed)."""
        i = self.retriever.vocab_dict.get(token)
        if i is None or not token:
            return np.zeros(0, dtype=np.int64)
        indptr, indices = self.retriever.scores["indptr"], self.retriever.scores["indices"]
        return indices[indptr[i] : indptr[i + 1]]

    def coverage(self, tokens: list[str], passages: list[int]) -> float:
        """Share of the query's idf mass that the given passages contain."""
        unique = list(dict.fromkeys(tokens))
        if not unique:
            return 0.0
        weights = np.array([self.idf(t) for t in unique])
        found = np.array([self._contains_any(self.passages_with(t), passages) for t in unique])
        return float((weights * found).sum() / weights.sum())

    def _contains_any(self, postings: np.ndarray, passages: list[int]) -> bool:
        if not self._sorted:
            return bool(np.isin(passages, postings).any())
        for p in passages:  # a few passages: bisection beats np.isin's set-up fivefold
            i = bisect.bisect_left(postings, p)
            if i < len(postings) and postings[i] == p:
                return True
        return False

    def scores(self, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(self.n_passages, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)
