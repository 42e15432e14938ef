"""python -m eval.errors: every first-rank miss of a result, with its cause, beside
what an earlier result did with the same question.

    python -m eval.errors AFTER.json [--before BEFORE.json] [--gold eval/blind.jsonl]

Causes, judged from the index alone (the passages' sections and text):
  neighbour     the first passage is in the answer's own section
  definition    the question asks what something is; the definition ranks lower
  meta          the first passage is front or back matter (about the summary)
  wrong section any other first passage
  abstention    answerable, but the service was not confident (counted apart)
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from core import settings


def cause(question, top: str | None, relevant: dict, passages: dict, parts) -> str:
    from retrieval import intents
    from retrieval.querying import defined_term_stems

    if top is None:
        return "no result"
    first = passages[top]
    where = {(passages[r]["doc_id"], tuple(passages[r]["section"])) for r in relevant}
    if (first["doc_id"], tuple(first["section"])) in where:
        return "neighbour"
    if defined_term_stems(question.question):
        return "definition"
    if intents.DOCUMENT in parts.section_intents[parts_row(parts, top)]:
        return "meta"
    return "wrong section"


def parts_row(parts, passage_id: str) -> int:
    return int((parts.passage_ids == passage_id).nonzero()[0][0])


def _judged(question, details: dict, relevant: dict, passages: dict, parts) -> str:
    top = details["top"][0] if details["top"] else None
    return "right" if top in relevant else cause(question, top, relevant, passages, parts)


def table(after: dict, before: dict | None, questions, qrels, searcher) -> str:
    passages = {p["id"]: p for p in searcher.index.passages}
    svc_after = after["configs"]["service"]["details"]
    svc_before = before["configs"]["service"]["details"] if before else {}
    lines = [
        "| id | question | cause | before |",
        "|---|---|---|---|",
    ]
    counts: dict[str, int] = {}
    for q in questions:
        if not q.answerable or q.id not in svc_after:
            continue
        rel = qrels[q.id]
        now = _judged(q, svc_after[q.id], rel, passages, searcher.parts)
        then = (
            _judged(q, svc_before[q.id], rel, passages, searcher.parts)
            if q.id in svc_before
            else "–"
        )
        if now == "right" and then in ("right", "–"):
            continue
        counts[now] = counts.get(now, 0) + 1
        text = q.question if len(q.question) <= 90 else q.question[:87] + "..."
        lines.append(f"| {q.id} | {text.replace('|', '/')} | {now} | {then} |")
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    return f"{summary}\n\n" + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from retrieval import Searcher, load_index

    from .__main__ import _sources
    from .gold import GOLD_FILE, judge, load_gold

    parser = argparse.ArgumentParser(prog="python -m eval.errors", description=__doc__)
    parser.add_argument("after", type=Path)
    parser.add_argument("--before", type=Path)
    parser.add_argument("--gold", type=Path, default=GOLD_FILE)
    parser.add_argument("--index", type=Path, default=settings.INDEX_DIR)
    args = parser.parse_args(argv)
    after = json.loads(args.after.read_text(encoding="utf-8"))
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else None
    searcher = Searcher(load_index(args.index))
    questions = load_gold(args.gold, split=after["split"])
    qrels = judge(questions, searcher.index.passages, _sources(settings.CORPUS_DIR))
    print(table(after, before, questions, qrels, searcher), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
