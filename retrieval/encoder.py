"""Query text to vectors: the one place the request path runs the model.

The model is the ONNX export the index build carries (ONNX Runtime and the
model's own fast tokenizer: no torch in the serving process). Concurrent
requests' texts are embedded together (batching.py); a repeated query skips
the model (LRU).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

import numpy as np

from core import models, settings

from .batching import MicroBatcher
from .bridging import WordVectorCache


def batch_slots() -> int:
    """Model calls a worker may run at once without the workers' calls sharing a core."""
    cores = os.cpu_count() or 1
    per_call = settings.NATIVE_THREADS or cores
    return max(cores // (per_call * settings.WEB_WORKERS), 1)


class QueryEncoder:
    """Embeds queries (LRU-cached: a repeated query skips the model) and single words."""

    def __init__(self, model_name: str, build_dir: Path | None = None):
        self.model = models.load_query_embedder(model_name, build_dir)
        self.batcher = MicroBatcher(
            self._run, settings.BATCH_MAX, settings.BATCH_WINDOW_MS / 1000, batch_slots()
        )
        self._query = lru_cache(maxsize=max(settings.QUERY_CACHE_SIZE, 1))(self._embed)
        self.words = WordVectorCache(self.embed_words, settings.WORD_CACHE_SIZE)

    def _run(self, texts: list[str]) -> np.ndarray:
        return models.embed(self.model, texts, batch_size=max(len(texts), 1))

    def _embed(self, text: str) -> np.ndarray:
        vector = self.batcher.embed([text])
        vector.setflags(write=False)
        return vector

    def query(self, text: str) -> np.ndarray:
        return self._query(text)

    def embed_words(self, words: list[str]) -> np.ndarray:
        if not words:
            return self._run(words)
        return self.batcher.embed(words)

    def clear_cache(self) -> None:
        self._query.cache_clear()
        self.words.clear()
