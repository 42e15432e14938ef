"""Query text to vectors: the one place the request path runs the model.

The model is the ONNX export the index build carries (ONNX Runtime and the
model's own fast tokenizer: no torch in the serving process). Concurrent
requests' texts are embedded together (batching.py); a repeated query skips
the model (LRU).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from core import models, settings

from .batching import MicroBatcher
from .bridging import VectorCache, WordVectorCache

# The model's cost grows with the word pieces it is given, up to its own limit
# (256): a question never needs more than these (special tokens included), so an
# attacker's text is cut here, and so is each word the vocabulary bridge embeds.
MAX_QUERY_TOKENS = 96
MAX_WORD_TOKENS = 12


def clip(tokenizer, text: str, limit: int = MAX_QUERY_TOKENS) -> str:
    """`text` cut after the word piece that fills `limit` (special tokens included);
    as it is when the model has no tokenizer to count with. `tokenizer` is the
    model's own (a `tokenizers.Tokenizer`)."""
    if tokenizer is None or (text.isascii() and len(text) + 2 <= limit):
        # An ASCII character is at most one word piece (lowercased, never split
        # further), so such a text, with its two special tokens, fits as it is.
        return text
    return clip_by_counting(tokenizer, text, limit)


def clip_by_counting(tokenizer, text: str, limit: int) -> str:
    """`clip` without its shortcut: the word pieces always counted."""
    encoding = tokenizer.encode(text)
    ends = [
        end
        for (start, end), special in zip(encoding.offsets, encoding.special_tokens_mask)
        if not special and end > start
    ]
    if len(encoding.ids) <= limit or not ends:
        return text
    return text[: ends[limit - 3]] if len(ends) > limit - 3 else text


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
        self.queries = VectorCache(settings.QUERY_CACHE_SIZE)
        self.words = WordVectorCache(self.embed_words, settings.WORD_CACHE_SIZE)

    def _run(self, texts: list[str]) -> np.ndarray:
        return models.embed(self.model, texts, batch_size=max(len(texts), 1))

    def _tokenizer(self):
        return getattr(self.model, "tokenizer", None)

    def query(self, text: str) -> np.ndarray:
        return self.query_and_words(text, [])[0]

    def query_and_words(self, text: str, words: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """The query's vector (1 x d, read-only: cached and shared) and the vectors of
        `words` (the bridge's, len(words) x d). Whatever neither cache holds goes
        to the model in one call: the query and its words ride in the same batch."""
        vector = self.queries.cached([text]).get(text)
        found = self.words.cached(words)
        missing = [w for w in dict.fromkeys(words) if w not in found]
        tokenizer = self._tokenizer()
        texts = [] if vector is not None else [clip(tokenizer, text)]
        texts += [clip(tokenizer, w, MAX_WORD_TOKENS) for w in missing]
        rows = self.batcher.embed(texts) if texts else None
        if vector is None:
            vector, rows = rows[:1], rows[1:]
            vector.setflags(write=False)
        self.queries.store({text: vector}, [text])
        if words:
            found.update(zip(missing, rows if missing else ()))
            self.words.store(found, words)
        dimension = vector.shape[-1]
        stacked = np.asarray([found[w] for w in words], dtype=np.float32)
        return vector, stacked.reshape(len(words), dimension)

    def embed_words(self, words: list[str]) -> np.ndarray:
        if not words:
            return self._run(words)
        return self.batcher.embed([clip(self._tokenizer(), w, MAX_WORD_TOKENS) for w in words])

    def clear_cache(self) -> None:
        self.queries.clear()
        self.words.clear()
