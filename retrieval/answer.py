"""The answer sentence: the one or two consecutive sentences, inside one of the
top passages, that best answer the question, cut as an exact span of the cited file.

Every sentence and adjacent pair of the top passages is a candidate (the
indexer stores each sentence's span in its passage; a pair is scored by the
mean of its two vectors, as the second stage does). A small linear scorer,
fitted on labelled questions by `python -m eval calibrate` and recorded with
the index build, weighs how near the candidate is to the question, how much
of the question's rarer words it holds, how far its passage ranks below the
first, and its length. The passage holding the answer is shown first: of
neighbouring passages, the one with the answering sentence is the answer.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .components import Components

FEATURES = (
    "cosine",
    "cosine_gap",
    "coverage",
    "coverage_gap",
    "passage_gap",
    "log_words",
    "pair",
    "lead_in",
)
# Before any fit: the nearest sentence, as the second stage judges nearness.
DEFAULT_MODEL = {"weights": {"cosine": 1.0}, "bias": 0.0}


@dataclass(frozen=True)
class Answer:
    passage_id: str
    start: int  # offsets in the cited file, as the passage's own
    end: int
    text: str  # exactly the file's [start:end]


@dataclass
class Candidate:
    row: int  # the passage
    start: int  # offsets in the passage's text
    end: int
    features: dict

    def answer(self, parts: Components) -> Answer:
        passage = parts.index.passages[self.row]
        return Answer(
            passage["id"],
            passage["start"] + self.start,
            passage["start"] + self.end,
            passage["text"][self.start : self.end],
        )


def candidates(
    parts: Components, vector: np.ndarray, tokens: list[str], rows: list[int], scores: list[float]
) -> list[Candidate]:
    """Every sentence and adjacent pair of the passages `rows` (with their final
    `scores`, best first); none without the build's sentence spans."""
    spans = parts.sentence_spans
    if spans is None or not rows:
        return []
    # Only words some passage has can tell sentences apart; expansions count.
    known = parts.lexical.document_frequency
    wanted = {t: parts.lexical.idf(t) for t in dict.fromkeys(tokens) if t in known}
    total = sum(wanted.values()) or 1.0
    out = []
    for row, score in zip(rows, scores):
        sentence_rows = parts.sentences.rows_of(row)
        if not len(sentence_rows):
            continue
        singles, pairs = parts.sentences.sentence_and_pair_scores(vector, sentence_rows)
        text = parts.index.passages[row]["text"]
        gap = float(score - scores[0])
        stems = [parts.sentence_stems[r] for r in sentence_rows.tolist()]
        for first in range(len(sentence_rows)):
            for last, cosine in ((first, singles[first]), (first + 1, None)):
                if last == first + 1:
                    if first >= len(pairs) or pairs[first] < -0.5:
                        continue
                    cosine = pairs[first]
                start, end = int(spans[sentence_rows[first]][0]), int(spans[sentence_rows[last]][1])
                held = set().union(*stems[first : last + 1])
                coverage = sum(w for t, w in wanted.items() if t in held) / total
                features = {
                    "cosine": float(cosine),
                    "coverage": coverage,
                    "passage_gap": gap,
                    "log_words": math.log(1 + len(text[start:end].split())),
                    "pair": float(last > first),
                    # "... include the following:": the answer is what comes next.
                    "lead_in": float(text[start:end].rstrip().endswith(":")),
                }
                out.append(Candidate(row, start, end, features))
    # Each candidate also against the question's best, as the choice is among them.
    top_cosine = max((c.features["cosine"] for c in out), default=0.0)
    top_coverage = max((c.features["coverage"] for c in out), default=0.0)
    for c in out:
        c.features["cosine_gap"] = c.features["cosine"] - top_cosine
        c.features["coverage_gap"] = c.features["coverage"] - top_coverage
    return out


def score(candidate: Candidate, model: dict) -> float:
    return model["bias"] + sum(
        w * candidate.features.get(f, 0.0) for f, w in model["weights"].items()
    )


def best(cands: list[Candidate], model: dict) -> Candidate | None:
    """The highest-scoring candidate; ties go to the earlier passage and sentence."""
    return max(cands, key=lambda c: score(c, model), default=None)
