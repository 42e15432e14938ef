"""Choose the abstention threshold from the gold sets, and record it with the index.

Fitted on the dev splits of every question set (ours and the two written blind
in other people's words), so the mix does not learn one way of asking.

For each confidence signal the searcher reports, find the threshold that flags
the most out-of-scope questions while flagging at most 3% of answerable ones;
keep the signal that separates best. The result is written as
calibration.json inside the index build the searcher loaded.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from core import index_files, settings

from .gold import GoldQuestion
from .harness import DEPTH

MAX_ANSWERABLE_FLAGGED = 0.03


def _best_cut(values: list[tuple[float, bool]], cap: float) -> dict:
    """The threshold flagging the most out-of-scope questions while at most `cap`
    of the answerable ones are flagged; centred in its gap, for a margin."""
    scores = sorted({v for v, _ in values})
    cuts = (
        [scores[0] - 0.05] + [(a + b) / 2 for a, b in zip(scores, scores[1:])] + [scores[-1] + 0.05]
    )
    oos = [v for v, ok in values if not ok]
    answerable = [v for v, ok in values if ok]
    best, best_key = None, None
    for cut in cuts:
        flagged = sum(v < cut for v in answerable) / len(answerable)
        if flagged > cap:
            break  # higher cuts only flag more
        recall = sum(v < cut for v in oos) / len(oos)
        key = (recall, -flagged)
        if best_key is None or key > best_key:
            best, best_key = [cut], key
        elif key == best_key:
            best.append(cut)
    threshold = (best[0] + best[-1]) / 2
    return {
        "threshold": round(threshold, 4),
        "oos_recall": round(sum(v < threshold for v in oos) / len(oos), 4),
        "answerable_flagged": round(sum(v < threshold for v in answerable) / len(answerable), 4),
    }


def fit_logistic(
    rows: list[dict], labels: list[bool], features: list[str], l2: float = 1.0
) -> tuple[dict, float]:
    """A small L2-regularised logistic regression: which mix of signals says "answerable"."""
    import numpy as np
    from scipy.optimize import minimize

    x = np.array([[row[f] for f in features] for row in rows], dtype=float)
    y = np.array(labels, dtype=float)
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std

    def loss(w):
        logits = z @ w[:-1] + w[-1]
        return np.mean(np.logaddexp(0, logits) - y * logits) + l2 * np.sum(w[:-1] ** 2) / len(y)

    w = minimize(loss, np.zeros(len(features) + 1), method="L-BFGS-B").x
    # Fold the standardisation into the weights, so the searcher needs none.
    weights = {f: float(w[i] / std[i]) for i, f in enumerate(features)}
    bias = float(w[-1] - sum(w[i] * mean[i] / std[i] for i in range(len(features))))
    return weights, bias


def calibrate(
    searcher,
    questions: list[GoldQuestion],
    cap: float = MAX_ANSWERABLE_FLAGGED,
    mix: tuple[str, ...] | None = None,
) -> dict:
    """`mix`: the signals the logistic combination may use (settings.CONFIDENCE_FEATURES)."""
    mix = settings.CONFIDENCE_FEATURES if mix is None else mix
    signals: dict[str, list[tuple[float, bool]]] = {}
    rows, labels = [], []
    for q in questions:
        result = searcher.search(q.question, DEPTH)
        if getattr(result, "reason", None) == "care_team":
            continue  # decided by its form (retrieval/decisions.py), whatever the signals say
        confidence = result.details.get("confidence", {})
        for name, value in confidence.items():
            signals.setdefault(name, []).append((value, q.answerable))
        if confidence:
            rows.append(confidence)
            labels.append(q.answerable)
    features = sorted(k for k in signals if k in mix and all(k in r for r in rows))
    combined = None
    if len(features) > 1 and any(labels) and not all(labels):
        weights, bias = fit_logistic(rows, labels, features)
        combined = {"weights": weights, "bias": bias}
        signals["combined"] = [
            (bias + sum(w * row[f] for f, w in weights.items()), ok)
            for row, ok in zip(rows, labels)
        ]
    best = None
    for name, values in signals.items():
        if all(ok for _, ok in values) or not any(ok for _, ok in values):
            continue
        candidate = {"feature": name, **_best_cut(values, cap)}
        if best is None or (candidate["oos_recall"], -candidate["answerable_flagged"]) > (
            best["oos_recall"],
            -best["answerable_flagged"],
        ):
            best = candidate
    if best is None:
        raise ValueError("calibration needs answerable and out-of-scope questions")
    if best["feature"] == "combined":
        best.update(combined)
    best["questions"] = len(questions)
    best["max_answerable_flagged"] = cap
    return best


def record(index_path: Path, calibration: dict) -> Path:
    """Atomically write calibration.json into the index build."""
    path = Path(index_path) / index_files.CALIBRATION
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path


def answer_rows(searcher, questions: list, sources: dict[str, str]) -> list[tuple[dict, bool, str]]:
    """Every answer candidate of every answerable question, with its features, whether
    it is right (eval.harness.answer_right) and its question's id: the scorer's data."""
    from retrieval import answer

    from .harness import answer_right

    before = searcher.pipeline.replace(answer_passages=0)
    depth = searcher.pipeline.answer_passages
    where = {pid: n for n, pid in enumerate(searcher.parts.passage_ids)}
    out = []
    for q in questions:
        if not q.answerable:
            continue
        result = searcher.search(q.question, depth, pipeline=before)
        plan = searcher.plan(q.question)
        vector = searcher.embed_query(plan.text)
        rows = [where[h.passage["id"]] for h in result.hits]
        found = answer.candidates(
            searcher.parts, vector, plan.own_tokens, rows, [h.score for h in result.hits]
        )
        for c in found:
            a = c.answer(searcher.parts)
            file = searcher.index.passages[c.row]["source_file"]
            right = answer_right({"start": a.start, "end": a.end, "file": file}, q, sources)
            out.append((c.features, right, q.id))
    return out


def fit_answer_model(rows: list[tuple[dict, bool, str]], l2: float = 1.0) -> dict:
    """Weights of the answer scorer (retrieval/answer.py): a conditional logit over
    each question's candidates, fitted to put its right candidates on top."""
    import numpy as np
    from scipy.optimize import minimize
    from scipy.special import logsumexp

    from retrieval.answer import FEATURES

    by_question: dict[str, list[int]] = {}
    for n, (_, _, qid) in enumerate(rows):
        by_question.setdefault(qid, []).append(n)
    groups = [g for g in by_question.values() if any(rows[n][1] for n in g)]
    x = np.array([[f.get(name, 0.0) for name in FEATURES] for f, _, _ in rows])
    mean, std = x.mean(axis=0), x.std(axis=0) + 1e-9
    z = (x - mean) / std
    right = np.array([ok for _, ok, _ in rows])

    def loss(w):
        s = z @ w
        total = sum(logsumexp(s[g]) - logsumexp(s[g][right[g]]) for g in groups)
        return total / len(groups) + l2 * np.sum(w**2) / len(groups)

    w = minimize(loss, np.zeros(len(FEATURES)), method="L-BFGS-B").x
    return {
        "weights": {f: float(w[i] / std[i]) for i, f in enumerate(FEATURES)},
        "bias": float(-sum(w[i] * mean[i] / std[i] for i in range(len(FEATURES)))),
    }
