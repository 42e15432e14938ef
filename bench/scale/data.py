"""Synthetic corpora for the scale study: vectors shaped like sentence embeddings, and passage text.

Uniform random unit vectors are the wrong test: in 384 dimensions every pair
is nearly orthogonal, which real embeddings are not. These vectors have the
structure of a real collection instead: a shared direction (one language,
one field), many topics, variation inside each topic along that topic's own
few directions, variation shared by all topics (style, length), and a little
isotropic noise. A library grows by adding topics, so the number of topics
grows with the corpus (100 passages each).

The weights were chosen with `python -m bench.scale.calibrate`, which embeds
12,000 real sentences with the service's model and compares them with a
synthetic world of the same size: local intrinsic dimensionality (how hard
nearest-neighbour search is near a query) about 20 for both; mean
query-passage cosine 0.07 vs 0.08; and, from 120 k-means clusters, the cosine
of a cluster to its nearest and fifth-nearest neighbour cluster (0.60 / 0.50
vs 0.66 / 0.53) and to all others (0.26 vs 0.25).

That last comparison is why topics form a tree. A first generator drew topic
centres independently: its clusters had no near neighbours (0.45 vs real
0.66), so graph search had nothing to follow towards a query's topic, and
HNSW recall@10 fell from 0.999 at 100k passages to 0.61 at 1M, a property of
that generator, not of real embeddings.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from core import index_files

DIM = 384  # all-MiniLM-L6-v2
# Weights of: shared direction, topic centre, within-topic, shared-by-all, noise.
DOMAIN, TOPIC, LOCAL, SHARED, NOISE = 0.15, 0.45, 0.6, 0.45, 0.25
LOCAL_RANK, SHARED_RANK = 20, 64
PASSAGES_PER_TOPIC = 100
# Topics are leaves of a tree (ten children per node): a topic's centre mixes
# its own direction with its parent's, grandparent's, ... each weighted PARENT
# times the one below. Real collections are nested like this (myeloma within
# blood cancers within cancer), and search relies on it: from anywhere, some
# neighbour is a step closer to any topic.
BRANCHING, PARENT = 10, 0.7


class World:
    """The fixed structure from which passages and queries are drawn."""

    def __init__(self, n_topics: int, dim: int = DIM, seed: int = 0):
        rng = np.random.default_rng(seed)
        self.dim = dim
        self.domain = _unit(rng.standard_normal(dim).astype(np.float32))
        self.topics = _topic_tree(rng, n_topics, dim)
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
            z_local = rng.standard_normal((m, LOCAL_RANK), dtype=np.float32) / np.float32(
                np.sqrt(LOCAL_RANK)
            )
            local = np.einsum("mr,mrd->md", z_local, self.local[topic])
            z_shared = rng.standard_normal((m, SHARED_RANK), dtype=np.float32) / np.float32(
                np.sqrt(SHARED_RANK)
            )
            noise = rng.standard_normal((m, self.dim), dtype=np.float32) / np.float32(
                np.sqrt(self.dim)
            )
            x = (
                DOMAIN * self.domain
                + TOPIC * self.topics[topic]
                + LOCAL * local
                + SHARED * (z_shared @ self.shared)
                + NOISE * noise
            )
            out[start : start + m] = _unit(x)
        return out


def _topic_tree(rng: np.random.Generator, n_topics: int, dim: int) -> np.ndarray:
    """Unit topic centres: sum over the ancestors at each level L of PARENT**L times their direction."""
    centres = np.zeros((n_topics, dim), dtype=np.float32)
    leaf = np.arange(n_topics)
    level, span = 0, 1
    while True:
        node = leaf // span
        directions = _unit(rng.standard_normal((int(node.max()) + 1, dim)).astype(np.float32))
        centres += np.float32(PARENT**level) * directions[node]
        if node.max() == 0:
            return _unit(centres)
        level, span = level + 1, span * BRANCHING


def _unit(x: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(x, axis=-1, keepdims=True)
    return (x / norms).astype(np.float32)


def similarity_profile(corpus: np.ndarray, queries: np.ndarray) -> dict:
    """Mean top-1, top-10 and overall query-passage cosine: to compare with the real corpus."""
    sims = queries @ corpus.T
    top = -np.sort(-sims, axis=1)
    return {
        "top1": float(top[:, 0].mean()),
        "top10": float(top[:, 9].mean()),
        "mean": float(sims.mean()),
    }


def passage_texts(index_dir: Path, corpus_dir: Path, words: int = 110) -> list[str]:
    """The real passages when an index exists, else the corpus cut into `words`-word pieces."""
    for candidate in (
        index_dir / index_files.CURRENT / index_files.PASSAGES,
        index_dir / index_files.PASSAGES,
    ):
        if candidate.is_file():
            with open(candidate, encoding="utf-8") as fh:
                return [json.loads(line)["text"] for line in fh if line.strip()]
    texts = []
    for path in sorted(corpus_dir.glob("*.txt")):
        tokens = path.read_text(encoding="utf-8").split()
        texts += [" ".join(tokens[i : i + words]) for i in range(0, len(tokens), words)]
    return texts
