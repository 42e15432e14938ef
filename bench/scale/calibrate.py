"""Is the scale study's synthetic data as hard to search as real embeddings? ``python -m bench.scale.calibrate``

Approximate search is easy or hard depending on the data, not only on its
size: what matters is how many points sit almost as close to a query as its
true neighbours (local intrinsic dimensionality, LID). Our corpus has a few
hundred passages, too few to say; so this embeds some thousands of real
English sentences that are already on the machine (the docstrings of the
installed Python packages), with the service's own model, and measures LID
and HNSW recall on them beside synthetic worlds of the same size. The
synthetic generator's constants in bench/scale/data.py were chosen from this
comparison (README, "Scaling").
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import sys
import sysconfig
from pathlib import Path

import numpy as np

from core import models, settings
from eval.result_files import parse_with_output
from indexer.dense_index import HNSW, build_dense_index

from .data import World

SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def docstring_sentences(limit: int, seed: int = 0) -> list[str]:
    """Prose sentences (8-40 words, mostly letters) from installed packages' docstrings."""
    root = Path(sysconfig.get_paths()["purelib"])
    seen: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="ignore"))
        except (SyntaxError, ValueError, RecursionError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node) or ""
                for s in SENTENCE.split(" ".join(doc.split())):
                    words = s.split()
                    letters = sum(c.isalpha() or c == " " for c in s) / max(len(s), 1)
                    if 8 <= len(words) <= 40 and letters > 0.9:
                        seen.add(s)
        if len(seen) >= 4 * limit:
            break
    pool = sorted(seen)
    rng = np.random.default_rng(seed)
    return [pool[i] for i in rng.choice(len(pool), size=min(limit, len(pool)), replace=False)]


def lid_mle(corpus: np.ndarray, queries: np.ndarray, k: int = 20) -> float:
    """Median maximum-likelihood local intrinsic dimensionality over the queries (Levina-Bickel)."""
    sims = queries @ corpus.T
    top = -np.sort(-sims, axis=1)[:, :k]
    dist = np.sqrt(np.maximum(2 - 2 * top, 1e-12))  # unit vectors: Euclidean from cosine
    ratios = np.log(dist[:, -1:] / dist[:, :-1])
    return float(np.median((k - 1) / np.sum(ratios, axis=1)))


def hnsw_recall(corpus: np.ndarray, queries: np.ndarray, ef_values=(32, 64, 128)) -> dict:
    exact = np.argsort(-(queries @ corpus.T), axis=1)[:, :10]
    index = build_dense_index(corpus, HNSW)
    out = {}
    for ef in ef_values:
        index.hnsw.efSearch = ef
        _, found = index.search(queries, 10)
        out[str(ef)] = float(np.mean([len(set(f) & set(e)) / 10 for f, e in zip(found, exact)]))
    return out


def cluster_neighbours(corpus: np.ndarray, clusters: int) -> dict:
    """How close clusters sit to their nearest other clusters: the nesting graph search follows."""
    import faiss

    km = faiss.Kmeans(corpus.shape[1], clusters, niter=25, seed=1, spherical=True)
    km.train(np.ascontiguousarray(corpus))
    c = km.centroids / np.linalg.norm(km.centroids, axis=1, keepdims=True)
    sims = c @ c.T
    np.fill_diagonal(sims, -np.inf)
    near = -np.sort(-sims, axis=1)
    return {
        "nearest": float(np.median(near[:, 0])),
        "fifth": float(np.median(near[:, 4])),
        "mean": float(sims[np.isfinite(sims)].mean()),
    }


def profile(corpus: np.ndarray, queries: np.ndarray) -> dict:
    sims = queries @ corpus.T
    top = -np.sort(-sims, axis=1)
    return {
        "lid": lid_mle(corpus, queries),
        "top1": float(top[:, 0].mean()),
        "top10": float(top[:, 9].mean()),
        "mean": float(sims.mean()),
        "clusters": cluster_neighbours(corpus, max(2, len(corpus) // 100)),
        "hnsw_recall_at_10": hnsw_recall(corpus, queries),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.scale.calibrate")
    p.add_argument("--sentences", type=int, default=12_000)
    p.add_argument("--queries", type=int, default=300)
    a = parse_with_output(p, argv)
    texts = docstring_sentences(a.sentences + a.queries)
    model = models.load_embedder(settings.EMBED_MODEL)
    vectors = models.embed(model, texts, batch_size=64)
    queries, corpus = vectors[: a.queries], vectors[a.queries :]
    n = len(corpus)
    result = {"n": n, "real": profile(corpus, queries)}
    world = World.for_corpus(n)
    result["synthetic"] = profile(world.sample(n, seed=1), world.sample(a.queries, seed=2))
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "scale_calibration.json").write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
