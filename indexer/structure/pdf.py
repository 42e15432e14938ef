"""Sections of a PDF, from pypdf's text extraction and the font sizes it reports.

A PDF has no character offsets to cite, so its text layer is exactly what
pypdf extracts, page after page, separated by form feeds; that file is stored
beside the PDF and citations are offsets into it plus a page number. Headings
are lines set larger than the body text (or bold lines standing alone at body
size), ranked by size; page numbers and lines repeated at the top or bottom of
most pages are left out, and no passage runs across them.
"""

from __future__ import annotations

import io
import math
import re
import statistics
from collections import Counter
from dataclasses import dataclass

from .rendering import Rendering, SectionCollector

PAGE_BREAK = "\f"
HEADING_SIZE_RATIO = 1.15  # this much larger than the body text makes a heading
HEADING_MAX_WORDS = 20
BOLD_HEADING_MAX_WORDS = 12
MAX_LEVELS = 4
PARAGRAPH_GAP_RATIO = 1.5  # a vertical gap this much above the usual line gap ends a paragraph
_PAGE_NUMBER = re.compile(r"^(page\s*)?\d{1,4}(\s*(of|/)\s*\d{1,4})?$", re.I)
_BOLD = re.compile(r"bold|black|heavy|semibold|demi", re.I)
_CLOSING = (".", ",", ";", ":", "?", "!")


class PdfError(ValueError):
    """The file cannot be read as a PDF."""


@dataclass
class Line:
    page: int  # 0-based
    start: int  # offsets into the text layer
    end: int
    text: str
    size: float  # font size as drawn, in points
    bold: bool
    y: float | None

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass
class _Piece:
    start: int
    end: int
    size: float
    bold: bool
    y: float


def _drawn_size(font_size: float, cm, tm) -> float:
    """Tf size scaled by the text and page matrices (some producers use Tf 1 and scale)."""
    c = tm[2] * cm[0] + tm[3] * cm[2]
    d = tm[2] * cm[1] + tm[3] * cm[3]
    scale = math.hypot(c, d) or 1.0
    return round(font_size * scale * 2) / 2


def _page_text(page) -> tuple[str, list[_Piece]]:
    pieces: list[_Piece] = []
    parts: list[str] = []
    length = 0

    def visit(text, cm, tm, font_dict, font_size):
        nonlocal length
        if not text:
            return
        font = str(font_dict.get("/BaseFont", "")) if font_dict else ""
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        pieces.append(
            _Piece(
                length,
                length + len(text),
                _drawn_size(font_size or 0, cm, tm),
                bool(_BOLD.search(font)),
                y,
            )
        )
        parts.append(text)
        length += len(text)

    text = page.extract_text(visitor_text=visit)
    if "".join(parts) != text:  # extraction and visits disagree: keep the text, lose the fonts
        pieces = []
    return text.replace(PAGE_BREAK, " "), pieces


