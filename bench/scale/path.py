"""The request path at scale: ``python -m bench.scale.path`` (about 2 minutes).

What the ranking code does per request beyond the model, the dense search
and BM25's own scoring (those are in ``python -m bench.scale``), at 10k, 100k
and 1M passages, done two ways on the same inputs:

- every passage (the service before issue 5's change, and still the
  reference, `Searcher.exhaustive`): fuse every passage's scores, sort them
  all, score every sentence;
- candidates (the service now): `retrieval.candidates.blend` and `top`,
  then the sentences of the dense top and the ranked head only.

Inputs are real where it matters: each gold question's BM25 scores and
passage cosines over the real index, replicated to the corpus size (so BM25
has the real share of zeros and ties), the dense top 100 of those cosines
(a little noise breaks the replicas' ties). Sentence vectors are random (only
their count matters), in memory up to 1M sentences and memory-mapped from a
sparse file above (as the service maps a big sentences.npy): the candidates'
sentence stage is timed twice, as their pages are first read and then as a
warm page cache serves them. Writes results/scale_path.{json,md}.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.floor import gold_questions
from core import settings
from eval.result_files import parse_with_output
from retrieval import candidates, fusion
from retrieval.rerank import SentenceReranker

FULL_SCAN_MAX_SENTENCES = 1_000_000  # beyond this the old scan is extrapolated, not run


def real_inputs(index_dir: Path, questions: list[str]) -> tuple[list, float]:
    """Per question: BM25 scores and passage cosines over the real index, the query vector."""
    from retrieval.index import load_index
    from retrieval.search import Searcher

    searcher = Searcher(load_index(index_dir))
    vectors = searcher.index.dense.reconstruct_n(0, searcher.index.dense.ntotal)
    out = []
    for q in questions:
        plan = searcher.plan(q, searcher.pipeline)
        vector = searcher.embed_query(plan.text).reshape(-1)
        out.append((searcher.parts.lexical.scores(plan.tokens), vectors @ vector, vector))
    owner = searcher.parts.sentences.owner
    return out, len(owner) / float(owner.max() + 1)


def sentence_store(n_sentences: int, work: Path):
    """Random unit-ish vectors; memory-mapped zeros past FULL_SCAN_MAX_SENTENCES."""
    if n_sentences <= FULL_SCAN_MAX_SENTENCES:
        rng = np.random.default_rng(5)
        return rng.standard_normal((n_sentences, 384), dtype=np.float32) / 20
    path = work / "sentences.f32"
    with open(path, "wb") as fh:  # sparse: no disk, the pages read are the cost
        fh.truncate(n_sentences * 384 * 4)
    return np.memmap(path, dtype=np.float32, mode="r", shape=(n_sentences, 384))


def median_ms(fn, repeats: list) -> float:
    times = []
    for args in repeats:
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


def old_fuse_and_sort(dense_ids, dense_values, lexical, alpha, depth, rerank_depth):
    """The service's code before the change: full arrays, two sorts of every passage."""
    n = len(lexical)
    dense = np.full(n, -1.0, dtype=np.float32)
    dense[dense_ids] = dense_values
    first = fusion.blend(dense, lexical, alpha).astype(np.float32)
    allowed = np.ones(n, dtype=bool)
    order = [int(i) for i in np.argsort(-first, kind="stable") if allowed[i]]
    final = np.full(n, -np.inf, dtype=np.float32)
    final[np.asarray(order)] = -1.0 - np.arange(len(order), dtype=np.float32)
    top = np.asarray(order[:rerank_depth])
    final[top] = fusion.minmax(first[top])
    return [int(i) for i in np.argsort(-final, kind="stable") if allowed[i]][:depth]


def new_fuse_and_sort(dense_ids, dense_values, lexical, alpha, depth, rerank_depth):
    stage = candidates.blend(dense_ids, dense_values, lexical, alpha)
    order, first, _ = stage.top(depth)
    head = order[:rerank_depth]
    final = -1.0 - np.arange(len(order), dtype=np.float32)
    final[: len(head)] = fusion.minmax(first[: len(head)])
    return order[np.lexsort((order, -final))], len(stage.ids)


