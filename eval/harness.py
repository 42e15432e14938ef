"""Run every configuration over the gold set and score it with ranx."""

from __future__ import annotations

import statistics
import time
import warnings

from ranx import Qrels, Run, evaluate

from .configs import CONFIGS
from .gold import ALL_STYLES, GoldQuestion, judge, quote_spans

METRICS = ["hit_rate@1", "hit_rate@5", "mrr@10", "ndcg@10", "recall@10"]
LABELS = {
    "hit_rate@1": "Hit@1",
    "hit_rate@5": "Hit@5",
    "mrr@10": "MRR@10",
    "ndcg@10": "nDCG@10",
    "recall@10": "Recall@10",
}
DEPTH = 10


def _scores(qrels: dict, run: dict, ids: list[str]) -> dict[str, float]:
    sub_qrels = {q: qrels[q] for q in ids}
    sub_run = {q: run[q] for q in ids}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = evaluate(Qrels(sub_qrels), Run(sub_run), METRICS)
    return {m: round(float(values[m]), 4) for m in METRICS}


def _per_question(qrels: dict, run: dict, ids: list[str]) -> dict[str, dict[str, float]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        values = evaluate(
            Qrels({q: qrels[q] for q in ids}),
            Run({q: run[q] for q in ids}),
            METRICS,
            return_mean=False,
        )
    ordered = sorted(ids)  # ranx reports queries in sorted order
    return {q: {m: float(values[m][n]) for m in METRICS} for n, q in enumerate(ordered)}


def abstention(confident: dict[str, bool], questions: list[GoldQuestion]) -> dict:
    """How well `confident: false` separates out-of-scope from answerable questions."""
    flagged = {q.id for q in questions if not confident[q.id]}
    oos = {q.id for q in questions if not q.answerable}
    answerable = {q.id for q in questions if q.answerable}
    return {
        "precision": round(len(flagged & oos) / len(flagged), 4) if flagged else None,
        "recall": round(len(flagged & oos) / len(oos), 4) if oos else None,
        "answerable_flagged": round(len(flagged & answerable) / len(answerable), 4)
        if answerable
        else None,
    }


def abstention_by_kind(confident: dict[str, bool], questions: list[GoldQuestion]) -> dict:
    """Share of out-of-scope questions flagged, per kind (decision, passing, outside)."""
    kinds: dict[str, list[bool]] = {}
    for q in questions:
        if not q.answerable:
            kinds.setdefault(q.kind, []).append(not confident[q.id])
    return {kind: round(sum(f) / len(f), 4) for kind, f in sorted(kinds.items())}


def answer_right(answer: dict | None, question: GoldQuestion, sources: dict[str, str]) -> bool:
    """Right when an evidence quote covers at least half of the answer, or the answer
    covers at least half of a quote."""
    if answer is None:
        return False
    start, end = answer["start"], answer["end"]
    for file, quote in question.evidence:
        if file != answer["file"]:
            continue
        for q_start, q_end in quote_spans(sources[file], quote):
            overlap = min(end, q_end) - max(start, q_start)
            if overlap >= 0.5 * (end - start) or overlap >= 0.5 * (q_end - q_start):
                return True
    return False


def answers(details: dict, questions: list[GoldQuestion], sources: dict[str, str]) -> dict:
    """Answer-sentence accuracy over the confident answerable questions."""
    scored = [
        answer_right(details[q.id]["answer"], q, sources)
        for q in questions
        if q.answerable and details[q.id]["answer"] is not None
    ]
    return {
        "answered": len(scored),
        "right": round(sum(scored) / len(scored), 4) if scored else None,
    }


def run_config(searcher, pipeline, questions: list[GoldQuestion]) -> tuple[dict, dict, dict, list]:
    run, confident, details, times = {}, {}, {}, []
    searcher.search("warm-up question", DEPTH, pipeline=pipeline)  # not timed: first-call costs
    searcher.clear_cache()  # each configuration is timed from a cold query cache
    for q in questions:
        started = time.perf_counter()
        result = searcher.search(q.question, DEPTH, pipeline=pipeline)
        times.append((time.perf_counter() - started) * 1000)
        ranked = {h.passage["id"]: float(len(result.hits) - n) for n, h in enumerate(result.hits)}
        run[q.id] = ranked or {"(none)": 0.0}
        confident[q.id] = result.confident
        details[q.id] = {
            "top": [h.passage["id"] for h in result.hits[:3]],
            "corrected": result.corrected_query,
            "confidence": result.details.get("confidence", {}),
            "reason": result.reason,
            "answer": _answer(result),
        }
    return run, confident, details, times


def _answer(result) -> dict | None:
    if result.answer is None:
        return None
    file = next(h.passage for h in result.hits if h.passage["id"] == result.answer.passage_id)[
        "source_file"
    ]
    return {"start": result.answer.start, "end": result.answer.end, "file": file}


def run_configs(
    searcher, questions: list[GoldQuestion], sources: dict[str, str], configs: dict | None = None
) -> dict:
    configs = configs or CONFIGS
    qrels = judge(questions, searcher.index.passages, sources)
    answerable = [q for q in questions if q.answerable]
    ids = [q.id for q in answerable]
    results = {
        "questions": len(questions),
        "answerable": len(answerable),
        "out_of_scope": len(questions) - len(answerable),
        "configs": {},
    }
    for name, pipeline in configs.items():
        run, confident, details, times = run_config(searcher, pipeline, questions)
        by_style = {
            style: _scores(qrels, run, [q.id for q in answerable if q.style == style])
            for style in ALL_STYLES
            if any(q.style == style for q in answerable)
        }
        results["configs"][name] = {
            "pipeline": {k: v for k, v in vars(pipeline).items()},
            "overall": _scores(qrels, run, ids),
            "by_style": by_style,
            "abstention": {
                **abstention(confident, questions),
                "by_kind": abstention_by_kind(confident, questions),
            },
            "answers": answers(details, questions, sources),
            "mean_query_ms": round(statistics.fmean(times), 2),
            "per_question": _per_question(qrels, run, ids),
            "details": details,
        }
    return results
