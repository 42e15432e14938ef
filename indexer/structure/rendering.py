"""The text a reader sees in an HTML, Markdown or PDF document, mapped back to the file.

Markup cannot be cited as it stands: a sentence in an HTML file is broken by
tags and entities. So these readers render the document to plain text (its
"text layer", stored beside the original in the corpus) and remember, for
every character of that text, which characters of the original it came from.
Passages are cut from the text layer, so their text is an exact slice of it,
and they also carry the span of the original file they stand for.
"""

from __future__ import annotations

import bisect
from array import array
from dataclasses import dataclass, field

from .model import Section, trim_span


@dataclass
class Rendering:
    text: str  # the text layer: sections' spans and passages' offsets index into it
    sections: list[Section]
    # Original-file span of text[i] is (starts[i], ends[i]); empty when the
    # original has no character offsets (a PDF is binary).
    starts: array = field(default_factory=lambda: array("q"))
    ends: array = field(default_factory=lambda: array("q"))
    # Offset in `text` where each page begins (PDF only).
    page_starts: list[int] = field(default_factory=list)

    def original_span(self, start: int, end: int) -> tuple[int, int] | None:
        if not self.starts or start >= end:
            return None
        return self.starts[start], self.ends[end - 1]

    def page_at(self, offset: int) -> int | None:
        """1-based page number of the character at `offset`."""
        if not self.page_starts:
            return None
        return bisect.bisect_right(self.page_starts, offset)


class TextBuilder:
    """Accumulates the text layer while recording where each character came from."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._part_starts: list[int] = []
        self.length = 0
        self.starts = array("q")
        self.ends = array("q")
        self.last_char = ""

    def literal(self, text: str, at: int) -> None:
        """Characters copied unchanged from original[at:at + len(text)]."""
        if not text:
            return
        self._add(text)
        self.starts.extend(range(at, at + len(text)))
        self.ends.extend(range(at + 1, at + len(text) + 1))

    def mapped(self, text: str, start: int, end: int) -> None:
        """Characters that stand for original[start:end] (an entity, a run of spaces)."""
        if not text:
            return
        self._add(text)
        self.starts.extend([start] * len(text))
        self.ends.extend([end] * len(text))

    def _add(self, text: str) -> None:
        self._parts.append(text)
        self._part_starts.append(self.length)
        self.length += len(text)
        self.last_char = text[-1]

    def slice(self, start: int, end: int) -> str:
        first = max(bisect.bisect_right(self._part_starts, start) - 1, 0)
        last = bisect.bisect_left(self._part_starts, end)
        joined = "".join(self._parts[first:last])
        offset = self._part_starts[first] if self._parts else 0
        return joined[start - offset : end - offset]

    def text(self) -> str:
        return "".join(self._parts)


class SectionCollector:
    """Heading paths and content blocks, as a renderer meets them in order."""

    def __init__(self, title: str = "") -> None:
        from .model import clean_heading

        self._clean = clean_heading
        self._title = clean_heading(title).casefold()
        self.open_headings: list[tuple[int, str]] = []  # (level, heading), outermost first
        self.sections: list[Section] = [Section(path=())]

    def heading(self, level: int, text: str) -> None:
        heading = self._clean(text)
        if not heading:
            return
        while self.open_headings and self.open_headings[-1][0] >= level:
            self.open_headings.pop()
        if not (level == 1 and heading.casefold() == self._title):
            self.open_headings.append((level, heading))  # the document's own title is no section
        self._open(tuple(h for _, h in self.open_headings))

    def block(self, start: int, end: int) -> None:
        """A block's span in the layer; surrounding whitespace is trimmed at the end."""
        if start < end:
            self.sections[-1].blocks.append((start, end))

    def barrier(self) -> None:
        """Something was left out here; no passage may run across it."""
        if self.sections[-1].blocks:
            self._open(self.sections[-1].path)

    def _open(self, path: tuple[str, ...]) -> None:
        if not self.sections[-1].blocks:
            self.sections.pop()
        self.sections.append(Section(path=path))

    def result(self, layer: str) -> list[Section]:
        for section in self.sections:
            section.blocks = [b for b in (trim_span(layer, s, e) for s, e in section.blocks) if b]
        return [s for s in self.sections if s.blocks]
