"""BM25 scores for a query, from the index the indexer built with bm25s."""

from __future__ import annotations

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
            for token, i in vocab.items() if token
        }

    def scores(self, tokens: list[str]) -> np.ndarray:
        known = [t for t in tokens if t in self.retriever.vocab_dict]
        if not known:
            return np.zeros(self.n_passages, dtype=np.float32)
        return np.asarray(self.retriever.get_scores(known), dtype=np.float32)
