"""Abstention: is the best passage likely to answer the question at all?

Signals of the query and the ranking are mixed by a logistic fit recorded
with the index build (calibration.json, from `python -m eval calibrate`);
the service is confident when the mix reaches the calibrated threshold.
Two kinds of question are never confident, however close their words come to
a passage: one naming only cancers the library mentions in passing (about
another disease), and one asking for a decision about the asker's own care.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core import index_files, settings

from . import answer_types, decisions
from .components import Components
from .querying import QueryPlan


@dataclass
class Verdict:
    confident: bool
    signals: dict = field(default_factory=dict)
    not_covered: list[str] = field(default_factory=list)  # other cancers the question names
    # Why not confident: "care_team" (a decision about one's own care), "not_covered"
    # (another disease), "no_clear_answer" (nothing clearly answers); None when confident.
    reason: str | None = None


def read_calibration(index_path: Path) -> dict:
    path = index_path / index_files.CALIBRATION
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


class Abstention:
    def __init__(self, parts: Components, calibration: dict, threshold: float | None = None):
        self.parts = parts
        self.calibration = calibration
        self.threshold = (
            calibration.get("threshold", settings.CONFIDENCE_THRESHOLD)
            if threshold is None
            else threshold
        )

    def signals(self, plan: QueryPlan, vector, top, best_sentence, dense_max) -> dict:
        """Signals of whether the best passage answers at all, for calibration.

        A similarity means more for a short query than for a long one, and
        more when the best sentence stands out from the next passages' than
        when the whole topic is merely near: hence query_length and
        sentence_lead beside it. Above SCORE_ALL_MAX_PASSAGES, max_sentence and
        sentence_lead are over the dense top and the ranked head rather than
        over every passage."""
        if top is None or vector is None:
            return {}
        parts = self.parts
        top_dense = float(parts.index.dense.reconstruct(top) @ vector.reshape(-1))
        scored = np.asarray(getattr(best_sentence, "values", best_sentence), dtype=np.float64)
        best10 = np.sort(scored)[::-1][:10]
        features = {
            "top_sentence": float(best_sentence[top]),
            "top_dense": top_dense,
            "max_sentence": float(best10[0]),
            "max_dense": dense_max if dense_max is not None else top_dense,
            "query_length": float(np.log1p(plan.content_words)),
            "foreign": (
                parts.bridge.foreignness(
                    plan.unknown,
                    plan.unknown_vectors,
                    vector,
                    plan.content_words,
                    plan.unknown_similarities,
                )
                if plan.unknown
                else 0.0
            ),
            "sentence_lead": float(best10[0] - best10[1:].mean()) if len(best10) > 1 else 0.0,
        }
        if parts.scope is not None:  # what labelled questions like this one were
            features["scope_vote"] = parts.scope.vote(vector)
        return features

    def judge(self, plan: QueryPlan, vector, rows: list[int], best_sentence, dense_max) -> Verdict:
        """`rows` are the returned passages, best first."""
        parts = self.parts
        top = rows[0] if rows else None
        signals = self.signals(plan, vector, top, best_sentence, dense_max)
        others: list[str] = []
        if rows:
            others = parts.cancer_names.other_cancers(plan.text, parts.subject_cancers)
            head = [parts.index.passages[i]["text"] for i in rows[:3]]
            signals["coverage"] = parts.lexical.coverage(plan.own_tokens, rows[:3])
            signals["answer_type_missing"] = float(
                answer_types.missing(parts.answer_types, plan.text, head)
            )
            signals["other_cancer"] = float(bool(others))
        if "weights" in self.calibration and signals:
            signals["combined"] = self.calibration["bias"] + sum(
                w * signals.get(f, 0.0) for f, w in self.calibration["weights"].items()
            )
        not_covered = others if settings.OTHER_CANCER_ABSTAINS else []
        decision = decisions.asks_decision(parts.decision_forms, plan.text)
        score = signals.get(self.calibration.get("feature", "top_sentence"), -1.0)
        if decision:
            reason = "care_team"
        elif not_covered:
            reason = "not_covered"
        elif not rows or score < self.threshold:
            reason = "no_clear_answer"
        else:
            reason = None
        return Verdict(reason is None, signals, not_covered, reason)
