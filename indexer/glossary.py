"""Harvest the definitions the corpus gives itself, in parentheses.

Patient summaries explain their terms inline: "hypercalcemia (too much calcium
in the blood)", "stem cells (immature blood cells)", "MGUS" spelled out. Each
such pair is a two-way synonym that lets a lay query reach clinical wording
(and an acronym reach its expansion) without anyone typing the pairs by hand.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

from core import analysis, index_files

from .passages import Passage
from .store import write_json

_PAREN = re.compile(r"\(\s*([^()]{2,90}?)\s*\)")
_WORD = re.compile(r"[\w’'-]+")
_ACRONYM = re.compile(r"^[A-Z][A-Za-z]{0,2}[A-Z]{1,5}s?$")
_LEAD_INS = ("also called ", "also known as ", "called ")
# Parentheses that add to a list or direct a reader, rather than define.
_NOT_A_GLOSS = re.compile(
    r"^(or|and|including|even|with|see|e\.g\.|i\.e\.)\b|^(not shown|step \d+)$", re.I
)
MAX_TERM_WORDS = 4


def _initials_match(words: list[str], acronym: str) -> int:
    """How many trailing words spell the acronym's letters (0 if none do)."""
    letters = [c.lower() for c in acronym.rstrip("s") if c.isalpha()]
    content = []
    for n in range(len(words) - 1, -1, -1):
        word = words[n]
        if word.lower() in analysis.STOPWORDS:
            continue
        content.insert(0, word)
        if len(content) == len(letters):
            if [w[0].lower() for w in content] == letters:
                return len(words) - n
            return 0
    return 0


def _trailing_term(words: list[str], phrase_counts: collections.Counter) -> str | None:
    """The noun phrase a gloss explains: the longest tail the corpus repeats."""
    best = None
    for size in range(1, min(3, len(words)) + 1):
        tail = words[-size:]
        if tail[0].lower() in analysis.STOPWORDS:
            break
        phrase = " ".join(tail)
        if size == 1 or phrase_counts[phrase.lower()] >= 2:
            best = phrase
    return best


def harvest(passages: list[Passage]) -> list[dict]:
    texts = [p.text for p in passages]
    phrase_counts: collections.Counter = collections.Counter()
    for text in texts:
        tokens = [w.lower() for w in _WORD.findall(text)]
        for size in (2, 3):
            phrase_counts.update(
                " ".join(tokens[i : i + size]) for i in range(len(tokens) - size + 1)
            )

    pairs: dict[tuple[str, str], dict] = {}
    for passage in passages:
        text = passage.text
        for match in _PAREN.finditer(text):
            gloss = " ".join(match.group(1).split())
            for lead in _LEAD_INS:
                if gloss.lower().startswith(lead):
                    gloss = gloss[len(lead) :]
            if not re.search(r"[^\W\d_]{2,}", gloss) or _NOT_A_GLOSS.search(gloss):
                continue
            # The defined term sits in the same clause, right before "(".
            clause = re.split(r"[.:;()\[\]]", text[max(0, match.start() - 120) : match.start()])[-1]
            before = _WORD.findall(clause)
            if not before:
                continue
            if _ACRONYM.match(gloss):
                n = _initials_match(before[-8:], gloss)
                if not n:
                    continue
                term = " ".join(before[-n:])
            elif _ACRONYM.match(before[-1]) and _initials_match(gloss.split(), before[-1]):
                term = before[-1]  # "FISH (fluorescence in situ hybridization)"
            else:
                term = _trailing_term(before[-MAX_TERM_WORDS:], phrase_counts)
                if term is None or term.lower() == gloss.lower():
                    continue
            key = (term.lower(), gloss.lower())
            pairs.setdefault(key, {"term": term, "gloss": gloss, "passage": passage.id})
    return list(pairs.values())


def write_glossary(passages: list[Passage], out_dir: Path) -> None:
    write_json(out_dir / index_files.GLOSSARY, harvest(passages))
