"""Answer types: a question asking for a number needs a passage that has one.

"What is the survival rate", "how much does it cost", "what dose": the
bi-encoder finds the passage on survival, costs or the drug, which sounds
right but gives no figure. The library's documents give almost no figures,
so such a match rarely answers. The table of types is a readable file
(lexicon/answer_types.txt); the abstention calibration decides what a
missing type weighs beside the similarity signals.
"""

from __future__ import annotations

from pathlib import Path

from . import rules
from .rules import Rule

ANSWER_TYPES_FILE = Path(__file__).parent / "lexicon" / "answer_types.txt"


AnswerType = Rule  # its target is the evidence a passage must show


def parse_line(line: str) -> AnswerType | None:
    return rules.parse_line(line, "evidence")


def load(path: Path = ANSWER_TYPES_FILE) -> list[AnswerType]:
    return rules.load(path, "evidence")


def asked(types: list[AnswerType], question: str) -> list[AnswerType]:
    return [t for t in types if t.question.search(question)]


def missing(types: list[AnswerType], question: str, passages: list[str]) -> bool:
    """True when the question asks for a type that none of `passages` shows."""
    return any(not any(t.target.search(text) for text in passages) for t in asked(types, question))
