"""Query text to vectors: the one place the request path runs the model."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from core import models, settings

from .bridging import WordVectorCache


class QueryEncoder:
    """Embeds queries (LRU-cached: a repeated query skips the model) and single words."""

    def __init__(self, model_name: str):
        self.model = models.load_embedder(model_name)
        self._query = lru_cache(maxsize=max(settings.QUERY_CACHE_SIZE, 1))(self._embed)
        self.words = WordVectorCache(self.embed_words, settings.WORD_CACHE_SIZE)

    def _embed(self, text: str) -> np.ndarray:
        vector = models.embed(self.model, [text])
        vector.setflags(write=False)
        return vector

    def query(self, text: str) -> np.ndarray:
        return self._query(text)

    def embed_words(self, words: list[str]) -> np.ndarray:
        return models.embed(self.model, words, batch_size=max(len(words), 1))

    def clear_cache(self) -> None:
        self._query.cache_clear()
        self.words.clear()
