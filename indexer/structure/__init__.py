"""Recover a document's sections: a heading path and the body spans under it.

Each reader knows one kind of source and returns Sections whose spans are
character offsets into the unchanged source text, with page chrome left out.
"""

from __future__ import annotations

from . import flat_pdq, plain_text
from .model import Section

READERS = {
    "flat-pdq": flat_pdq.read_sections,
    "plain-text": plain_text.read_sections,
}


def detect_layout(text: str) -> str:
    """Pick a reader from the shape of the text."""
    if flat_pdq.looks_like(text):
        return "flat-pdq"
    return "plain-text"


def read_sections(text: str, title: str, layout: str | None = None) -> list[Section]:
    layout = layout or detect_layout(text)
    try:
        reader = READERS[layout]
    except KeyError:
        raise ValueError(f"unknown layout {layout!r}; known: {', '.join(READERS)}") from None
    return reader(text, title=title)


__all__ = ["Section", "READERS", "detect_layout", "read_sections"]
