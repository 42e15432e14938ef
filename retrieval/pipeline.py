"""Which stages a search runs, and their parameters: one switch per stage.

The defaults are what the service runs (core/settings.py); the evaluation
measures other combinations with the same code (eval/configs.py).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from core import settings


@dataclass(frozen=True)
class Pipeline:
    lexical: bool = True
    dense: bool = True
    spelling: bool = settings.SPELLING_CORRECTION
    expansion: bool = settings.QUERY_EXPANSION
    bridge: bool = settings.VOCABULARY_BRIDGE
    fusion: str = settings.FUSION
    rrf_k: int = settings.RRF_K
    blend_alpha: float = settings.BLEND_ALPHA
    candidates: int = settings.CANDIDATES
    # Also rank passages by their best-matching sentence in the first stage.
    sentence_ranking: bool = settings.SENTENCE_RANKING
    rerank: str = settings.RERANK
    rerank_depth: int = settings.RERANK_DEPTH
    # Second-stage blend: first-stage score, best sentence, BM25 (each in 0..1).
    rerank_weights: tuple[float, float, float] = settings.RERANK_WEIGHTS
    # Second stage: added to passages that define the term a question asks about.
    definition_boost: float = settings.DEFINITION_BOOST
    # Second stage: passages whose headings are about what the question asks ...
    intent_boost: float = settings.INTENT_BOOST
    # ... and front or back matter, when the question is not about the document.
    meta_penalty: float = settings.META_PENALTY
    dedupe: bool = True
    # Top passages searched for the answer sentence; its passage is shown first (0: off).
    answer_passages: int = settings.ANSWER_PASSAGES

    def replace(self, **changes) -> "Pipeline":
        return dataclasses.replace(self, **changes)

    @property
    def uses_model(self) -> bool:
        """Whether the query is embedded at all."""
        return self.dense or self.rerank != "none"
