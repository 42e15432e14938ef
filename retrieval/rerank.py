"""The second ranking stage: re-score the top candidates more carefully.

No trained cross-encoder ships in any package these machines can install, so
the default stage uses what we have: the sentence inside each passage that
best matches the query (per-sentence vectors are computed at index time, so
this costs one matrix product), blended with the first-stage evidence. A
sentence-transformers CrossEncoder directory can be configured instead.
"""

from __future__ import annotations

from functools import cached_property

import numpy as np


class SentenceReranker:
    def __init__(
        self,
        sentence_vectors: np.ndarray,
        sentence_owner: np.ndarray,
        n_passages: int,
        pair_norms: np.ndarray | None = None,
    ):
        self.vectors = sentence_vectors
        self.owner = sentence_owner
        self.n_passages = n_passages
        # |v_i + v_(i+1)| for adjacent sentences of one passage, 0 elsewhere
        # (indexer.embed.sentence_pair_norms); None: single sentences only.
        self.pair_norms = pair_norms
        # Each passage's sentences as one run of rows (the indexer writes them in
        # passage order; sorted here if not), so that scoring a few passages
        # reads only their rows.
        self._rows = None
        if len(sentence_owner) and np.any(np.diff(sentence_owner) < 0):
            self._rows = np.argsort(sentence_owner, kind="stable")
        by_passage = sentence_owner if self._rows is None else sentence_owner[self._rows]
        self._offsets = np.searchsorted(by_passage, np.arange(n_passages + 1))
        if self._rows is not None:
            self.pair_norms = None  # pairs are defined in passage order only

    def best_sentence_scores(
        self, query_vector: np.ndarray, passages: np.ndarray | None = None
    ) -> np.ndarray:
        """Max cosine between the query and any sentence, per passage (-1 without
        sentences); of every passage, or only of `passages`, in their order."""
        if passages is None:
            sims = self.vectors @ query_vector.reshape(-1)
            best = np.full(self.n_passages, -1.0, dtype=np.float32)
            np.maximum.at(best, self.owner, sims)
            if self.pair_norms is not None:
                rows = self._pair_rows
                np.maximum.at(best, self.owner[rows], self._pair_scores(sims, rows, rows))
            return best
        passages = np.asarray(passages, dtype=np.int64)
        starts = self._offsets[passages]
        lengths = self._offsets[passages + 1] - starts
        firsts = np.cumsum(lengths) - lengths  # where each passage's rows begin in `rows`
        rows = np.repeat(starts - firsts, lengths) + np.arange(int(lengths.sum()))
        if self._rows is not None:
            rows = self._rows[rows]
        best = np.full(len(passages), -1.0, dtype=np.float32)
        if len(rows):
            sims = self.vectors[rows] @ query_vector.reshape(-1)
            has = lengths > 0
            best[has] = np.maximum(np.maximum.reduceat(sims, firsts[has]), best[has])
            if self.pair_norms is not None:
                # Position j pairs with j + 1 where both rows are one passage's neighbours.
                j = np.flatnonzero((self.pair_norms[rows[:-1]] > 0) & (np.diff(rows) == 1))
                local = np.repeat(np.arange(len(passages)), lengths)
                np.maximum.at(best, local[j], self._pair_scores(sims, j, rows[j]))
        return best

    def rows_of(self, passage: int) -> np.ndarray:
        """The sentence rows of one passage, in text order."""
        rows = np.arange(self._offsets[passage], self._offsets[passage + 1])
        return rows if self._rows is None else self._rows[rows]

    def sentence_and_pair_scores(self, query_vector: np.ndarray, rows: np.ndarray):
        """Cosines of the query with each sentence of `rows` (one passage's, in order)
        and with each adjacent pair's mean (the pair of j and j + 1; -1 where none)."""
        sims = self.vectors[rows] @ query_vector.reshape(-1)
        pairs = np.full(max(len(rows) - 1, 0), -1.0, dtype=np.float32)
        if self.pair_norms is not None and len(rows) > 1:
            j = np.flatnonzero(self.pair_norms[rows[:-1]] > 0)
            pairs[j] = self._pair_scores(sims, j, rows[j])
        return sims.astype(np.float32), pairs

    @cached_property
    def _pair_rows(self) -> np.ndarray:
        """Sentences that open a pair: found once, on the first full scoring
        (the candidate path never reads the whole array)."""
        return np.flatnonzero(self.pair_norms > 0)

    def _pair_scores(self, sims: np.ndarray, at: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Cosine of the query with the mean of sentences `rows` and `rows + 1`,
        whose cosines are sims[at] and sims[at + 1]: an answer may take two sentences."""
        return ((sims[at] + sims[at + 1]) / self.pair_norms[rows]).astype(np.float32)


class CrossEncoderReranker:
    """Scores (query, passage) pairs with a sentence-transformers CrossEncoder."""

    def __init__(self, model_dir: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(model_dir, device="cpu", local_files_only=True)

    def scores(self, query: str, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(
            self.model.predict([(query, t) for t in texts], show_progress_bar=False),
            dtype=np.float32,
        )
