"""python -m bench.backends: the search path on each retrieval backend, side by side.

The same gold questions through `Searcher.search` in this process, once with
FAISS + bm25s and once with Milvus (CANCER_SEARCH_MILVUS_URI, by default the
embedded Milvus Lite database beside the builds): latency per query and
queries per second on one thread, and the first stage alone. Query vectors
are cached after a warm-up pass, so the figures are the retrieval cost, not
the model's. Writes results/backends.{json,md} (docs/results/ with --reference).

    python -m bench.backends [--questions 100] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from core import index_files, milvus, settings


def _searchers(index_dir):
    from retrieval.index import load_index
    from retrieval.search import Searcher

    index = load_index(index_dir)
    faiss = Searcher(index)
    settings.BACKEND = "milvus"
    try:
        on_milvus = Searcher(index)
    finally:
        settings.BACKEND = "faiss"
    return {"faiss": faiss, "milvus": on_milvus}


def _time(fn, questions, rounds) -> list[float]:
    out = []
    for _ in range(rounds):
        for q in questions:
            started = time.perf_counter()
            fn(q)
            out.append((time.perf_counter() - started) * 1000)
    return out


def _summary(ms: list[float]) -> dict:
    ms = sorted(ms)
    return {
        "median_ms": round(statistics.median(ms), 2),
        "p95_ms": round(ms[int(0.95 * (len(ms) - 1))], 2),
        "qps_one_thread": round(1000 / statistics.mean(ms), 1),
    }


def run(index_dir, questions: list[str], rounds: int) -> dict:
    from retrieval import first_stage

    searchers = _searchers(index_dir)
    results = {}
    for name, searcher in searchers.items():
        for q in questions:  # warm-up: the model embeds each question once, then the LRU serves it
            searcher.search(q, 10)

        def first(q, s=searcher):
            plan = s.plan(q)
            first_stage.run(s.parts, s.pipeline, plan, s.embed_query(plan.text), None)

        results[name] = {
            "search": _summary(_time(lambda q, s=searcher: s.search(q, 10), questions, rounds)),
            "first_stage": _summary(_time(first, questions, rounds)),
            "backend": searcher.parts.backend.describe(),
        }
    return results


def markdown(data: dict) -> str:
    rows = [
        "| backend | search median | search p95 | searches/s (1 thread) "
        "| first stage median | first stage p95 |",
        "|---|---|---|---|---|---|",
    ]
    for name, r in data["backends"].items():
        s, f = r["search"], r["first_stage"]
        where = f" ({r['backend']['uri']})" if r["backend"].get("uri") else ""
        rows.append(
            f"| {name}{where} | {s['median_ms']} ms | {s['p95_ms']} ms | {s['qps_one_thread']} "
            f"| {f['median_ms']} ms | {f['p95_ms']} ms |"
        )
    return (
        f"# Retrieval backends\n\n{data['questions']} gold questions x {data['rounds']} rounds, "
        f"index {data['index_version']} ({data['passages']} passages); "
        f"command: `{data['command']}`.\n\n" + "\n".join(rows) + "\n"
    )


def main(argv: list[str] | None = None) -> int:
    from eval.gold import load_gold
    from eval.result_files import add_output_options, output_dir

    parser = argparse.ArgumentParser(prog="python -m bench.backends", description=__doc__)
    parser.add_argument("--questions", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--index", default=str(settings.INDEX_DIR))
    add_output_options(parser)
    args = parser.parse_args(argv)
    settings.check_or_exit("bench.backends")
    questions = [g.question for g in load_gold()][: args.questions]
    try:
        backends = run(args.index, questions, args.rounds)
    except milvus.MilvusUnavailable as exc:
        print(f"bench.backends: {exc}", file=sys.stderr)
        return 2
    meta = json.loads(
        (Path(args.index) / index_files.CURRENT / index_files.META).read_text(encoding="utf-8")
    )
    data = {
        "questions": len(questions),
        "rounds": args.rounds,
        "index_version": meta["version"],
        "passages": meta["passage_count"],
        "command": "python -m bench.backends " + " ".join(argv or sys.argv[1:]),
        "backends": backends,
    }
    out = output_dir(args)
    out.mkdir(parents=True, exist_ok=True)
    (out / "backends.json").write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    (out / "backends.md").write_text(markdown(data), encoding="utf-8")
    print(markdown(data))
    return 0


if __name__ == "__main__":
    sys.exit(main())
