"""Does the served query encoder rank exactly as sentence-transformers does?

``python -m eval.encoder_parity [--index DIR] [--onnx FILE]`` runs the full
service pipeline over every question of eval/gold.jsonl and eval/fresh.jsonl
twice, once with the build's ONNX query encoder (or another ONNX file, e.g.
an int8 quantisation under study) and once with the packaged model on
sentence-transformers, and counts the questions whose top 10 (same passages,
same order) and `confident` are identical. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from core import models, settings
from eval.gold import GOLD_FILE

FRESH_FILE = GOLD_FILE.with_name("fresh.jsonl")


def questions() -> list[str]:
    out = []
    for path in (GOLD_FILE, FRESH_FILE):
        with open(path, encoding="utf-8") as fh:
            out += [json.loads(line)["question"] for line in fh if line.strip()]
    return out


def answers(searcher, qs: list[str]) -> list[tuple[list[str], bool]]:
    searcher.clear_cache()
    out = []
    for q in qs:
        result = searcher.search(q, 10)
        out.append(([h.passage["id"] for h in result.hits], result.confident))
    return out


def compare(index_dir: Path, onnx_file: Path | None = None) -> dict:
    from retrieval.index import load_index
    from retrieval.search import Searcher

    searcher = Searcher(load_index(index_dir))
    if onnx_file is not None:
        from core.onnx_embedder import OnnxEmbedder

        searcher.encoder.model = OnnxEmbedder(
            onnx_file, models.model_path(settings.EMBED_MODEL), searcher.encoder.model.max_tokens
        )
    qs = questions()
    served = answers(searcher, qs)
    onnx_vectors = models.embed(searcher.encoder.model, qs)
    searcher.encoder.model = models.load_embedder(settings.EMBED_MODEL)
    reference = answers(searcher, qs)
    cosines = (onnx_vectors * models.embed(searcher.encoder.model, qs)).sum(axis=1)
    same_list = sum(a[0] == b[0] for a, b in zip(served, reference))
    same_top = sum(a[0][:1] == b[0][:1] for a, b in zip(served, reference))
    same_confident = sum(a[1] == b[1] for a, b in zip(served, reference))
    return {
        "index": str(index_dir),
        "encoder": str(onnx_file or "the build's query_encoder.onnx"),
        "questions": len(qs),
        "identical_top10": same_list,
        "identical_top1": same_top,
        "identical_confident": same_confident,
        "cosine_min": float(np.min(cosines)),
        "cosine_mean": float(np.mean(cosines)),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.encoder_parity", description=__doc__)
    p.add_argument("--index", type=Path, default=settings.INDEX_DIR)
    p.add_argument("--onnx", type=Path, help="another ONNX export to judge (e.g. int8)")
    a = p.parse_args(argv)
    print(json.dumps(compare(a.index, a.onnx), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
