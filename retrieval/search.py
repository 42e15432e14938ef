"""Rank passages for a query. The service and the evaluation harness both call this.

The pipeline, one module per stage:

1. plan (querying.py): normalise, correct spelling, expand lay words, bridge
   words no passage has;
2. encode (encoder.py): the query's vector;
3. first stage (first_stage.py): dense and BM25 candidates, fused;
4. second stage (second_stage.py): the head re-scored by its best sentences;
5. distinct: no repeated text in one list;
6. abstention (abstention.py): is the best passage likely to answer at all?

Each stage is a switch in `Pipeline`, so the harness measures every
configuration with this same code.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from . import answer, first_stage, querying, second_stage
from .abstention import Abstention, read_calibration
from .answer import Answer
from .components import Components
from .encoder import QueryEncoder
from .index import Index
from .pipeline import Pipeline
from .querying import QueryPlan, plan

__all__ = ["Hit", "Pipeline", "SearchResult", "Searcher"]


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
    not_covered: list[str] = field(default_factory=list)  # other cancers the question names
    reason: str | None = None  # why not confident (abstention.Verdict.reason)
    answer: Answer | None = None  # the answer sentence, only when confident


class Searcher:
    """The loaded model and index parts, and the pipeline over them; one per process."""

    def __init__(
        self,
        index: Index,
        confidence_threshold: float | None = None,
        pipeline: Pipeline | None = None,
        cross_encoder_dir: str | None = None,
    ):
        self.index = index
        self.pipeline = pipeline or Pipeline()
        self.encoder = QueryEncoder(index.meta["model"]["name"], index.path)
        self.parts = Components.load(index, cross_encoder_dir)
        calibration = read_calibration(index.path)
        self.abstention = Abstention(self.parts, calibration, confidence_threshold)
        self.answer_model = calibration.get("answer", answer.DEFAULT_MODEL)
        # True: score, sort and scan every passage, as the candidate path must match (tests).
        self.exhaustive = False

    @property
    def model(self):
        return self.encoder.model

    def clear_cache(self) -> None:
        self.encoder.clear_cache()

    def embed_query(self, text: str):
        """LRU-cached: a repeated query skips the model."""
        return self.encoder.query(text)

    def plan(self, query: str, pipeline: Pipeline | None = None) -> QueryPlan:
        return plan(self.parts, self.encoder.words.vectors, query, pipeline or self.pipeline)

    def search(
        self,
        query: str,
        k: int = 10,
        sources: set[str] | None = None,
        pipeline: Pipeline | None = None,
    ) -> SearchResult:
        """Rank passages; `sources` (document ids) restricts the search to those documents."""
        started = time.perf_counter()
        p = pipeline or self.pipeline
        query_plan, vector = self._plan_and_embed(query, p)
        mask = self.parts.source_mask(sources) if sources else None
        stage = first_stage.run(self.parts, p, query_plan, vector, mask, self.exhaustive)
        ranking, rows, scores = self._distinct_top(p, query_plan, vector, stage, k)
        chosen = self._answer(p, query_plan, vector, rows, scores)
        if chosen is not None and chosen.row != rows[0]:
            # The passage holding the answer goes first; the scores keep their order.
            rows.insert(0, rows.pop(rows.index(chosen.row)))
        best_sentence = ranking.best_sentence
        if best_sentence is None and rows and vector is not None:
            best_sentence = second_stage.sentence_scores(
                self.parts, vector, stage, np.array(rows[:1]), self.exhaustive
            )
        verdict = self.abstention.judge(query_plan, vector, rows, best_sentence, stage.dense_max)
        return SearchResult(
            query=query,
            hits=[Hit(self.index.passages[i], s) for i, s in zip(rows, scores)],
            confident=verdict.confident,
            took_ms=(time.perf_counter() - started) * 1000,
            corrected_query=query_plan.corrected,
            details={"expansion": query_plan.expansion, "confidence": verdict.signals},
            not_covered=verdict.not_covered,
            reason=verdict.reason,
            answer=chosen.answer(self.parts) if chosen and verdict.confident else None,
        )

    def _plan_and_embed(self, query: str, p: Pipeline) -> tuple[QueryPlan, np.ndarray | None]:
        """The plan and the query's vector, the bridge's words embedded in the query's
        model call (one batch entry, not two calls one after the other)."""
        if not p.uses_model:
            return self.plan(query, p), None
        query_plan = querying.prepare(self.parts, query, p)
        unknown = query_plan.unknown
        bridge = self.parts.bridge
        words = bridge.unlisted(unknown) if unknown else []
        vector, fresh = self.encoder.query_and_words(query_plan.text, words)
        if unknown:
            vectors = bridge.word_vectors(unknown, lambda missing: fresh)
            querying.bridge(self.parts, query_plan, vectors, p)
        return query_plan, vector

    def _answer(self, p: Pipeline, query_plan: QueryPlan, vector, rows, scores):
        """The best answer candidate among the top passages (retrieval/answer.py)."""
        if vector is None or not p.answer_passages:
            return None
        head = slice(0, p.answer_passages)
        found = answer.candidates(
            self.parts, vector, query_plan.own_tokens, rows[head], scores[head]
        )
        return answer.best(found, self.answer_model)

    def _distinct_top(self, p: Pipeline, query_plan: QueryPlan, vector, stage, k: int):
        """The first k passages of the final ranking whose text no earlier one repeats.
        Ranks only as deep as k answers need; deeper only when duplicates ate the list."""
        depth = max(k, p.rerank_depth if p.rerank != "none" else 0) + 10
        normalized = self.parts.normalized
        while True:
            ranking = second_stage.rank(
                self.parts, p, query_plan, vector, stage, depth, self.exhaustive
            )
            rows, scores, seen = [], [], []
            exact = ranking.exact
            for i, score in zip(ranking.order[:exact].tolist(), ranking.scores[:exact].tolist()):
                if p.dedupe:
                    text = normalized[i]
                    if any(text in other or other in text for other in seen):
                        continue
                    seen.append(text)
                rows.append(i)
                scores.append(score)
                if len(rows) == k:
                    break
            if len(rows) == k or exact == len(ranking.order) < depth:
                return ranking, rows, scores
            depth *= 4
