"""The scale study: ``python -m bench.scale`` (about 10-15 minutes on 2 cores).

How the search costs grow from today's ~100 passages to whole libraries, at
10k, 100k and 1M passages of synthetic 384-d vectors (bench/scale/data.py)
and replicated real passage text for BM25:

- dense: build time, size, load time (read vs memory-mapped), single-query
  time on one thread (as a worker runs it) and recall@10 against exact
  search, for exact IndexFlatIP and for HNSW as the indexer builds them
  (indexer/dense_index.py), HNSW at several efSearch values;
- BM25 (bm25s, the service's own analyzer): build time, size, query time;
- the rest of the request path that grows with the corpus.

Prints a table and writes results/scale.{json,md,png}. The floor (model
time per query) it compares against comes from bench.json there (or docs/results/).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np

from bench.floor import gold_questions
from core import analysis, index_files, settings
from eval.result_files import REFERENCE_DIR, parse_with_output
from indexer.dense_index import FLAT, HNSW, build_dense_index

from . import report as scale_report
from .data import World, passage_texts, similarity_profile

EF_SWEEP = (32, 64, 128, 256)
K = 10


def timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def cpu_timed(fn):
    """Wall and CPU seconds: CPU time is what a build costs whatever else shares the machine."""
    cpu = time.process_time()
    value, wall = timed(fn)
    return value, wall, time.process_time() - cpu


def single_query_ms(index, queries: np.ndarray, k: int = K) -> float:
    """Median time of one query at a time on one thread: what a worker does per request."""
    import faiss

    faiss.omp_set_num_threads(1)
    times = []
    for q in queries:
        started = time.perf_counter()
        index.search(q[None, :], k)
        times.append(time.perf_counter() - started)
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    return statistics.median(times) * 1000


def recall_at_k(found: np.ndarray, truth: np.ndarray) -> float:
    """Mean share of the exact top-k that the approximate top-k contains."""
    k = truth.shape[1]
    return float(np.mean([len(set(f[f >= 0]) & set(t)) / k for f, t in zip(found, truth)]))


def load_times(index, work: Path, name: str) -> dict:
    """Bytes on disk and seconds for a worker to open it: read into memory vs mapped."""
    import faiss

    path = work / f"{name}.faiss"
    faiss.write_index(index, str(path))
    size = path.stat().st_size
    _, read_s = timed(lambda: faiss.read_index(str(path)))
    gc.collect()
    mapped, mmap_s = timed(lambda: faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC))
    del mapped
    path.unlink()
    return {"bytes": size, "load_read_s": read_s, "load_mmap_s": mmap_s}


def dense_study(n: int, n_queries: int, work: Path, timing_queries: int) -> dict:
    world = World.for_corpus(n)
    corpus, gen_s = timed(lambda: world.sample(n, seed=1))
    queries = world.sample(n_queries, seed=2)
    out = {
        "passages": n,
        "generate_s": gen_s,
        "similarity": similarity_profile(corpus[: min(n, 20_000)], queries[:100]),
    }

    flat, build_s, build_cpu_s = cpu_timed(partial(build_dense_index, corpus, FLAT))
    (_, truth), _ = timed(partial(flat.search, queries, K))
    out["flat"] = {
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "query_ms": single_query_ms(flat, queries[:timing_queries]),
        "recall_at_10": 1.0,
        **load_times(flat, work, "flat"),
    }
    del flat
    gc.collect()

    hnsw, build_s, build_cpu_s = cpu_timed(partial(build_dense_index, corpus, HNSW))
    del corpus
    gc.collect()
    sweep = {}
    for ef in EF_SWEEP:
        hnsw.hnsw.efSearch = ef
        _, found = hnsw.search(queries, K)
        sweep[str(ef)] = {
            "recall_at_10": recall_at_k(found, truth),
            "query_ms": single_query_ms(hnsw, queries),
        }
    hnsw.hnsw.efSearch = settings.DENSE_HNSW_EF_SEARCH
    _, found = hnsw.search(queries, K)
    out["hnsw"] = {
        "build_s": build_s,
        "build_cpu_s": build_cpu_s,
        "M": settings.DENSE_HNSW_M,
        "ef_construction": settings.DENSE_HNSW_EF_CONSTRUCTION,
        "ef_search": settings.DENSE_HNSW_EF_SEARCH,
        "query_ms": single_query_ms(hnsw, queries),
        "recall_at_10": recall_at_k(found, truth),
        "sweep": sweep,
        **load_times(hnsw, work, "hnsw"),
    }
    del hnsw
    gc.collect()
    return out


def bm25_study(
    n: int,
    unique_tokens: list[list[str]],
    tokenize_s_per_passage: float,
    query_tokens: list[list[str]],
) -> dict:
    """BM25 over the real passages replicated to n; scoring as the service's LexicalScorer does."""
    import bm25s

    reps = -(-n // len(unique_tokens))
    tokens = (unique_tokens * reps)[:n]
    retriever = bm25s.BM25()
    _, index_s, index_cpu_s = cpu_timed(partial(retriever.index, tokens, show_progress=False))
    del tokens
    size = sum(v.nbytes for v in retriever.scores.values() if hasattr(v, "nbytes"))
    vocab = retriever.vocab_dict
    times = []
    for q in query_tokens:
        known = [t for t in q if t in vocab]
        if not known:
            continue
        started = time.perf_counter()
        scores = retriever.get_scores(known)
        np.argpartition(-scores, K)[:K]
        times.append(time.perf_counter() - started)
    return {
        "passages": n,
        "index_s": index_s,
        "index_cpu_s": index_cpu_s,
        "tokenize_s": tokenize_s_per_passage * n,  # linear: measured once per passage
        "build_s": index_s + tokenize_s_per_passage * n,
        "bytes": int(size),
        "query_ms": statistics.median(times) * 1000,
    }


def request_path_study(n: int, sentences_per_passage: float, measure_sentences: bool) -> dict:
    """Work the current pipeline does over every passage per query (fusion, sorting, sentences)."""
    rng = np.random.default_rng(3)
    scores = rng.random(n, dtype=np.float32)
    times = []
    for _ in range(5):
        started = time.perf_counter()
        np.argsort(-scores, kind="stable")
        times.append(time.perf_counter() - started)
    out = {"passages": n, "argsort_ms": statistics.median(times) * 1000}
    m = int(n * sentences_per_passage)
    if measure_sentences:
        vectors = rng.standard_normal((m, 384), dtype=np.float32)
        owner = np.repeat(np.arange(n), -(-m // n))[:m]
        q = vectors[0]
        times = []
        for _ in range(5):
            started = time.perf_counter()
            sims = vectors @ q
            best = np.full(n, -1.0, dtype=np.float32)
            np.maximum.at(best, owner, sims)
            times.append(time.perf_counter() - started)
        out["sentence_scan_ms"] = statistics.median(times) * 1000
        out["sentence_scan_measured"] = True
    out["sentences"] = m
    return out


def floor_ms(path: Path) -> float | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))["floor"]["floor_ms"]
    except (OSError, ValueError, KeyError):
        return None


def exact_limit(dense: list[dict], budget_ms: float) -> int:
    """Largest corpus whose exact search fits the budget, from a linear fit of the measurements."""
    n = np.array([d["passages"] for d in dense], dtype=float)
    t = np.array([d["flat"]["query_ms"] for d in dense], dtype=float)
    slope, intercept = np.polyfit(n, t, 1)
    return int(max(0.0, (budget_ms - intercept) / slope))


def sentence_ratio(index_dir: Path) -> float:
    """Sentences per passage in the real index (the re-ranker scans them all)."""
    try:
        build = (
            index_dir / index_files.CURRENT
            if (index_dir / index_files.CURRENT).exists()
            else index_dir
        )
        owner = np.load(build / index_files.SENTENCE_OWNER)
        return float(len(owner)) / float(owner.max() + 1)
    except (OSError, ValueError):
        return 5.0


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__.split("\n")[0])
    p.add_argument(
        "--sizes", default="10000,100000,1000000", help="comma-separated corpus sizes (passages)"
    )
    p.add_argument("--queries", type=int, default=200)
    p.add_argument("--floor-ms", type=float, help="model time per query (default: bench.json)")
    p.add_argument(
        "--index",
        type=Path,
        default=settings.INDEX_DIR,
        help="index whose passages (BM25 text) and sentence counts to use",
    )
    a = parse_with_output(p, argv)
    return a


