"""Second stage: the first stage's head re-scored by its best-matching sentences.

A passage's sentence score is that of its best sentence or best pair of
adjacent sentences; the final score blends it with the first-stage and BM25
scores, and a question asking what a term means prefers passages defining it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from core import settings

from . import candidates, fusion, intents
from .components import Components
from .first_stage import FirstStage
from .pipeline import Pipeline
from .querying import QueryPlan, defined_term_stems


@dataclass
class Ranking:
    order: np.ndarray  # passage rows, best first
    scores: np.ndarray
    exact: int  # how many of them are surely in the order the full computation gives
    best_sentence: object | None  # sentence score per passage (array or PassageScores)


def sentence_scores(
    parts: Components, vector, stage: FirstStage, ranked: np.ndarray, exhaustive: bool = False
):
    """Best-sentence scores of the passages in play: every passage while the
    corpus is small, else the dense top and the ranked head."""
    if exhaustive or len(parts.index.passages) <= settings.SCORE_ALL_MAX_PASSAGES:
        return parts.sentences.best_sentence_scores(vector)
    ids = ranked if stage.dense_ids is None else np.union1d(stage.dense_ids, ranked)
    return candidates.PassageScores(ids, parts.sentences.best_sentence_scores(vector, ids))


def rank(
    parts: Components,
    p: Pipeline,
    plan: QueryPlan,
    vector,
    stage: FirstStage,
    depth: int,
    exhaustive: bool = False,
) -> Ranking:
    """The best `depth` passages in final order."""
    order, first, exhausted = stage.candidates.top(depth)
    if p.rerank == "none" or not len(order):
        return Ranking(order, first, len(order), None)
    best_sentence = sentence_scores(parts, vector, stage, order, exhaustive)
    final = _rescore(
        parts, p, plan, order, candidates.PassageScores(order, first), stage.lexical, best_sentence
    )
    if p.definition_boost:
        _boost_definitions(parts, plan, order[: p.rerank_depth], final, p.definition_boost)
    if p.intent_boost or p.meta_penalty:
        _by_intent(parts, plan, order[: p.rerank_depth], final, p.intent_boost, p.meta_penalty)
    by_final = np.lexsort((order, -final))
    order, final = order[by_final], final[by_final]
    # Passages beyond `depth` would score -1 - (their place) <= -1 - depth.
    exact = len(order) if exhausted else int(np.count_nonzero(final > -1.0 - depth))
    return Ranking(order, final, exact, best_sentence)


def _rescore(
    parts: Components, p: Pipeline, plan: QueryPlan, order, first, lexical, best_sentence
) -> np.ndarray:
    """Final scores of `order` (the first stage's best, best first): its head re-scored."""
    top = order[: p.rerank_depth]
    # Candidates below the re-ranked head keep their order, beneath it.
    final = -1.0 - np.arange(len(order), dtype=np.float32)
    head = slice(0, len(top))
    if p.rerank == "cross-encoder" and parts.cross_encoder is not None:
        texts = [parts.index.passages[i]["text"] for i in top]
        final[head] = parts.cross_encoder.scores(plan.text, texts)
        return final
    w_first, w_sentence, w_lexical = p.rerank_weights
    head_first = fusion.minmax(first[top])
    head_lexical = fusion.minmax(lexical[top]) if lexical is not None else 0.0
    final[head] = w_first * head_first + w_sentence * best_sentence[top] + w_lexical * head_lexical
    return final


def _by_intent(
    parts: Components, plan: QueryPlan, head, final: np.ndarray, boost: float, penalty: float
) -> None:
    """Lift passages whose headings are about what the question asks; lower front
    and back matter unless the question is about the document itself."""
    about_document = intents.DOCUMENT in plan.intents
    for j, i in enumerate(head.tolist()):
        section = parts.section_intents[i]
        if plan.intents & section - {intents.DOCUMENT}:
            final[j] += boost
        if intents.DOCUMENT in section and not about_document:
            final[j] -= penalty


def _boost_definitions(
    parts: Components, plan: QueryPlan, head, final: np.ndarray, boost: float
) -> None:
    """A question asking what a term means prefers the passages that define it.
    `final[j]` is the score of passage `head[j]`."""
    # Only the question's words some passage defines can be what it asks the
    # meaning of; the rarer of them ("relapsed" beside "myeloma") weigh more.
    terms = {t: parts.lexical.idf(t) for t in defined_term_stems(plan.text) if t in parts.defined}
    if terms:
        total = sum(terms.values())
        for j, i in enumerate(head.tolist()):
            final[j] += boost * sum(w for t, w in terms.items() if t in parts.defines[i]) / total