def study(n: int, inputs: list, ratio: float, work: Path, queries: int) -> dict:
    alpha, depth, rd = settings.BLEND_ALPHA, settings.RERANK_DEPTH + 10, settings.RERANK_DEPTH
    rng = np.random.default_rng(n)
    real = len(inputs[0][0])
    reps = -(-n // real)
    cases = []
    for lexical, cosines, vector in inputs[:queries]:
        lex = np.tile(lexical, reps)[:n]
        cos = np.tile(cosines, reps)[:n] + rng.normal(0, 0.01, n).astype(np.float32)
        ids = np.argpartition(-cos, settings.CANDIDATES)[: settings.CANDIDATES].astype(np.int64)
        cases.append((ids, cos[ids].astype(np.float32), lex, vector))
    out = {"passages": n}
    slow = cases[: max(3, queries // 10)] if n >= 1_000_000 else cases
    out["fuse_sort_all_ms"] = median_ms(
        old_fuse_and_sort, [(i, v, lx, alpha, depth, rd) for i, v, lx, _ in slow]
    )
    out["fuse_sort_candidates_ms"] = median_ms(
        new_fuse_and_sort, [(i, v, lx, alpha, depth, rd) for i, v, lx, _ in cases]
    )
    sizes = [new_fuse_and_sort(i, v, lx, alpha, depth, rd)[1] for i, v, lx, _ in cases]
    out["candidates_median"] = int(statistics.median(sizes))
    out["candidates_max"] = int(max(sizes))
    for i, v, lx, _ in slow:  # the two ways agree on these inputs too
        assert new_fuse_and_sort(i, v, lx, alpha, depth, rd)[0].tolist() == old_fuse_and_sort(
            i, v, lx, alpha, depth, rd
        )

    m = int(n * ratio)
    owner = np.repeat(np.arange(n, dtype=np.int32), -(-m // n))[:m]
    sentences = SentenceReranker(sentence_store(m, work), owner, n)
    out["sentences"] = m
    play = [
        (np.union1d(ids, new_fuse_and_sort(ids, v, lx, alpha, depth, rd)[0]), vec)
        for ids, v, lx, vec in cases
    ]
    score = lambda p, q: sentences.best_sentence_scores(q, p)  # noqa: E731
    out["sentence_candidates_first_touch_ms"] = median_ms(score, play)  # pages not yet read
    out["sentence_candidates_ms"] = median_ms(score, play)  # as a warm page cache serves them
    out["sentence_passages"] = int(statistics.median(len(p) for p, _ in play))
    if m <= FULL_SCAN_MAX_SENTENCES:
        out["sentence_scan_all_ms"] = median_ms(
            lambda q: sentences.best_sentence_scores(q), [(vec,) for _, _, _, vec in cases[:10]]
        )
    return out


def markdown(r: dict) -> str:
    head = [
        "passages",
        "fuse + order: every passage",
        "fuse + order: candidates (median / max count)",
        "sentences",
        "sentence stage: every sentence",
        "sentence stage: candidates' sentences (first read of their pages)",
    ]
    measured = [p for p in r["sizes"] if "sentence_scan_all_ms" in p]
    rows = []
    for p in r["sizes"]:
        if "sentence_scan_all_ms" in p:
            scan = f"{p['sentence_scan_all_ms']:.1f} ms"
        elif measured:
            last = measured[-1]
            scan = f"~{last['sentence_scan_all_ms'] * p['sentences'] / last['sentences']:.0f} ms (extrapolated)"
        else:
            scan = "not measured"
        rows.append(
            [
                f"{p['passages']:,}",
                f"{p['fuse_sort_all_ms']:.1f} ms",
                f"{p['fuse_sort_candidates_ms']:.2f} ms ({p['candidates_median']} / {p['candidates_max']})",
                f"{p['sentences']:,}",
                scan,
                f"{p['sentence_candidates_ms']:.2f} ms ({p['sentence_candidates_first_touch_ms']:.1f} ms), "
                f"{p['sentence_passages']} passages",
            ]
        )
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    lines.append("")
    lines.append(
        f"{r['queries']} gold questions, {r['machine']['cores']} cores, load average "
        f"{r['machine']['loadavg']:.1f}, {r['seconds']:.0f} s ({r['measured_at']})."
    )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.scale.path", description=__doc__.split("\n")[0]
    )
    p.add_argument("--sizes", default="10000,100000,1000000")
    p.add_argument("--queries", type=int, default=40)
    p.add_argument("--index", type=Path, default=settings.INDEX_DIR)
    a = parse_with_output(p, argv)
    started = time.perf_counter()
    inputs, ratio = real_inputs(a.index, gold_questions()[:: max(1, 225 // a.queries)][: a.queries])
    sizes = []
    with tempfile.TemporaryDirectory(prefix="cancer-search-path-") as work:
        for n in (int(s) for s in a.sizes.split(",")):
            print(f"{n:>9,} passages ...", file=sys.stderr, flush=True)
            sizes.append(study(n, inputs, ratio, Path(work), a.queries))
    result = {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": time.perf_counter() - started,
        "machine": {"cores": os.cpu_count(), "loadavg": os.getloadavg()[0]},
        "queries": len(inputs),
        "sentences_per_passage": ratio,
        "sizes": sizes,
    }
    a.out.mkdir(parents=True, exist_ok=True)
    (a.out / "scale_path.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    md = markdown(result)
    (a.out / "scale_path.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


if __name__ == "__main__":
    sys.exit(main())
