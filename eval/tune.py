"""python -m eval.tune: grid-search Pipeline switches on the dev split.

Tuning looks only at dev questions; the held-out test split is for reporting.
Example:
    python -m eval.tune --grid 'rrf_k=20,60' 'rerank_weights=(0.4,0.4,0.2),(0.3,0.5,0.2)'
"""

from __future__ import annotations

import argparse
import ast
import itertools
import sys
from pathlib import Path

from core import settings

from .gold import judge, load_gold
from .harness import _scores, run_config


def parse_grid(items: list[str]) -> dict[str, list]:
    grid = {}
    for item in items:
        name, _, values = item.partition("=")
        parsed = ast.literal_eval(f"[{values}]")
        grid[name] = parsed
    return grid


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.tune")
    parser.add_argument("--grid", nargs="*", default=[])
    parser.add_argument("--index", type=Path, default=settings.INDEX_DIR)
    parser.add_argument("--corpus", type=Path, default=settings.CORPUS_DIR)
    parser.add_argument("--split", default="dev")
    args = parser.parse_args(argv)

    from retrieval.index import load_index
    from retrieval.search import Pipeline, Searcher

    searcher = Searcher(load_index(args.index))
    questions = load_gold(split=args.split)
    sources = {p.name: p.read_bytes().decode("utf-8") for p in args.corpus.iterdir() if p.is_file()}
    qrels = judge(questions, searcher.index.passages, sources)
    answerable = [q for q in questions if q.answerable]
    grid = parse_grid(args.grid)
    rows = []
    for values in itertools.product(*grid.values()):
        changes = dict(zip(grid, values))
        pipeline = Pipeline().replace(**changes)
        run, _, _, _ = run_config(searcher, pipeline, answerable)
        overall = _scores(qrels, run, [q.id for q in answerable])
        styles = {
            s: _scores(qrels, run, [q.id for q in answerable if q.style == s])["mrr@10"]
            for s in ("patient", "staff", "paraphrase", "keyword")
        }
        rows.append(
            (overall["mrr@10"], overall["hit_rate@5"], overall["hit_rate@1"], styles, changes)
        )
    rows.sort(key=lambda r: -r[0])
    for mrr, hit5, hit1, styles, changes in rows:
        style_text = " ".join(f"{k[:4]}={v:.3f}" for k, v in styles.items())
        print(f"MRR={mrr:.3f} Hit@5={hit5:.3f} Hit@1={hit1:.3f} | {style_text} | {changes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
