"""Synthetic corpora for the scale study: vectors shaped like sentence embeddings, and passage text.

Uniform random unit vectors are the wrong test: in 384 dimensions every pair
is nearly orthogonal, which real embeddings are not. These vectors have the
structure of a real collection instead: a shared direction (one language,
one field), many topics, variation inside each topic along that topic's own
few directions, variation shared by all topics (style, length), and a little
isotropic noise. A library grows by adding topics, so the number of topics
grows with the corpus (100 passages each).

The weights were chosen with `python -m eval.scale_calibrate`, which embeds
12,000 real sentences with the service's model and compares: local intrinsic
dimensionality (what makes nearest-neighbour search hard) about 20 for both,
and similar top-1 / top-10 / mean cosines (README, "Scaling"). A first
version whose within-topic variation lay in one 64-d subspace shared by all
topics had HNSW recall@10 fall from 0.99 at 100k to 0.36 at 1M; real
embeddings are local in a way that model was not.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

DIM = 384  # all-MiniLM-L6-v2
# Weights of: shared direction, topic centre, within-topic, shared-by-all, noise.
DOMAIN, TOPIC, LOCAL, SHARED, NOISE = 0.3, 0.45, 0.6, 0.45, 0.25
LOCAL_RANK, SHARED_RANK = 20, 64
PASSAGES_PER_TOPIC = 100


class World:
    """The fixed structure from which passages and queries are drawn."""

    def __init__(self, n_topics: int, dim: int = DIM, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.domain = _unit(rng.standard_normal(dim).astype(np.float32))
        self.topics = _unit(rng.standard_normal((n_topics, dim)).astype(np.float32))
        scale = np.float32(1 / np.sqrt(dim))
        self.local = rng.standard_normal((n_topics, LOCAL_RANK, dim), dtype=np.float32) * scale
        self.shared = rng.standard_normal((SHARED_RANK, dim), dtype=np.float32) * scale

    @classmethod
    def for_corpus(cls, n_passages: int, dim: int = DIM, seed: int = 0) -> "World":
        """A library grows by adding topics, not by adding passages to the same few."""
        return cls(max(10, n_passages // PASSAGES_PER_TOPIC), dim, seed)

    def sample(self, count: int, seed: int, chunk: int = 10_000) -> np.ndarray:
        """`count` unit vectors, float32, made in chunks to bound temporary memory."""
        rng = np.random.default_rng(seed)
        out = np.empty((count, self.dim), dtype=np.float32)
        for start in range(0, count, chunk):
            m = min(chunk, count - start)
            topic = rng.integers(0, len(self.topics), m)
            z_local = rng.standard_normal((m, LOCAL_RANK), dtype=np.float32) / np.float32(np.sqrt(LOCAL_RANK))
            local = np.einsum("mr,mrd->md", z_local, self.local[topic])
            z_shared = rng.standard_normal((m, SHARED_RANK), dtype=np.float32) / np.float32(np.sqrt(SHARED_RANK))
            noise = rng.standard_normal((m, self.dim), dtype=np.float32) / np.float32(np.sqrt(self.dim))
            x = (DOMAIN * self.domain + TOPIC * self.topics[topic] + LOCAL * local
                 + SHARED * (z_shared @ self.shared) + NOISE * noise)
            out[start:start + m] = _unit(x)
        return out


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / norms).astype(np.float32)


def similarity_profile(corpus: np.ndarray, queries: np.ndarray) -> dict:
    """Mean top-1, top-10 and overall query-passage cosine: to compare with the real corpus."""
    sims = queries @ corpus.T
    top = -np.sort(-sims, axis=1)
    return {"top1": float(top[:, 0].mean()), "top10": float(top[:, 9].mean()),
            "mean": float(sims.mean())}


def passage_texts(index_dir: Path, corpus_dir: Path, words: int = 110) -> list[str]:
    """The real passages when an index exists, else the corpus cut into `words`-word pieces."""
    for candidate in (index_dir / "current" / "passages.jsonl", index_dir / "passages.jsonl"):
        if candidate.is_file():
            with open(candidate, encoding="utf-8") as fh:
                return [json.loads(line)["text"] for line in fh if line.strip()]
    texts = []
    for path in sorted(corpus_dir.glob("*.txt")):
        tokens = path.read_text(encoding="utf-8").split()
        texts += [" ".join(tokens[i:i + words]) for i in range(0, len(tokens), words)]
    return texts
