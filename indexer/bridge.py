"""Vectors of the corpus's own content words, for bridging a reader's words to them.

A patient writes "pee", "germs", "lone tumor"; the documents say "urine",
"bacteria", "solitary". The synonym file cannot list every such pair, so the
indexer embeds each content word the corpus uses, once, and the search side
maps a query word the corpus never uses to its nearest corpus words.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from core import analysis, models

from .lexical import lexical_text
from .passages import Passage
from .store import write_json

WORDS_FILE = "bridge_words.json"
VECTORS_FILE = "bridge_vectors.npy"


def content_words(passages: list[Passage]) -> list[str]:
    """Distinct words worth bridging to: alphabetic, three letters or more, not stopwords."""
    stop = set(analysis.STOPWORDS)
    seen: dict[str, None] = {}
    for p in passages:
        for word in analysis.words(lexical_text(p)):
            if len(word) > 2 and word not in stop and analysis.bm25_tokens([word])[0]:
                seen.setdefault(word, None)
    return sorted(seen)


def write_bridge(model, passages: list[Passage], out_dir: Path, batch_size: int) -> int:
    words = content_words(passages)
    vectors = models.embed(model, words, batch_size=batch_size, progress=False)
    write_json(out_dir / WORDS_FILE, words)
    np.save(out_dir / VECTORS_FILE, np.asarray(vectors, dtype=np.float32))
    return len(words)
