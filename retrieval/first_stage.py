"""First stage: dense and BM25 candidates, fused into one ranking.

While the corpus is small every passage is scored exactly; above
SCORE_ALL_MAX_PASSAGES only the dense top and the BM25 scores are blended
(retrieval/candidates.py), so a request's work does not grow with the corpus.
Both come from the configured backend (retrieval/backend.py: FAISS and bm25s
in this process, or Milvus); what follows them is the same code for both.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import candidates, fusion
from .components import Components
from .pipeline import Pipeline
from .querying import QueryPlan


@dataclass
class FirstStage:
    candidates: candidates.Candidates
    lexical: np.ndarray | None  # BM25 score of every passage (bm25s computes them all)
    dense_ids: np.ndarray | None  # the dense top, when it is not every passage
    dense_max: float | None


def _full_dense(n: int, ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    dense = np.full(n, -1.0, dtype=np.float32)
    dense[ids] = values
    return dense


def run(
    parts: Components, p: Pipeline, plan: QueryPlan, vector, mask, exhaustive: bool = False
) -> FirstStage:
    """Candidates; scores every passage only where the full arrays are needed
    (`exhaustive` forces that, as the reference the fast path must match)."""
    n = len(parts.index.passages)
    backend = parts.backend  # faiss in this process, or Milvus (retrieval/backend.py)
    sources = parts.mask_sources(mask) if mask is not None else None
    dense_ids = dense_values = None
    if p.dense:
        dense_ids, dense_values = backend.dense_top(vector, p.candidates, mask, sources)
    lexical = (
        backend.lexical_scores(plan.tokens, p.candidates, sources, dense_ids) if p.lexical else None
    )
    allowed = mask
    if p.lexical and not p.dense:
        allowed = (
            lexical > 0 if mask is None else mask & (lexical > 0)
        )  # BM25 alone: shared words only
    partial = dense_ids is not None and len(dense_ids) < n
    top_ids = dense_ids if partial else None
    if (
        partial
        and not exhaustive
        and not p.sentence_ranking
        and (lexical is None or p.fusion == "blend")
    ):
        dense_max = max(float(dense_values.max()), -1.0) if len(dense_values) else -1.0
        if lexical is None:  # dense alone: every passage outside its top scores -1
            keep = slice(None) if allowed is None else allowed[dense_ids]
            stage = candidates.Candidates(
                dense_ids[keep],
                dense_values[keep].astype(np.float32),
                -1.0,
                lambda: candidates.Candidates.complete(
                    _full_dense(n, dense_ids, dense_values), allowed
                ),
            )
        else:
            stage = candidates.blend(dense_ids, dense_values, lexical, p.blend_alpha, allowed)
        return FirstStage(stage, lexical, top_ids, dense_max)

    # The full computation: small corpora, RRF, sentence ranking, or the reference.
    dense = _full_dense(n, dense_ids, dense_values) if p.dense else None
    if dense is not None and p.sentence_ranking:
        # A passage is as close as its closest sentence, or the passage as a whole.
        dense = np.maximum(dense, parts.sentences.best_sentence_scores(vector))
    if dense is not None and lexical is not None:
        if p.fusion == "blend":
            first = fusion.blend(dense, lexical, p.blend_alpha)
        else:
            first = fusion.rrf([dense, lexical], k=p.rrf_k)
    else:
        first = dense if dense is not None else lexical
    first = first.astype(np.float32)
    return FirstStage(
        candidates.Candidates.complete(first, allowed),
        lexical,
        top_ids,
        float(dense.max()) if dense is not None else None,
    )
