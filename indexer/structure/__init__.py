"""Recover a document's sections: a heading path and the body spans under it.

Each reader knows one kind of source and returns Sections whose spans are
character offsets into the unchanged source text, with page chrome left out.
HTML, Markdown and PDF are read by renderers instead: they return the text a
reader sees (stored as the document's text layer) with sections over it and a
map back to the original file.
"""

from __future__ import annotations

from . import flat_pdq, html, markdown, pdf, plain_text
from .model import Section
from .rendering import Rendering

READERS = {
    "flat-pdq": flat_pdq.read_sections,
    "plain-text": plain_text.read_sections,
}
RENDERERS = {
    "html": html.render,
    "markdown": markdown.render,
    "pdf": pdf.render,
}
# File extension -> layout; None: a text file, whose layout detect_layout picks.
EXTENSIONS = {
    ".txt": None,
    ".html": "html",
    ".htm": "html",
    ".md": "markdown",
    ".markdown": "markdown",
    ".pdf": "pdf",
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


def layout_for(filename: str, layout: str | None = None) -> str | None:
    """The layout a file's extension calls for (None: detect it from the text).

    A manifest may name the layout; it must be one this kind of file can have.
    """
    suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if suffix not in EXTENSIONS:
        raise ValueError(
            f"unsupported format {suffix or filename!r}; supported: {', '.join(EXTENSIONS)}"
        )
    by_extension = EXTENSIONS[suffix]
    if layout is None or layout == by_extension:
        return by_extension
    if by_extension is None and layout in READERS:
        return layout
    allowed = [by_extension] if by_extension else list(READERS)
    raise ValueError(f"layout {layout!r} does not fit a {suffix} file; use {' or '.join(allowed)}")


def render(
    data: bytes, filename: str, title: str, layout: str | None = None
) -> tuple[str, Rendering]:
    """Read a stored file into (layout, rendering); a text file renders as itself."""
    layout = layout_for(filename, layout)
    if layout == "pdf":
        return layout, pdf.render(data, title)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{filename} is not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None
    if layout in RENDERERS:
        return layout, RENDERERS[layout](text, title)
    layout = layout or detect_layout(text)
    return layout, Rendering(text=text, sections=read_sections(text, title, layout))


__all__ = [
    "Section",
    "Rendering",
    "READERS",
    "RENDERERS",
    "EXTENSIONS",
    "detect_layout",
    "layout_for",
    "read_sections",
    "render",
]