def main(argv: list[str] | None = None) -> int:
    import faiss

    a = parse_args(argv)
    sizes = [int(s) for s in a.sizes.split(",")]
    faiss.omp_set_num_threads(os.cpu_count() or 1)
    floor = a.floor_ms or floor_ms(a.out / "bench.json") or floor_ms(REFERENCE_DIR / "bench.json")
    texts = passage_texts(a.index, settings.CORPUS_DIR)
    unique_tokens, tok_s = timed(lambda: analysis.bm25_tokens(texts))
    query_tokens = analysis.bm25_tokens([analysis.normalize(q) for q in gold_questions()])
    ratio = sentence_ratio(a.index)
    work = Path(tempfile.mkdtemp(prefix="cancer-search-scale-"))
    started = time.perf_counter()
    dense, bm25, path = [], [], []
    try:
        for n in sizes:
            print(f"{n:>9,} passages: dense ...", file=sys.stderr, flush=True)
            dense.append(dense_study(n, a.queries, work, a.queries if n < 500_000 else 50))
            print(f"{n:>9,} passages: bm25 ...", file=sys.stderr, flush=True)
            bm25.append(bm25_study(n, unique_tokens, tok_s / len(texts), query_tokens))
            path.append(request_path_study(n, ratio, measure_sentences=n * ratio <= 1_000_000))
            gc.collect()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - started,
        "machine": {"cores": os.cpu_count(), "loadavg": os.getloadavg()[0]},
        "floor_ms": floor,
        "dim": 384,
        "queries": a.queries,
        "replicated_passages": len(texts),
        "sentences_per_passage": ratio,
        "dense": dense,
        "bm25": bm25,
        "request_path": path,
        "exact_limit_at_quarter_floor": exact_limit(dense, floor / 4) if floor else None,
        "configured_exact_max": settings.DENSE_EXACT_MAX_PASSAGES,
    }
    written = scale_report.write(result, a.out)
    print(scale_report.text(result))
    print("written: " + ", ".join(str(p) for p in written.values()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
