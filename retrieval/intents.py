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

from pathlib import Path

from . import rules
from .rules import Rule

INTENTS_FILE = Path(__file__).parent / "lexicon" / "intents.txt"
DOCUMENT = "document"  # the intent of questions about the document itself


Intent = Rule  # its target matches the section headings about it


def parse_line(line: str) -> Intent | None:
    return rules.parse_line(line, "heading")


def load(path: Path = INTENTS_FILE) -> list[Intent]:
    return rules.load(path, "heading")


def asked(intents: list[Intent], question: str) -> frozenset[str]:
    return frozenset(i.name for i in intents if i.question.search(question))


def of_section(intents: list[Intent], section: list[str], title: str = "") -> frozenset[str]:
    """The intents a passage's headings are about, the document's title being the
    outermost ("Treatment Options for Multiple Myeloma" makes every section of
    that page about treatment); front and back matter is recognised by its own
    heading at any level."""
    path = " > ".join([title, *section] if title else section)
    found = {i.name for i in intents if i.name != DOCUMENT and i.target.search(path)}
    document = next((i for i in intents if i.name == DOCUMENT), None)
    if document is not None and any(document.target.search(h) for h in section):
        found.add(DOCUMENT)
    return frozenset(found)
