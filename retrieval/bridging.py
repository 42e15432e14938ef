"""Bridge a reader's words to the words the corpus uses, through the embedding model.

BM25 only matches words the documents contain, and the synonym file only the
pairs a maintainer thought of. A query word the corpus never uses ("pee",
"germs", "skeleton") is looked up in a lexicon of common English words whose
vectors the indexer computed (or embedded, if rarer) and replaced, for BM25,
by its nearest corpus content words ("urine", "bacteria", "skeletal",
"bones"). Words the corpus already has are left alone.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from core import analysis


def content_words(text: str, stop) -> list[str]:
    """Words that can carry a question's subject: three letters or more, no
    stopwords, in order, once each."""
    return [w for w in dict.fromkeys(analysis.words(text)) if len(w) >= 3 and w not in stop]


class VocabularyBridge:
    def __init__(
        self,
        words: list[str],
        vectors: np.ndarray,
        known_tokens,
        min_similarity: float,
        neighbours: int,
        lexicon: list[str] = (),
        lexicon_vectors: np.ndarray | None = None,
    ):
        self.words = words
        self.vectors = vectors
        self.tokens = [tuple(t) for t in analysis.bm25_tokens(words)] if words else []
        self.known = known_tokens  # BM25 vocabulary: tokens the corpus has
        self.min_similarity = min_similarity
        self.neighbours = neighbours
        self._stop = frozenset(analysis.STOPWORDS)
        # Common English words' vectors, computed by the indexer (float16 on disk).
        self.lexicon = {w: i for i, w in enumerate(lexicon)}
        self.lexicon_vectors = lexicon_vectors

    def word_vectors(self, words: list[str], embed) -> np.ndarray:
        """From the lexicon where it has the word; `embed` (the model) for the rest."""
        rows = [self.lexicon.get(w) for w in words]
        missing = self.unlisted(words)
        fresh = iter(embed(missing)) if missing else iter(())
        out = [
            self.lexicon_vectors[r].astype(np.float32) if r is not None else next(fresh)
            for r in rows
        ]
        return np.asarray(out, dtype=np.float32).reshape(len(words), -1)

    def unlisted(self, words: list[str]) -> list[str]:
        """Those of `words` the lexicon lacks: the ones `word_vectors` gives the model."""
        return [w for w in words if w not in self.lexicon]

    def unknown_words(self, text: str) -> list[str]:
        """Content words of the query that no passage contains, in order, once each."""
        return self.unknown(content_words(text, self._stop))

    def unknown(self, words: list[str]) -> list[str]:
        """Those of `words` (content words, see content_words) that no passage contains."""
        tokens = analysis.bm25_tokens(words) if words else []
        return [w for w, t in zip(words, tokens) if t and not any(x in self.known for x in t)]

    def foreignness(
        self,
        words: list[str],
        word_vectors: np.ndarray,
        query_vector: np.ndarray | None = None,
        n_words: int | None = None,
        similarities: np.ndarray | None = None,
    ) -> float:
        """How much of the query is made of words far from anything the corpus says.

        A word no passage contains and whose nearest corpus word is far away
        ("banana", "prostate", "contagious") names a topic the library lacks.
        It counts more the rarer it is in English, since common words ("lot",
        "kind") carry little of a question's subject, and the closer it is to
        the whole query, since a word the question is about ("myeloma diet")
        matters more than a turn of phrase ("mess up my kidneys"). The words'
        shares add up over the query's `n_words` content words: a question
        about everyday life ("drinking wine or a special diet") is foreign in
        several words, a clinical one with one odd word is not."""
        if not len(words) or not len(self.words):
            return 0.0
        word_vectors = np.asarray(word_vectors, dtype=np.float32)
        if similarities is None:
            similarities = self.similarities(word_vectors)
        nearest = similarities.max(axis=1)
        size = max(len(self.lexicon), 1)
        rarity = np.log1p([self.lexicon.get(w, size) for w in words]) / np.log1p(size)
        weight = rarity
        if query_vector is not None:
            weight = rarity * np.clip(word_vectors @ np.asarray(query_vector).reshape(-1), 0.0, 1.0)
        return float(np.sum((1.0 - nearest) * weight) / max(n_words or len(words), 1))

    def similarities(self, word_vectors: np.ndarray) -> np.ndarray:
        """Cosine of each word vector with each corpus word (words x corpus words):
        one pass over the corpus words' vectors, for `expand` and `foreignness` both."""
        return np.asarray(word_vectors, dtype=np.float32) @ self.vectors.T

    def neighbours_of(self, vector: np.ndarray, sims: np.ndarray | None = None) -> list[int]:
        """`sims`: the vector's row of `similarities`, when already computed."""
        if sims is None:
            sims = self.vectors @ vector
        top = np.argpartition(-sims, min(self.neighbours, len(sims) - 1))[: self.neighbours]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [int(i) for i in top if sims[i] >= self.min_similarity]

    def expand(
        self, word_vectors: np.ndarray, tokens: list[str], similarities: np.ndarray | None = None
    ) -> list[str]:
        """BM25 tokens of the corpus words nearest to each unknown word, not already in `tokens`."""
        added: list[str] = []
        if not len(self.words):
            return added
        if similarities is None:
            similarities = [None] * len(word_vectors)
        for vector, sims in zip(word_vectors, similarities):
            for i in self.neighbours_of(vector, sims):
                added.extend(t for t in self.tokens[i] if t not in tokens and t not in added)
        return added


class VectorCache:
    """LRU of vectors by text, shared by a worker's request threads."""

    def __init__(self, size: int):
        self.size = max(size, 1)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, texts: list[str]) -> dict[str, np.ndarray]:
        """The vectors held for `texts`; the others are absent."""
        with self._lock:
            return {t: self._cache[t] for t in texts if t in self._cache}

    def store(self, found: dict[str, np.ndarray], order: list[str]) -> None:
        """Keep `found` and mark `order` (its keys, as asked) the most recently used."""
        with self._lock:
            for t in order:
                self._cache[t] = found[t]
                self._cache.move_to_end(t)
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()


class WordVectorCache(VectorCache):
    """LRU of word vectors: words recur across questions far more than whole questions do."""

    def __init__(self, embed, size: int):
        super().__init__(size)
        self.embed = embed  # list[str] -> array, one model call

    def vectors(self, words: list[str]) -> np.ndarray:
        found = self.cached(words)
        missing = [w for w in words if w not in found]
        if missing:  # the model runs outside the lock
            found.update(zip(missing, self.embed(missing)))
        self.store(found, words)
        return np.asarray([found[w] for w in words], dtype=np.float32).reshape(len(words), -1)
