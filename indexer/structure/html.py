"""Sections of an HTML page, read with the standard library's HTML parser.

The parser reports where every tag, text run and entity starts, so each
character of the rendered text keeps its span in the stored file. Headings h1
to h4 make the section path; navigation, header, footer, scripts, styles,
forms and anything hidden are left out, and when the page marks its main
content (<main> or role="main") only that is read. Whitespace is collapsed as
a browser would, and each block element (paragraph, list item, cell) becomes
one block of the text layer.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from .rendering import Rendering, SectionCollector, TextBuilder

HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4}
# Left out with everything inside them.
SKIP = frozenset(
    {
        "head",
        "title",
        "nav",
        "header",
        "footer",
        "script",
        "style",
        "form",
        "noscript",
        "template",
        "svg",
        "math",
        "iframe",
        "object",
        "canvas",
        "button",
        "select",
        "textarea",
        "dialog",
    }
)
SKIP_ROLES = frozenset({"navigation", "banner", "contentinfo", "search", "dialog"})
# Elements that flow inside a line; any other tag ends the current block.
INLINE = frozenset(
    {
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "del",
        "dfn",
        "em",
        "font",
        "i",
        "img",
        "ins",
        "kbd",
        "label",
        "mark",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "tt",
        "u",
        "var",
        "wbr",
    }
)
VOID = frozenset(
    {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "param",
        "source",
        "track",
        "wbr",
    }
)
_WHITESPACE = re.compile(r"[ \t\n\r\f]+")


def _is_hidden(attrs: list[tuple[str, str | None]]) -> bool:
    values = {name.lower(): (value or "").strip().lower() for name, value in attrs}
    return (
        "hidden" in values
        or values.get("aria-hidden") == "true"
        or values.get("role") in SKIP_ROLES
    )


def _is_main(tag: str, attrs: list[tuple[str, str | None]]) -> bool:
    return tag == "main" or any(
        name.lower() == "role" and (value or "").strip().lower() == "main" for name, value in attrs
    )


class _Nesting:
    """Depth of one open element, counted by its tag name (enough for well-formed wrappers)."""

    def __init__(self) -> None:
        self.tag: str | None = None
        self.depth = 0

    def open(self, tag: str) -> None:
        self.tag, self.depth = tag, 1

    def start(self, tag: str) -> None:
        if tag == self.tag:
            self.depth += 1

    def end(self, tag: str) -> bool:
        """True when this end tag closes the element."""
        if tag == self.tag:
            self.depth -= 1
            if self.depth == 0:
                self.tag = None
                return True
        return False

    @property
    def active(self) -> bool:
        return self.tag is not None


class _MainFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found = False

    def handle_starttag(self, tag, attrs):
        self.found = self.found or _is_main(tag, attrs)


class _Renderer(HTMLParser):
    def __init__(self, source: str, title: str, only_main: bool) -> None:
        super().__init__(convert_charrefs=False)
        self.source = source
        self.line_starts = [0] + [m.end() for m in re.finditer("\n", source)]
        self.out = TextBuilder()
        self.sections = SectionCollector(title)
        self.only_main = only_main
        self.main = _Nesting()
        self.skip = _Nesting()
        self.pre = 0
        self.heading: tuple[str, int] | None = None  # (tag, level) being read
        self.block_start: int | None = None  # layer offset where the open block began
        self.space: tuple[str, int, int] | None = None  # whitespace owed before the next word

    # -- positions ---------------------------------------------------------
    def _offset(self) -> int:
        line, column = self.getpos()
        return self.line_starts[line - 1] + column

    # -- blocks ------------------------------------------------------------
    def _visible(self) -> bool:
        return not self.skip.active and (not self.only_main or self.main.active)

    def _end_block(self) -> None:
        if self.block_start is None:
            return
        start, end = self.block_start, self.out.length
        self.block_start, self.space = None, None
        if self.heading:
            return  # a heading's words are emitted when it closes
        self.sections.block(start, end)

    def _begin_content(self, at: int) -> None:
        """Open a block (after a blank line) or put down the space owed before this word."""
        if self.block_start is None:
            if self.out.length:
                self.out.mapped("\n\n", at, at)
            self.block_start = self.out.length
        elif self.space:
            self.out.mapped(*self.space)
        self.space = None

    def _owe_space(self, text: str, start: int, end: int) -> None:
        """Whitespace is written only if more words follow in the same block."""
        if self.block_start is not None and not (self.space and self.space[0] == "\n"):
            self.space = (text, start, end)

    def _emit_text(self, raw: str, at: int) -> None:
        """Text as a browser shows it: whitespace runs collapse to one space."""
        if self.pre:
            if raw.strip() or self.block_start is not None:
                self._begin_content(at)
                self.out.literal(raw, at)
            return
        position = 0
        for match in _WHITESPACE.finditer(raw):
            self._emit_word(raw[position : match.start()], at + position)
            self._owe_space(" ", at + match.start(), at + match.end())
            position = match.end()
        self._emit_word(raw[position:], at + position)

    def _emit_word(self, word: str, at: int) -> None:
        if word:
            self._begin_content(at)
            self.out.literal(word, at)

    # -- parser callbacks --------------------------------------------------
    def handle_starttag(self, tag, attrs):
        self._start(tag, attrs, self._offset())

    def handle_startendtag(self, tag, attrs):
        at = self._offset()
        self._start(tag, attrs, at)
        if tag not in VOID:
            self._end(tag, at)

    def _start(self, tag: str, attrs, at: int) -> None:
        if self.skip.active:
            self.skip.start(tag)
            return
        if self.main.active:
            self.main.start(tag)
        elif self.only_main and _is_main(tag, attrs):
            self._end_block()
            self.main.open(tag)
            return
        if tag in SKIP or _is_hidden(attrs):
            if tag not in VOID:
                self._end_block()
                self.skip.open(tag)
                if self._visible_outside_skip():
                    self.sections.barrier()
            return
        if not self._visible():
            return
        if tag == "br":
            self.space = None
            self._owe_space("\n", at, at + len(self.get_starttag_text() or ""))
            return
        if tag == "pre":
            self.pre += 1
        if tag in HEADINGS and self.heading is None:
            self._end_block()
            self.heading = (tag, HEADINGS[tag])
            return
        if tag not in INLINE and self.heading is None:
            self._end_block()

    def _visible_outside_skip(self) -> bool:
        return not self.only_main or self.main.active

    def handle_endtag(self, tag):
        self._end(tag, self._offset())

    def _end(self, tag: str, at: int) -> None:
        if self.skip.active:
            self.skip.end(tag)
            return
        if self.main.active and self.main.end(tag):
            self._end_block()
            return
        if not self._visible():
            return
        if tag == "pre" and self.pre:
            self.pre -= 1
        if self.heading and tag == self.heading[0]:
            self._close_heading()
            return
        if tag not in INLINE and self.heading is None:
            self._end_block()

    def _close_heading(self) -> None:
        _, level = self.heading
        start = self.block_start
        self.block_start, self.space = None, None
        self.heading = None
        if start is not None:
            self.sections.heading(level, self.out.slice(start, self.out.length))

    def handle_data(self, data):
        if self._visible():
            self._emit_text(data, self._offset())

    def handle_entityref(self, name):
        at = self._offset()
        end = at + 1 + len(name)
        if self.source.startswith(";", end):
            end += 1
        self._reference(at, end)

    def handle_charref(self, name):
        at = self._offset()
        end = at + 2 + len(name)
        if self.source.startswith(";", end):
            end += 1
        self._reference(at, end)

    def _reference(self, start: int, end: int) -> None:
        if not self._visible():
            return
        raw = self.source[start:end]
        char = html.unescape(raw)
        if char == raw:  # not a known reference: shown as typed
            self._emit_text(raw, start)
        elif char.isspace() and char != "\xa0":
            self._owe_space(" ", start, end)
        else:
            self._begin_content(start)
            self.out.mapped(char, start, end)

    def finish(self) -> Rendering:
        self.close()
        if self.heading:
            self._close_heading()
        self._end_block()
        text = self.out.text()
        return Rendering(
            text=text,
            sections=self.sections.result(text),
            starts=self.out.starts,
            ends=self.out.ends,
        )


def render(source: str, title: str = "") -> Rendering:
    finder = _MainFinder()
    finder.feed(source)
    finder.close()
    renderer = _Renderer(source, title, only_main=finder.found)
    renderer.feed(source)
    return renderer.finish()
