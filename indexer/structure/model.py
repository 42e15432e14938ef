"""The one shape every structure reader returns."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SPACES = re.compile(r"\s+")


def clean_heading(text: str) -> str:
    """Headings are shown and searched, so irregular spacing is collapsed."""
    return _SPACES.sub(" ", text).strip()


@dataclass
class Section:
    path: tuple[str, ...]
    # Body spans (start, end) into the source; text between two spans that is
    # not whitespace (chrome, a caption marker) must never end up in a passage.
    blocks: list[tuple[int, int]] = field(default_factory=list)


def trim_span(text: str, start: int, end: int) -> tuple[int, int] | None:
    """Shrink a span to exclude surrounding whitespace; None if nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def cut_out(text: str, start: int, end: int, chrome: list[re.Pattern]) -> list[tuple[int, int]]:
    """Split a span into the trimmed pieces left after removing chrome matches."""
    cuts = []
    for pattern in chrome:
        cuts.extend(m.span() for m in pattern.finditer(text, start, end))
    cuts.sort()
    pieces, cursor = [], start
    for cut_start, cut_end in cuts:
        if cut_start < cursor:
            cursor = max(cursor, cut_end)
            continue
        piece = trim_span(text, cursor, cut_start)
        if piece:
            pieces.append(piece)
        cursor = cut_end
    piece = trim_span(text, cursor, end)
    if piece:
        pieces.append(piece)
    return pieces
