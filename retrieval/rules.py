"""The lexicon's rule files: one readable rule a line, `name: question => target`.

Both patterns are Python regular expressions, matched case-insensitively: the
first against a question, the second against what the rule file says (the
evidence a passage must show, the headings about it). Lines starting with "#"
are comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Rule:
    name: str
    question: re.Pattern
    target: re.Pattern


def parse_line(line: str, target: str = "target") -> Rule | None:
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    name, sep, rest = line.partition(":")
    question, arrow, other = rest.partition(" => ")
    if not sep or not arrow or not name.strip():
        raise ValueError(f"rule line needs 'name: question => {target}': {line!r}")
    return Rule(
        name.strip(),
        re.compile(question.strip(), re.IGNORECASE),
        re.compile(other.strip(), re.IGNORECASE),
    )


def load(path: Path, target: str = "target") -> list[Rule]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [r for r in (parse_line(line, target) for line in lines) if r is not None]
