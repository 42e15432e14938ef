"""Cut sections into citable passages at sentence boundaries.

A passage is one contiguous span of the source, so its text is always
`source[start:end]`: it never crosses a section boundary or a piece of chrome
that was cut out, and it prefers to end where a paragraph ends.
"""

from __future__ import annotations

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


def _sentences(text: str, section: Section) -> list[_Sentence]:
    out: list[_Sentence] = []
    previous_end = None
    for block_start, block_end in section.blocks:
        for n, (s, e) in enumerate(sentence_spans(text[block_start:block_end], block_start)):
            joinable = previous_end is not None and not text[previous_end:s].strip()
            out.append(_Sentence(s, e, len(text[s:e].split()), n == 0, joinable))
            previous_end = e
    return out


def pack(sentences: list[_Sentence], min_words: int, target_words: int,
         max_words: int) -> list[tuple[int, int]]:
    """Greedy packing: close a passage at the target size or a paragraph end."""
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
            groups.append(current)
            current, size = [], 0
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


def _is_bare_lead_in(text: str) -> bool:
    """A lone "include the following:" whose list lives in the sub-sections."""
    return text.rstrip().endswith(":") and len(text.split()) < 12


def cut_passages(doc_id: str, text: str, sections: list[Section], min_words: int,
                 target_words: int, max_words: int) -> list[Passage]:
    passages: list[Passage] = []
    for section in sections:
        for start, end in pack(_sentences(text, section), min_words, target_words, max_words):
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
