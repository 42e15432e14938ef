"""Sections of a plain-text page that kept its line breaks.

Headings are short lines standing alone between blank lines, with no closing
punctuation. The article starts after the line that repeats the document's
title and ends at the first line that opens the page's back matter (team
notes, reference lists, sign-up forms).
"""

from __future__ import annotations

import re

from .model import Section, clean_heading, trim_span

HEADING_MAX_WORDS = 10
# Lines that open the back matter; everything from there on is left out.
BACK_MATTER = [
    re.compile(r"^The American Cancer Society medical and editorial content team$", re.I),
    re.compile(r"^(References|Sources|Citations|Bibliography)$", re.I),
    re.compile(r"^Last (Revised|Reviewed|Updated):", re.I),
    re.compile(r"^(Sign up|Subscribe)\b", re.I),
    re.compile(r"\bEmails?$"),
]
# Single lines of site furniture anywhere before the article.
CHROME_LINES = [
    re.compile(r"^Skip to (main )?content$", re.I),
    re.compile(r"^(Print|Share|Email|Back to top)$", re.I),
]


def line_spans(text: str) -> list[tuple[int, int]]:
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        spans.append((pos, pos + len(line.rstrip("\r\n"))))
        pos += len(line)
    return spans


def _is_heading(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= HEADING_MAX_WORDS and not line.rstrip().endswith(
        (".", "!", "?", ":", ";", ",")
    )


def read_sections(text: str, title: str = "") -> list[Section]:
    lines = line_spans(text)
    wanted_title = clean_heading(title).lower()
    first = 0
    for n, (s, e) in enumerate(lines):
        if wanted_title and clean_heading(text[s:e]).lower() == wanted_title:
            first = n + 1
            break
    # Paragraphs: runs of non-blank lines.
    paragraphs: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for s, e in lines[first:]:
        line = text[s:e].strip()
        if any(p.search(line) for p in BACK_MATTER):
            break
        if not line or any(p.search(line) for p in CHROME_LINES):
            if current:
                paragraphs.append(current)
            current = []
            continue
        current.append((s, e))
    if current:
        paragraphs.append(current)

    sections: list[Section] = []
    section = Section(path=())
    for para in paragraphs:
        span = trim_span(text, para[0][0], para[-1][1])
        if span is None:
            continue
        if len(para) == 1 and _is_heading(text[span[0] : span[1]]):
            if section.blocks or section.path:
                sections.append(section)
            section = Section(path=(clean_heading(text[span[0] : span[1]]),))
            continue
        section.blocks.append(span)
    if section.blocks or section.path:
        sections.append(section)
    return [s for s in sections if s.blocks or s.path]
