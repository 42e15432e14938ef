"""Which terms each passage defines, for questions that ask what a term means.

"What does refractory mean?" is answered by the sentence that defines the word
("... are called refractory when ..."), not by the passages that merely use
it, such as the treatment list under "Treatment of Relapsed or Refractory
Multiple Myeloma". Two defining shapes are recognised, in any passage: "called
[a|an|the] TERM" and "TERM is/are [not] a|an|the|when|called". And structure: a
section headed by a name rather than a sentence ("Chemotherapy", "Monoclonal
gammopathy of undetermined significance (MGUS)") is where the document
describes that thing, so its first passage defines the heading's words, unless
the heading names a topic about the thing ("Treatment of ...", "Stages of ...").
Stored as stems per passage.
"""

from __future__ import annotations

import re
from pathlib import Path

from core import analysis, index_files

from .passages import Passage
from .store import write_json

FILE = index_files.DEFINITIONS
# The named term runs to the next punctuation or clause word, at most four words.
_WORD = r"[^\W\d_][\w-]*"
_CLAUSE = r"(?:when|if|because|and|or|that|which|in|of|to|by|for|with|is|are)\b"
_CALLED = re.compile(
    rf"\bcalled\s+(?:an?\s+|the\s+)?({_WORD}(?:\s+(?!{_CLAUSE}){_WORD}){{0,3}})", re.I
)
_COPULA = re.compile(
    r"([^\W\d_][\w-]*)\)?\s+(?:is|are)\s+(?:not\s+)?(?:an?|the|when|called)\b", re.I
)
# A glossary-style label: "PET scan (positron emission tomography scan) : A procedure
# ...", "Consolidation therapy : This is the second phase ...": one to six words
# opening a sentence, then a colon and a defining start.
_LABEL = re.compile(
    r"(?:^|[.:]\s+)((?:(?!(?:the|on|following|depends?|may|can|is|are)\b)[^\W\d_][\w-]*\s*"
    r"(?:\([^)]{0,60}\)\s*)?){1,6}?)\s*:\s+(?:an?|the|this\s+is)\b",
    re.I,
)
# A heading that is a name: short, no sentence end, not a topic about a thing.
_NAME_HEADING_MAX_WORDS = 8
_TOPIC = re.compile(
    r"^\s*(treatments?|stages?|types?|tests?|signs?|causes?|risks?|about|how|what|why|to)\b", re.I
)


def defined_terms(text: str) -> list[str]:
    """Stems of the words `text` defines, in order, once each."""
    words = (
        [w for m in _CALLED.finditer(text) for w in m.group(1).split()]
        + [m.group(1) for m in _COPULA.finditer(text)]
        + [w for m in _LABEL.finditer(text) for w in m.group(1).split()]
    )
    stems: list[str] = []
    for word in words:
        for stem in analysis.bm25_tokens([word])[0]:
            if stem not in stems:
                stems.append(stem)
    return stems


def names_a_thing(heading: str) -> bool:
    """A heading that names what its section describes, not a sentence or a topic."""
    words = heading.split()
    return (
        0 < len(words) <= _NAME_HEADING_MAX_WORDS
        and not heading.rstrip().endswith((".", ":", "?"))
        and not _TOPIC.match(heading)
    )


def heading_terms(passages: list[Passage]) -> list[list[str]]:
    """Per passage: the stems of its innermost heading when that heading names a
    thing and the passage opens the section."""
    out, previous = [], None
    for p in passages:
        key = (p.doc_id, tuple(p.section))
        first = key != previous
        previous = key
        heading = p.section[-1] if p.section else ""
        out.append(analysis.bm25_tokens([heading])[0] if first and names_a_thing(heading) else [])
    return out


def write_definitions(passages: list[Passage], out_dir: Path) -> None:
    by_heading = heading_terms(passages)
    write_json(
        out_dir / FILE,
        [
            list(dict.fromkeys(defined_terms(p.text) + extra))
            for p, extra in zip(passages, by_heading)
        ],
    )
