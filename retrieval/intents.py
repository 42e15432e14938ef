"""What a question asks about (its cause, diagnosis, outlook ...), and which
sections are about that.

A question's words name its subject ("smoldering myeloma") and what it wants
to know of it ("how is it diagnosed"). The passages that share the subject
are many; the section headings say which of them are about the want: "Tests
that examine the blood ... are used to diagnose ...". The second stage lifts
those a little. Front and back matter (about the summary, its reviewers,
permissions, "to learn more") is ranked only when a question is about the
document itself. The table is a readable file (lexicon/intents.txt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

INTENTS_FILE = Path(__file__).parent / "lexicon" / "intents.txt"
DOCUMENT = "document"  # the intent of questions about the document itself


@dataclass(frozen=True)
class Intent:
    name: str
    question: re.Pattern
    heading: re.Pattern


def parse_line(line: str) -> Intent | None:
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    name, sep, rest = line.partition(":")
    question, arrow, heading = rest.partition(" => ")
    if not sep or not arrow or not name.strip():
        raise ValueError(f"intent line needs 'name: question => heading': {line!r}")
    return Intent(
        name.strip(),
        re.compile(question.strip(), re.IGNORECASE),
        re.compile(heading.strip(), re.IGNORECASE),
    )


def load(path: Path = INTENTS_FILE) -> list[Intent]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [i for i in map(parse_line, lines) if i is not None]


def asked(intents: list[Intent], question: str) -> frozenset[str]:
    return frozenset(i.name for i in intents if i.question.search(question))


def of_section(intents: list[Intent], section: list[str]) -> frozenset[str]:
    """The intents a passage's headings are about; front and back matter is
    recognised by its own heading at any level."""
    path = " > ".join(section)
    found = {i.name for i in intents if i.name != DOCUMENT and i.heading.search(path)}
    document = next((i for i in intents if i.name == DOCUMENT), None)
    if document is not None and any(document.heading.search(h) for h in section):
        found.add(DOCUMENT)
    return frozenset(found)
