"""The gold question set, and which passages answer each question.

Relevance is judged by evidence, not by passage id: a passage is relevant when
it contains most of one of the question's evidence quotes. So the gold set
stays valid whatever the chunking.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

GOLD_FILE = Path(__file__).parent / "gold.jsonl"
# Written blind from the corpus alone, outside the project: the check on unseen wording.
# Two batches by two writers; the second was first scored before any change it saw.
BLIND_FILE = Path(__file__).parent / "blind.jsonl"
BLIND2_FILE = Path(__file__).parent / "blind2.jsonl"
BLIND_FILES = (BLIND_FILE, BLIND2_FILE)
STYLES = ("patient", "staff", "paraphrase", "keyword")
BLIND_STYLES = ("consumer", "drug", "message")
ALL_STYLES = STYLES + BLIND_STYLES
MIN_OVERLAP = 0.5  # share of a quote a passage must contain to count as relevant


@dataclass(frozen=True)
class GoldQuestion:
    id: str
    question: str
    style: str
    answerable: bool
    evidence: tuple[tuple[str, str], ...]  # (file, quote)
    section: str | None
    split: str
    # answerable, or why not: decision (personal care), passing (named only), outside
    kind: str = "answerable"


def load_gold(path: Path = GOLD_FILE, split: str = "all") -> list[GoldQuestion]:
    questions = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            q = GoldQuestion(
                id=row["id"],
                question=row["question"],
                style=row["style"],
                answerable=bool(row["answerable"]),
                evidence=tuple((e["file"], e["quote"]) for e in row.get("evidence", [])),
                section=row.get("section"),
                split=row.get("split", "dev"),
                kind=row.get("kind", "answerable" if row["answerable"] else "outside"),
            )
            if split == "all" or q.split == split:
                questions.append(q)
    return questions


def load_examples(path: Path) -> list[GoldQuestion]:
    """The answerable scope examples (corpus/scope_examples.jsonl) as questions with
    evidence: training data for the answer scorer, never scored as gold."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            row = json.loads(line) if line.strip() else None
            if row and row["answerable"] and row.get("evidence"):
                evidence = tuple((e["file"], e["quote"]) for e in row["evidence"])
                out.append(
                    GoldQuestion(
                        f"example-{n}",
                        row["question"],
                        row.get("style", ""),
                        True,
                        evidence,
                        None,
                        "train",
                    )
                )
    return out


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    spans, start = [], text.find(quote)
    while start >= 0:
        spans.append((start, start + len(quote)))
        start = text.find(quote, start + 1)
    return spans


def judge(
    questions: list[GoldQuestion], passages: list[dict], sources: dict[str, str]
) -> dict[str, dict[str, int]]:
    """qrels: for each answerable question, the ids of the passages that answer it.

    `sources` maps a file name to its text; a quote missing from its file is an
    error in the gold set, not a miss of the retriever.
    """
    by_file: dict[str, list[dict]] = {}
    for p in passages:
        by_file.setdefault(p["source_file"], []).append(p)
    qrels: dict[str, dict[str, int]] = {}
    for q in questions:
        if not q.answerable:
            continue
        relevant: dict[str, int] = {}
        for file, quote in q.evidence:
            spans = quote_spans(sources[file], quote)
            if not spans:
                raise ValueError(f"{q.id}: quote not found in {file}: {quote[:60]!r}")
            for start, end in spans:
                for p in by_file.get(file, []):
                    overlap = min(end, p["end"]) - max(start, p["start"])
                    if overlap > MIN_OVERLAP * (end - start):
                        relevant[p["id"]] = 1
        if not relevant:
            raise ValueError(f"{q.id}: no indexed passage holds its evidence")
        qrels[q.id] = relevant
    return qrels
