"""Passages made readable for the page and the copied citation, by whitespace alone.

Text taken from a web page arrives flattened: list items run into one line
("the following: Bone pain. Bones that break easily."), defined terms run into
the text before them, punctuation is detached ("marrow .", "( myeloma cells )")
and lines are hard-wrapped. The stored passage stays verbatim, since its offsets
cite the file; the display text differs from it only in whitespace: a line
break before each list item, a blank line before each paragraph, no space
before closing punctuation. So `explains` can check every change, and an
offset maps across by counting the characters that are not whitespace.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from functools import lru_cache

# A space before these (or after OPENERS) is a flattening artefact.
CLOSERS = ".,;:!?)]"
OPENERS = "(["

_BULLET = re.compile(r"(?:[-•*▪◦]|\d{1,2}[.)])\s")  # a line that is a list item already
_BEFORE_CLOSER = re.compile(r"(?<=\S) +(?=[.,;:!?)\]]+(?: |$))")
_AFTER_OPENER = re.compile(r"(?<=[(\[]) +")
_BEFORE_HYPHEN = re.compile(r"(?<=\w) +(?=-\w)")  # "blood -forming"
# A sentence ends at . ! ? or : (closing quotes or brackets may follow), before
# a space and a capital, a digit or an opening bracket or quote.
_BOUNDARY = re.compile(r"[.!?:][\"”’)\]]*( +)(?=\S)")
_STARTERS = '0123456789([“"‘'

# Words that make a sentence prose rather than a list item ("Bones that break
# easily." is an item; "A tumor can damage the bone." is not).
_VERBS = frozenset(
    "is are was were can could may might will would should must has have had does do did".split()
)
_ITEM_OPENERS = frozenset("whether if how".split())
MAX_ITEM_WORDS = 20
MAX_TERM_WORDS = 6


@lru_cache(maxsize=4096)
def readable(text: str) -> str:
    """The passage as it should read: same characters, whitespace repaired."""
    paragraphs = []
    for block in re.split(r"\n[^\S\n]*\n\s*", text.strip()):
        lines: list[str] = []
        for raw in block.split("\n"):
            line = " ".join(raw.split())
            if not line:
                continue
            if lines and not _BULLET.match(line):
                lines[-1] += " " + line  # a hard wrap, not a new line
            else:
                lines.append(line)
        paragraphs.append("\n".join(_structure(_tidy(line)) for line in lines))
    return "\n\n".join(p for p in paragraphs if p)


def _tidy(line: str) -> str:
    line = _BEFORE_CLOSER.sub("", line)
    line = _AFTER_OPENER.sub("", line)
    return _BEFORE_HYPHEN.sub("", line)


def _sentences(line: str) -> list[str]:
    out, start = [], 0
    for match in _BOUNDARY.finditer(line):
        following = line[match.end()]
        if not following.isupper() and following not in _STARTERS:
            continue
        out.append(line[start : match.start(1)])
        start = match.end(1)
    out.append(line[start:])
    return out


def _words(sentence: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", sentence.lower())


def _is_term(sentence: str) -> bool:
    """A defined term set before its definition: "Skeletal bone survey:"."""
    words = _words(sentence)
    return (
        sentence.endswith(":")
        and 0 < len(words) <= MAX_TERM_WORDS
        and not _VERBS & set(words)
        and "following" not in words
    )


def _is_item(sentence: str) -> bool:
    """A list item: a short phrase, not a sentence of prose."""
    words = _words(sentence)
    if not words or len(words) > MAX_ITEM_WORDS or sentence.endswith(":"):
        return False
    return words[0] in _ITEM_OPENERS or words[0].endswith("ing") or not _VERBS & set(words)


def _structure(line: str) -> str:
    """Line breaks before list items and blank lines before terms and after lists."""
    sentences = _sentences(line)
    out = [sentences[0]]
    in_list = False
    for before, sentence in zip(sentences, sentences[1:]):
        if _is_term(sentence):
            separator, in_list = "\n\n", False
        elif in_list and _is_item(sentence):
            separator = "\n"
        elif before.endswith(":") and not _is_term(before) and _is_item(sentence):
            separator, in_list = "\n", True  # the lead-in of a list
        elif in_list:
            separator, in_list = "\n\n", False  # the list has ended
        else:
            separator = " "
        out.append(separator + sentence)
    return "".join(out)


# --- from the passage to its display and back ----------------------------------


def _solid(text: str) -> list[int]:
    """Positions of the characters that are not whitespace."""
    return [i for i, ch in enumerate(text) if not ch.isspace()]


def span_to_display(source: str, display: str, start: int, end: int) -> tuple[int, int]:
    """Offsets [start, end) of `source` (the passage) as offsets of its display text."""
    solid_source, solid_display = _solid(source), _solid(display)
    first = bisect_left(solid_source, start)
    last = bisect_left(solid_source, end)  # solid characters before `end`
    lo = solid_display[first] if first < len(solid_display) else len(display)
    hi = solid_display[last - 1] + 1 if last else 0
    return lo, max(lo, hi)


def _joinable(left: str, right: str) -> bool:
    """Whether a space between two source words may be dropped."""
    return (
        right[0] in CLOSERS
        or left[-1] in OPENERS
        or (right[0] == "-" and len(right) > 1 and right[1].isalnum() and left[-1].isalnum())
    )


def explains(display: str, source: str) -> bool:
    """Whether `display` is `source` with only the listed whitespace repairs:
    any run of whitespace for another, and no space before closing punctuation,
    after an opening bracket or before a hyphen that joins a word."""
    words = iter(source.split())
    for shown in display.split():
        built = next(words, None)
        if built is None or not shown.startswith(built):
            return False
        while built != shown:
            word = next(words, None)
            if word is None or not _joinable(built, word) or not shown.startswith(built + word):
                return False
            built += word
    return next(words, None) is None
