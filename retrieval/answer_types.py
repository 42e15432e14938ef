"""Answer types: a question asking for a number needs a passage that has one.

"What is the survival rate", "how much does it cost", "what dose": the
bi-encoder finds the passage on survival, costs or the drug, which sounds
right but gives no figure. The library's documents give almost no figures,
so such a match rarely answers. The table of types is a readable file
(lexicon/answer_types.txt); the abstention calibration decides what a
missing type weighs beside the similarity signals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ANSWER_TYPES_FILE = Path(__file__).parent / "lexicon" / "answer_types.txt"


@dataclass(frozen=True)
class AnswerType:
    name: str
    question: re.Pattern
    evidence: re.Pattern


def parse_line(line: str) -> AnswerType | None:
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    name, sep, rest = line.partition(":")
    question, arrow, evidence = rest.partition(" => ")
    if not sep or not arrow or not name.strip():
        raise ValueError(f"answer type line needs 'name: question => evidence': {line!r}")
    return AnswerType(
        name.strip(),
        re.compile(question.strip(), re.IGNORECASE),
        re.compile(evidence.strip(), re.IGNORECASE),
    )


def load(path: Path = ANSWER_TYPES_FILE) -> list[AnswerType]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [t for t in map(parse_line, lines) if t is not None]


def asked(types: list[AnswerType], question: str) -> list[AnswerType]:
    return [t for t in types if t.question.search(question)]


def missing(types: list[AnswerType], question: str, passages: list[str]) -> bool:
    """True when the question asks for a type that none of `passages` shows."""
    return any(
        not any(t.evidence.search(text) for text in passages) for t in asked(types, question)
    )
