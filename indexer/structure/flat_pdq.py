"""Sections of an NCI PDQ web page that was flattened to one line of text.

The page's headings survive only as words inside the flow, but the page names
them twice: its "On This Page" list gives the top-level titles in order, and
each section's "Key Points" list gives its sub-section headings, which then
reappear verbatim in the body. So headings are found by matching those lists
against the body, in order, never by guessing from capital letters.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict

from .model import Section, clean_heading, cut_out

TOC_MARKER = "On This Page"
KEY_POINTS_MARKER = "Key Points"
# Where the article ends and the site footer begins.
FOOTER = re.compile(r"\bUpdated:\s+[A-Z][a-z]+\s+\d{1,2},\s+\d{4}")
# Page furniture inside the article: links to other versions and the
# "Enlarge" button text that opens every figure caption.
CHROME = [
    re.compile(r"\bGo to Health Professional Version\b"),
    re.compile(r"\bEnlarge(?=\s+[A-Z(])"),
]
_SENTENCE_END = (".", ":", "?", "!")


def looks_like(text: str) -> bool:
    head = text[:5000]
    return TOC_MARKER in head and KEY_POINTS_MARKER in text and text.count("\n") < 50


class _Tokens:
    """Whitespace-separated words with their offsets, for phrase matching."""

    def __init__(self, text: str):
        self.spans = [m.span() for m in re.finditer(r"\S+", text)]
        self.words = [text[s:e] for s, e in self.spans]
        self.positions: dict[str, list[int]] = defaultdict(list)
        for i, word in enumerate(self.words):
            self.positions[word].append(i)

    def index_at(self, offset: int) -> int:
        """Index of the first token starting at or after `offset`."""
        return bisect.bisect_left(self.spans, (offset, -1))

    def find(
        self,
        phrase: list[str],
        start: int,
        stop: int | None = None,
        at_sentence_start: bool = False,
    ) -> int | None:
        """First token index >= start where `phrase` occurs."""
        stop = len(self.words) if stop is None else stop
        candidates = self.positions.get(phrase[0], [])
        for i in candidates[bisect.bisect_left(candidates, start) :]:
            if i + len(phrase) > stop:
                return None
            if self.words[i : i + len(phrase)] != phrase:
                continue
            if (
                at_sentence_start
                and i > 0
                and not self.words[i - 1].endswith(_SENTENCE_END + (")",))
            ):
                continue
            return i
        return None


def _segment(
    tokens: _Tokens,
    first: int,
    last: int,
    body_from: int,
    sentence_bounded: bool,
    at_sentence_start: bool,
) -> list[tuple[list[str], int]]:
    """Split tokens[first:last] into the longest runs that reappear, in order, in the body.

    Returns (phrase, body token index) pairs. With `sentence_bounded`, a run
    never extends past a word that ends a sentence.
    """
    found, i, cursor = [], first, body_from
    while i < last:
        limit = last
        if sentence_bounded:
            for j in range(i, last):
                if tokens.words[j].endswith(_SENTENCE_END):
                    limit = j + 1
                    break
        match = None
        for j in range(limit, i, -1):
            where = tokens.find(tokens.words[i:j], cursor, at_sentence_start=at_sentence_start)
            if where is not None:
                match = (j, where)
                break
        if match is None:  # a list item the body never repeats: skip one word
            i += 1
            continue
        j, where = match
        found.append((tokens.words[i:j], where))
        cursor = where + (j - i)
        i = j
    return found


def _heading_spans(tokens: _Tokens, where: int, length: int) -> tuple[int, int]:
    return tokens.spans[where][0], tokens.spans[where + length - 1][1]


def read_sections(text: str, title: str = "") -> list[Section]:
    tokens = _Tokens(text)
    toc_at = tokens.find(TOC_MARKER.split(), 0)
    if toc_at is None:
        raise ValueError("no 'On This Page' list: not a flattened PDQ page")
    toc_first = toc_at + len(TOC_MARKER.split())
    # The list ends where its first title recurs as the first section heading.
    first_title_len = 1
    body_start = None
    while toc_first + first_title_len < len(tokens.words):
        probe = tokens.words[toc_first : toc_first + first_title_len]
        at = tokens.find(probe, toc_first + 1)
        if at is None:
            break
        body_start = at
        first_title_len += 1
        if first_title_len > 12:
            break
    if body_start is None:
        raise ValueError("the 'On This Page' titles never reappear in the page")
    footer = FOOTER.search(text, tokens.spans[body_start][0])
    doc_end = footer.start() if footer else len(text)
    doc_end_token = tokens.index_at(doc_end)

    top = _segment(
        tokens, toc_first, body_start, body_start, sentence_bounded=False, at_sentence_start=False
    )
    # headings: (token index, token length, level, heading text)
    headings: list[tuple[int, int, int, str]] = []
    key_point_lists: list[tuple[int, int]] = []  # char spans to leave out
    for n, (phrase, where) in enumerate(top):
        headings.append((where, len(phrase), 1, " ".join(phrase)))
        after = where + len(phrase)
        next_top = top[n + 1][1] if n + 1 < len(top) else doc_end_token
        kp = tokens.find(KEY_POINTS_MARKER.split(), after, stop=next_top)
        if kp is None or kp - after > 8:
            continue
        list_first = kp + len(KEY_POINTS_MARKER.split())
        # The list ends where its first item reappears as the first sub-heading.
        first_end = next(
            (j + 1 for j in range(list_first, next_top) if tokens.words[j].endswith(_SENTENCE_END)),
            None,
        )
        if first_end is None:
            continue
        list_end = tokens.find(tokens.words[list_first:first_end], first_end, stop=next_top)
        if list_end is None:
            continue
        key_point_lists.append((tokens.spans[kp][0], tokens.spans[list_end][0]))
        lead_in_colon = False
        for phrase, sub_at in _segment(
            tokens, list_first, list_end, list_end, sentence_bounded=True, at_sentence_start=True
        ):
            if sub_at >= next_top:
                break
            is_sentence = phrase[-1].endswith(_SENTENCE_END)
            if is_sentence:
                level = 2
                lead_in_colon = phrase[-1].endswith(":")
            else:
                # An item of a sub-list; under a lead-in that ends with a colon
                # ("The following types of treatment are used:") the items are
                # topics of their own, one level up.
                level = 2 if lead_in_colon else 3
            headings.append((sub_at, len(phrase), level, " ".join(phrase)))

    headings.sort()
    return _build_sections(text, tokens, headings, key_point_lists, doc_end)


def _build_sections(text, tokens, headings, key_point_lists, doc_end) -> list[Section]:
    sections: list[Section] = []
    path: list[str] = []
    for n, (where, length, level, heading) in enumerate(headings):
        path = path[: level - 1] + [clean_heading(heading)]
        if len(path) < level:  # a level-3 item with no level-2 parent
            path = path[:]
        _, body_from = _heading_spans(tokens, where, length)
        body_to = tokens.spans[headings[n + 1][0]][0] if n + 1 < len(headings) else doc_end
        for kp_start, _kp_end in key_point_lists:
            if body_from <= kp_start < body_to:
                body_to = kp_start
        blocks = cut_out(text, body_from, body_to, CHROME)
        sections.append(Section(path=tuple(path), blocks=blocks))
    return sections
