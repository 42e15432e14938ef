"""From one corpus document, whatever its format, to its citable passages.

Plain text is cited as it stands. HTML, Markdown and PDF are cited through
their text layer, `<file>.txt` beside the original: what the original renders
to, character for character. The layer is derived data: whenever it no longer
matches the original (the original was replaced, or is new) it is rewritten,
so a passage's offsets always re-read its text from the layer, and each
passage also carries its span in the original file (or its PDF page).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from core import settings

from .manifest import Document
from .passages import Passage, cut_passages
from .store import write_bytes_atomic
from .structure import Rendering, detect_layout, layout_for, render


def layout_of(doc: Document) -> str:
    layout = layout_for(doc.file, doc.layout)
    return layout or detect_layout(doc.path.read_bytes().decode("utf-8"))


def write_if_changed(path: Path, text: str) -> bool:
    """Replace a file atomically, only when its content differs."""
    data = text.encode("utf-8")
    if path.is_file() and path.read_bytes() == data:
        return False
    write_bytes_atomic(path, data)
    return True


def read(doc: Document) -> tuple[str, Rendering]:
    """Render the document and make sure its text layer on disk is that rendering."""
    layout, rendering = render(doc.path.read_bytes(), doc.file, doc.title, doc.layout)
    if doc.text_path is not None:
        write_if_changed(doc.text_path, rendering.text)
    return layout, rendering


def cut(doc_id: str, rendering: Rendering) -> list[Passage]:
    """Passages of the rendered text, each told where it sits in the original."""
    passages = []
    for p in cut_passages(
        doc_id,
        rendering.text,
        rendering.sections,
        settings.PASSAGE_MIN_WORDS,
        settings.PASSAGE_TARGET_WORDS,
        settings.PASSAGE_MAX_WORDS,
        settings.PASSAGE_ITEM_TAIL_SHARE,
    ):
        extra = {}
        span = rendering.original_span(p.start, p.end)
        if span:
            extra.update(original_start=span[0], original_end=span[1])
        page = rendering.page_at(p.start)
        if page:
            last = rendering.page_at(p.end - 1)
            extra.update(page=page, page_end=last if last != page else None)
        passages.append(dataclasses.replace(p, **extra))
    return passages


def passages(doc: Document) -> tuple[str, list[Passage]]:
    """(layout, passages) of one document."""
    layout, rendering = read(doc)
    return layout, cut(doc.id, rendering)


def row_extras(passage: Passage) -> dict:
    """The optional passage fields the index stores (only those that apply)."""
    fields = ("original_start", "original_end", "page", "page_end")
    return {f: getattr(passage, f) for f in fields if getattr(passage, f) is not None}
