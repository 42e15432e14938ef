"""The second ranking stage: re-score the top candidates more carefully.

No trained cross-encoder ships in any package these machines can install, so
the default stage uses what we have: the sentence inside each passage that
best matches the query (per-sentence vectors are computed at index time, so
this costs one matrix product), blended with the first-stage evidence. A
sentence-transformers CrossEncoder directory can be configured instead.
"""

from __future__ import annotations

import numpy as np


class SentenceReranker:
    def __init__(self, sentence_vectors: np.ndarray, sentence_owner: np.ndarray, n_passages: int):
        self.vectors = sentence_vectors
        self.owner = sentence_owner
        self.n_passages = n_passages

    def best_sentence_scores(self, query_vector: np.ndarray) -> np.ndarray:
        """Max cosine between the query and any sentence, per passage."""
        sims = self.vectors @ query_vector.reshape(-1)
        best = np.full(self.n_passages, -1.0, dtype=np.float32)
        np.maximum.at(best, self.owner, sims)
        return best


class CrossEncoderReranker:
    """Scores (query, passage) pairs with a sentence-transformers CrossEncoder."""

    def __init__(self, model_dir: str):
        from sentence_transformers import CrossEncoder

        self.model = CrossEncoder(model_dir, device="cpu", local_files_only=True)

    def scores(self, query: str, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros(0, dtype=np.float32)
        return np.asarray(self.model.predict([(query, t) for t in texts],
                                             show_progress_bar=False), dtype=np.float32)
