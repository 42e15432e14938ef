"""Vectors of the corpus's own content words, for bridging a reader's words to them.

A patient writes "pee", "germs", "lone tumor"; the documents say "urine",
"bacteria", "solitary". The synonym file cannot list every such pair, so the
indexer embeds each content word the corpus uses, once, and the search side
maps a query word the corpus never uses to its nearest corpus words.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core import analysis, index_files, models

from .lexical import lexical_text
from .passages import Passage
from .store import write_json

WORDS_FILE = index_files.BRIDGE_WORDS
VECTORS_FILE = index_files.BRIDGE_VECTORS


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


LEXICON_WORDS_FILE = index_files.LEXICON_WORDS
LEXICON_VECTORS_FILE = index_files.LEXICON_VECTORS


def lexicon_words(size: int) -> list[str]:
    """The commonest English words (pyspellchecker's frequency list), stopwords out.

    Their vectors are computed at index time so that bridging a typical lay
    word costs the request no model work; rarer words are embedded when asked.
    """
    from spellchecker import SpellChecker

    stop = set(analysis.STOPWORDS)
    frequency = SpellChecker(language="en").word_frequency.dictionary
    ranked = sorted(frequency.items(), key=lambda item: (-item[1], item[0]))
    return [w for w, _ in ranked if w.isalpha() and len(w) > 2 and w not in stop][:size]


def lexicon_vectors(model_name: str, size: int, cache_dir: Path) -> tuple[list[str], np.ndarray]:
    """Vectors of `lexicon_words(size)`; they depend only on the model, so every
    build (and every test index) shares one cached copy per model."""
    import hashlib

    words = lexicon_words(size)
    from .incremental import model_identity

    key = hashlib.sha256(("\n".join([model_identity(model_name)] + words)).encode())
    cached = Path(cache_dir) / f"lexicon-{key.hexdigest()[:16]}.npy"
    if cached.is_file():
        vectors = np.load(cached)
        if vectors.shape[0] == len(words):
            return words, vectors
    model = models.load_embedder(model_name)
    vectors = models.embed(model, words, batch_size=256).astype(np.float16)
    cached.parent.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_name(cached.name + f".{os.getpid()}.tmp")
    with open(tmp, "wb") as fh:
        np.save(fh, vectors)
    os.replace(tmp, cached)
    return words, vectors


def write_lexicon(model_name: str, size: int, cache_dir: Path, out_dir: Path) -> None:
    words, vectors = lexicon_vectors(model_name, size, cache_dir)
    write_json(out_dir / LEXICON_WORDS_FILE, words)
    np.save(out_dir / LEXICON_VECTORS_FILE, vectors)
