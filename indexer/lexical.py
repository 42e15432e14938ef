"""The lexical side of the index: BM25 over passages and the corpus vocabulary.

Built here, at index time, so that no request ever tokenises a passage.
"""

from __future__ import annotations

import collections
from pathlib import Path

import bm25s

from core import analysis, index_files

from .passages import Passage
from .store import write_json


def lexical_text(passage: Passage) -> str:
    """Headings are searchable words too: "Targeted therapy" names its passages."""
    return " ".join(passage.section) + "\n" + passage.text


def write_bm25(passages: list[Passage], out_dir: Path) -> None:
    retriever = bm25s.BM25()
    retriever.index(analysis.bm25_tokens([lexical_text(p) for p in passages]), show_progress=False)
    retriever.save(str(out_dir / index_files.BM25))


def write_vocabulary(passages: list[Passage], out_dir: Path) -> None:
    """Word counts of the corpus, which spelling correction corrects towards."""
    counts = collections.Counter()
    for p in passages:
        counts.update(analysis.words(lexical_text(p)))
    write_json(out_dir / index_files.VOCABULARY, dict(counts.most_common()))