def extract(data: bytes) -> tuple[str, list[Line], list[int]]:
    """The text layer, its non-blank lines with their fonts, and where each page starts."""
    import pypdf
    from pypdf.errors import PyPdfError

    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        pages = [_page_text(page) for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise PdfError(f"cannot read the PDF: {exc}") from None

    layer, lines, page_starts = [], [], []
    offset = 0
    for number, (text, pieces) in enumerate(pages):
        if number:
            layer.append(PAGE_BREAK)
            offset += 1
        page_starts.append(offset)
        position = 0
        for raw in text.split("\n"):
            start, end = position, position + len(raw)
            position = end + 1
            if raw.strip():
                lines.append(_line(number, offset, start, end, raw, pieces))
        layer.append(text)
        offset += len(text)
    return "".join(layer), lines, page_starts


def _line(page: int, offset: int, start: int, end: int, text: str, pieces: list[_Piece]) -> Line:
    weight: Counter = Counter()
    y = None
    for piece in pieces:
        overlap = min(end, piece.end) - max(start, piece.start)
        if overlap > 0 and piece.size:
            weight[(piece.size, piece.bold)] += overlap
            if y is None:
                y = piece.y
    (size, bold), _ = weight.most_common(1)[0] if weight else ((0.0, False), 0)
    return Line(page, offset + start, offset + end, text.strip(), size, bold, y)


def _chrome(lines: list[Line], pages: int) -> set[int]:
    """Indexes of page numbers and of running headers and footers."""

    def key(line: Line) -> str:
        return re.sub(r"\d+", "#", " ".join(line.text.split()).casefold())

    by_page: dict[int, list[int]] = {}
    for n, line in enumerate(lines):
        by_page.setdefault(line.page, []).append(n)
    edges = {n for ns in by_page.values() for n in ns[:2] + ns[-2:]}
    seen: dict[str, set[int]] = {}
    for n in edges:
        seen.setdefault(key(lines[n]), set()).add(lines[n].page)
    repeated = {k for k, on in seen.items() if len(on) >= 2 and len(on) * 2 >= pages}
    return {
        n
        for n, line in enumerate(lines)
        if _PAGE_NUMBER.match(line.text) or (n in edges and key(line) in repeated)
    }


def _levels(lines: list[Line], chrome: set[int]) -> dict[int, int]:
    """Heading level of each heading line, from the sizes the document uses."""
    sizes = Counter()
    for n, line in enumerate(lines):
        if n not in chrome and line.size:
            sizes[line.size] += len(line.text)
    if not sizes:
        return {}
    body = sizes.most_common(1)[0][0]
    larger = {
        n: line.size
        for n, line in enumerate(lines)
        if n not in chrome
        and line.size >= body * HEADING_SIZE_RATIO
        and line.words <= HEADING_MAX_WORDS
    }
    ranks = {size: rank for rank, size in enumerate(sorted(set(larger.values()), reverse=True))}
    levels = {n: min(ranks[size] + 1, MAX_LEVELS) for n, size in larger.items()}
    bold_level = min(len(ranks) + 1, MAX_LEVELS)
    for n, line in enumerate(lines):
        if (
            n not in chrome
            and n not in levels
            and line.bold
            and line.size >= body * 0.95
            and line.words <= BOLD_HEADING_MAX_WORDS
            and not line.text.endswith(_CLOSING)
        ):
            levels[n] = bold_level
    return levels


def _usual_gap(lines: list[Line], skip: set[int]) -> float | None:
    gaps = [
        a.y - b.y
        for n, (a, b) in enumerate(zip(lines, lines[1:]))
        if n not in skip
        and n + 1 not in skip
        and a.page == b.page
        and a.y is not None
        and b.y is not None
        and a.y > b.y
    ]
    return statistics.median(gaps) if gaps else None


def render(data: bytes, title: str = "") -> Rendering:
    layer, lines, page_starts = extract(data)
    chrome = _chrome(lines, len(page_starts))
    levels = _levels(lines, chrome)
    gap = _usual_gap(lines, chrome | set(levels))
    sections = SectionCollector(title)
    block: list[Line] = []

    def close_block() -> None:
        if block:
            sections.block(block[0].start, block[-1].end)
            block.clear()

    n = 0
    while n < len(lines):
        line = lines[n]
        if n in chrome:
            close_block()
            sections.barrier()
            n += 1
            continue
        if n in levels:
            close_block()
            words = [line.text]
            while (
                n + 1 < len(lines)
                and levels.get(n + 1) == levels[n]
                and lines[n + 1].page == line.page
            ):
                n += 1
                words.append(lines[n].text)  # a heading wrapped over two lines
            sections.heading(levels[n], " ".join(words))
            n += 1
            continue
        if block:
            last = block[-1]
            if last.page != line.page or (
                gap
                and last.y is not None
                and line.y is not None
                and last.y - line.y > gap * PARAGRAPH_GAP_RATIO
            ):
                close_block()
        block.append(line)
        n += 1
    close_block()
    return Rendering(text=layer, sections=sections.result(layer), page_starts=page_starts)
