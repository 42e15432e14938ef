"""Sections of a Markdown document: ATX ("## Title") and setext (underlined) headings.

Each paragraph, list item or table row becomes one block of the text layer,
with the markup a reader never sees taken out (emphasis markers, link targets,
images, inline HTML, list and quote markers) and every remaining character
mapped back to its place in the file. Front matter, code blocks, HTML
comments and link definitions are left out, and no passage runs across them.
"""

from __future__ import annotations

import html
import re

from .plain_text import line_spans
from .rendering import Rendering, SectionCollector, TextBuilder

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_BREAK = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_QUOTE = re.compile(r"^ {0,3}>[ \t]?")
_ITEM = re.compile(r"^[ \t]*(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S")
_TABLE_DELIMITER = re.compile(
    r"^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$"
)
_COMMENT_START = "<!--"

# Inline markup, tried in this order at each position.
_INLINE = re.compile(
    r"(?P<escape>\\[!-/:-@\[-`{-~])"
    r"|(?P<code>(?P<ticks>`+)(?P<code_text>.+?)(?P=ticks))"
    r"|(?P<image>!\[[^\]]*\]\([^)]*\))"
    r"|(?P<link>\[(?P<link_text>[^\]]+)\](?:\([^)]*\)|\[[^\]]*\]))"
    r"|(?P<autolink><(?P<url>(?:https?://|mailto:)[^>\s]+)>)"
    r"|(?P<tag><!--.*?-->|</?[A-Za-z][^<>]*>)"
    r"|(?P<entity>&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});)"
    r"|(?P<emphasis>\*{1,3}|_{1,3}|~~)"
)

_KINDS = ("escape", "code", "image", "link", "autolink", "tag", "entity", "emphasis")


def _is_emphasis(text: str, start: int, end: int) -> bool:
    """A delimiter run touching a word on one side, as CommonMark flanking rules say."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    if before.isspace() and after.isspace():
        return False
    if text[start] == "_" and before.isalnum() and after.isalnum():
        return False  # snake_case stays
    return True


class _Renderer:
    def __init__(self, source: str, title: str) -> None:
        self.source = source
        self.out = TextBuilder()
        self.sections = SectionCollector(title)
        self.paragraph: list[tuple[int, int]] = []  # content spans of its lines
        self.in_item = False

    # -- inline ------------------------------------------------------------
    def inline(self, start: int, end: int) -> None:
        """Render source[start:end] with inline markup taken out."""
        src, position = self.source, start
        for match in _INLINE.finditer(src, start, end):
            kind = next(k for k in _KINDS if match.group(k) is not None)
            if kind == "emphasis" and not _is_emphasis(src, match.start(), match.end()):
                continue
            self.out.literal(src[position : match.start()], position)
            position = match.end()
            if kind == "escape":
                self.out.mapped(match.group()[1], match.start(), match.end())
            elif kind == "code":
                self.out.literal(match.group("code_text"), match.start("code_text"))
            elif kind == "link":
                self.inline(match.start("link_text"), match.end("link_text"))
            elif kind == "autolink":
                self.out.literal(match.group("url"), match.start("url"))
            elif kind == "entity":
                char = html.unescape(match.group())
                self.out.mapped(char, match.start(), match.end())
        self.out.literal(src[position:end], position)

    # -- blocks ------------------------------------------------------------
    def _emit_lines(self, spans: list[tuple[int, int]]) -> tuple[int, int]:
        if self.out.length:
            self.out.mapped("\n\n", spans[0][0], spans[0][0])
        begin = self.out.length
        for n, (s, e) in enumerate(spans):
            if n:
                self.out.mapped("\n", spans[n - 1][1], s)
            self.inline(s, e)
        return begin, self.out.length

    def flush(self, heading_level: int | None = None) -> None:
        spans, self.paragraph, self.in_item = self.paragraph, [], False
        if not spans:
            return
        start, end = self._emit_lines(spans)
        if heading_level:
            self.sections.heading(heading_level, self.out.slice(start, end))
        else:
            self.sections.block(start, end)

    def add_line(self, start: int, end: int) -> None:
        while end > start and self.source[end - 1] in " \t":
            end -= 1
        while start < end and self.source[start] in " \t":
            start += 1
        if start < end:
            self.paragraph.append((start, end))

    def skip(self) -> None:
        """Leave a line out; no passage may run across it."""
        self.flush()
        self.sections.barrier()

    def run(self) -> Rendering:
        src = self.source
        lines = line_spans(src)
        n = 0
        if lines and src[lines[0][0] : lines[0][1]].strip() == "---":  # front matter
            for m in range(1, len(lines)):
                if src[lines[m][0] : lines[m][1]].strip() in ("---", "..."):
                    n = m + 1
                    break
        while n < len(lines):
            start, end = lines[n]
            line = src[start:end]
            n += 1
            fence = _FENCE.match(line)
            if fence:
                self.skip()
                marker = fence.group(1)
                while n < len(lines):
                    closing = src[lines[n][0] : lines[n][1]].strip()
                    n += 1
                    if closing.startswith(marker[0] * len(marker)) and not closing.strip(marker[0]):
                        break
                continue
            if line.lstrip().startswith(_COMMENT_START):
                self.skip()
                while "-->" not in line and n < len(lines):
                    line = src[lines[n][0] : lines[n][1]]
                    n += 1
                continue
            quote = _QUOTE.match(line)
            while quote:  # block quotes read as their content
                start += quote.end()
                line = src[start:end]
                quote = _QUOTE.match(line)
            if not line.strip():
                self.flush()
                continue
            setext = _SETEXT.match(line)
            if setext and self.paragraph and not self.in_item:
                self.flush(heading_level=1 if setext.group(1)[0] == "=" else 2)
                continue
            if _BREAK.match(line):
                self.flush()
                continue
            atx = _ATX.match(line)
            if atx:
                self.flush()
                self.paragraph = []
                self.add_line(start + atx.start(2), start + atx.end(2))
                self.flush(heading_level=len(atx.group(1)))
                continue
            if _LINK_DEFINITION.match(line) or _TABLE_DELIMITER.match(line) and "|" in line:
                self.skip()
                continue
            item = _ITEM.match(line)
            if item:
                self.flush()
                self.in_item = True
                self.add_line(start + item.end(), end)
                continue
            if line.lstrip().startswith("|"):  # a table row is a block of its own
                self.flush()
                self.add_line(start, end)
                self.flush()
                continue
            self.add_line(start, end)
        self.flush()
        text = self.out.text()
        return Rendering(
            text=text,
            sections=self.sections.result(text),
            starts=self.out.starts,
            ends=self.out.ends,
        )


def render(source: str, title: str = "") -> Rendering:
    return _Renderer(source, title).run()
