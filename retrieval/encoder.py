"""Query text to vectors: the one place the request path runs the model."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from core import models, settings

from .bridging import WordVectorCache

# The model's cost grows with the word pieces it is given, up to its own limit
# (256): a question never needs more than these (special tokens included), so an
# attacker's text is cut here, and so is each word the vocabulary bridge embeds.
MAX_QUERY_TOKENS = 96
MAX_WORD_TOKENS = 12


def clip(tokenizer, text: str, limit: int = MAX_QUERY_TOKENS) -> str:
    """`text` cut after the word piece that fills `limit` (special tokens included);
    as it is when the model has no tokenizer to count with."""
    if tokenizer is None:
        return text
    pieces = tokenizer(text, truncation=True, max_length=limit, return_offsets_mapping=True)
    offsets = [end for start, end in pieces["offset_mapping"] if end > start]
    if len(pieces["input_ids"]) < limit or not offsets:
        return text
    return text[: offsets[-1]]


class QueryEncoder:
    """Embeds queries (LRU-cached: a repeated query skips the model) and single words."""

    def __init__(self, model_name: str):
        self.model = models.load_embedder(model_name)
        self._query = lru_cache(maxsize=max(settings.QUERY_CACHE_SIZE, 1))(self._embed)
        self.words = WordVectorCache(self.embed_words, settings.WORD_CACHE_SIZE)

    def _embed(self, text: str) -> np.ndarray:
        vector = models.embed(self.model, [clip(self._tokenizer(), text)])
        vector.setflags(write=False)
        return vector

    def _tokenizer(self):
        return getattr(self.model, "tokenizer", None)

    def query(self, text: str) -> np.ndarray:
        return self._query(text)

    def embed_words(self, words: list[str]) -> np.ndarray:
        words = [clip(self._tokenizer(), w, MAX_WORD_TOKENS) for w in words]
        return models.embed(self.model, words, batch_size=max(len(words), 1))

    def clear_cache(self) -> None:
        self._query.cache_clear()
        self.words.clear()
