"""Which terms each passage defines, for questions that ask what a term means.

"What does refractory mean?" is answered by the sentence that defines the word
("... are called refractory when ..."), not by the passages that merely use
it, such as the treatment list under "Treatment of Relapsed or Refractory
Multiple Myeloma". Two defining shapes are recognised, in any passage: "called
[a|an|the] TERM" and "TERM is/are a|an|the|when|called". Stored as the stems
of TERM's head word per passage.
"""

from __future__ import annotations

import re
from pathlib import Path

from core import analysis, index_files

from .passages import Passage
from .store import write_json

FILE = index_files.DEFINITIONS
_CALLED = re.compile(r"\bcalled\s+(?:an?\s+|the\s+)?([^\W\d_][\w-]*)", re.I)
_COPULA = re.compile(r"([^\W\d_][\w-]*)\)?\s+(?:is|are)\s+(?:an?|the|when|called)\b", re.I)


def defined_terms(text: str) -> list[str]:
    """Stems of the words `text` defines, in order, once each."""
    words = [m.group(1) for m in _CALLED.finditer(text)] + [
        m.group(1) for m in _COPULA.finditer(text)
    ]
    stems: list[str] = []
    for word in words:
        for stem in analysis.bm25_tokens([word])[0]:
            if stem not in stems:
                stems.append(stem)
    return stems


def write_definitions(passages: list[Passage], out_dir: Path) -> None:
    write_json(out_dir / FILE, [defined_terms(p.text) for p in passages])
