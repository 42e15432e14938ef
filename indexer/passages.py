"""Cut sections into citable passages at sentence boundaries.

A passage is one contiguous span of the source, so its text is always
`source[start:end]`: it never crosses a section boundary or a piece of chrome
that was cut out, and it prefers to end where a paragraph ends.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .sentences import sentence_spans
from .structure import Section


@dataclass(frozen=True)
class Passage:
    id: str
    doc_id: str
    section: tuple[str, ...]
    start: int
    end: int
    text: str
    # From a text layer (HTML, Markdown): the span of the original file these words stand for.
    original_start: int | None = None
    original_end: int | None = None
    # From a PDF: the page the passage starts on, and the page it ends on if another.
    page: int | None = None
    page_end: int | None = None

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class _Sentence:
    start: int
    end: int
    words: int
    opens_block: bool  # first sentence of a paragraph / block
    joinable: bool  # only whitespace separates it from the previous sentence
    opens_item: bool = False  # begins a list item or a list's lead-in


# A list item (or a list's lead-in) that opens a sentence: a short phrase and a
# colon, then a capital: "Flow cytometry : A laboratory test ...", "Drugs used
# may include the following: Targeted therapy ...".
ITEM_OPENING = re.compile(r"[A-Z(][\w()/,'’-]*(?:\s+[\w()/,'’-]+){0,6}?\s?:\s+[A-Z(]")


def _sentences(text: str, section: Section) -> list[_Sentence]:
    out: list[_Sentence] = []
    previous_end = None
    for block_start, block_end in section.blocks:
        for n, (s, e) in enumerate(sentence_spans(text[block_start:block_end], block_start)):
            joinable = previous_end is not None and not text[previous_end:s].strip()
            out.append(
                _Sentence(
                    s,
                    e,
                    len(text[s:e].split()),
                    n == 0,
                    joinable,
                    bool(ITEM_OPENING.match(text, s, e)),
                )
            )
            previous_end = e
    return out


def pack(
    sentences: list[_Sentence],
    min_words: int,
    target_words: int,
    max_words: int,
    item_tail_share: float = 0.0,
) -> list[tuple[int, int]]:
    """Greedy packing: close a passage at the target size or a paragraph end.

    With `item_tail_share` > 0, a passage that would close on the opening of a
    list item (its label, or a list's lead-in, and what follows up to the
    close) hands that opening to the next passage, if it is at most that share
    of the passage's words: the label then heads the description it labels."""
    groups: list[list[_Sentence]] = []
    current: list[_Sentence] = []
    size = 0
    for sent in sentences:
        if current and (
            not sent.joinable
            or size + sent.words > max_words
            or size >= target_words
            or (sent.opens_block and size >= min_words)
        ):
            cut = (
                _item_tail(current, min_words, item_tail_share)
                if item_tail_share > 0 and sent.joinable
                else None
            )
            if cut is not None and sum(s.words for s in current[cut:]) + sent.words > max_words:
                cut = None
            groups.append(current[:cut])
            current = current[cut:] if cut is not None else []
            size = sum(s.words for s in current)
        current.append(sent)
        size += sent.words
    if current:
        groups.append(current)
    # A short tail reads badly alone: fold it into its neighbour when allowed.
    merged: list[list[_Sentence]] = []
    for group in groups:
        words = sum(s.words for s in group)
        if (
            merged
            and words < min_words
            and group[0].joinable
            and sum(s.words for s in merged[-1]) + words <= max_words
        ):
            merged[-1] = merged[-1] + group
        else:
            merged.append(group)
    return [(g[0].start, g[-1].end) for g in merged]


def _item_tail(group: list[_Sentence], min_words: int, share: float) -> int | None:
    """Where a closing passage's last list-item opening begins, when that
    opening and what follows it are short enough to start the next passage
    instead ("Consolidation therapy : This is the second phase of treatment."
    belongs with the description that follows it, not with the phase before)."""
    total = sum(s.words for s in group)
    for k in range(len(group) - 1, 0, -1):
        tail = sum(s.words for s in group[k:])
        if tail > share * total or total - tail < min_words:
            return None
        if group[k].opens_item and group[k].joinable:
            return k
    return None


def _is_bare_lead_in(text: str) -> bool:
    """A lone "include the following:" whose list lives in the sub-sections."""
    return text.rstrip().endswith(":") and len(text.split()) < 12


def cut_passages(
    doc_id: str,
    text: str,
    sections: list[Section],
    min_words: int,
    target_words: int,
    max_words: int,
    item_tail_share: float = 0.0,
) -> list[Passage]:
    passages: list[Passage] = []
    for section in sections:
        for start, end in pack(
            _sentences(text, section), min_words, target_words, max_words, item_tail_share
        ):
            if _is_bare_lead_in(text[start:end]):
                continue
            passages.append(
                Passage(
                    id=f"{doc_id}-{len(passages) + 1:03d}",
                    doc_id=doc_id,
                    section=section.path,
                    start=start,
                    end=end,
                    text=text[start:end],
                )
            )
    return passages
