"""The floor: the model work one query needs, timed in-process with the service's own code.

Run in its own process (``python -m bench.floor INDEX_DIR``) with the
same native thread count as a server worker, so that the floor and the
server's answers are made by identically configured models (ONNX Runtime,
one query at a time: batching under load can only go below it). Prints JSON.

Counted: the query embedding (what Searcher.embed_query computes on a cache
miss), the embedding of the query's words that neither the corpus nor the
index's English lexicon has (the vocabulary bridge, on a word-cache miss) and, when the pipeline uses a cross-encoder, its scoring of the
re-ranked candidates. Not counted: spelling, BM25, fusion, the sentence
re-ranker's matrix product, HTTP: that is the overhead the ratios expose.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from core import models, settings, threads
from eval.gold import GOLD_FILE as GOLD

FRESH = GOLD.with_name("fresh.jsonl")  # written blind, never tuned on


def gold_questions(path: Path = GOLD) -> list[str]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


def fresh_questions() -> list[str]:
    return gold_questions(FRESH)


def model_work(searcher, question: str):
    """A callable doing exactly the model work the service does for `question`."""
    pipeline = searcher.pipeline
    text = searcher.plan(question, pipeline).text
    # Query words the corpus lacks are embedded too (vocabulary bridge), on a word-cache miss.
    words = (
        searcher.parts.bridge.unknown_words(text)
        if pipeline.bridge and searcher.parts.bridge
        else []
    )
    words = [
        w for w in words if w not in searcher.parts.bridge.lexicon
    ]  # the rest come from the index
    cross = searcher.parts.cross_encoder if pipeline.rerank == "cross-encoder" else None
    texts = []
    if cross is not None:
        hits = searcher.search(question, k=pipeline.rerank_depth).hits
        texts = [h.passage["text"] for h in hits]

    def work():
        models.embed(searcher.model, [text])  # the call Searcher makes on a cache miss
        if words:
            searcher.encoder.embed_words(words)
        if cross is not None:
            cross.scores(text, texts)

    return work


def measure(index_dir: Path, questions: list[str]) -> dict:
    threads.set_environment()
    from retrieval.index import load_index
    from retrieval.search import Searcher

    searcher = Searcher(load_index(index_dir))
    threads.apply()
    works = [model_work(searcher, q) for q in questions]
    for work in works[:10]:  # first calls allocate; a server worker has done them too
        work()
    wall, cpu = [], []
    for work in works:
        w0, c0 = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - w0)
        cpu.append(time.process_time() - c0)
    return {
        "floor_ms": statistics.median(wall) * 1000,
        "model_cpu_ms": statistics.median(cpu) * 1000,
        "questions": len(questions),
        "native_threads": settings.NATIVE_THREADS,
        "rerank": searcher.pipeline.rerank,
        "includes": ["query embedding", "unknown-word embeddings"]
        + (
            ["cross-encoder"]
            if searcher.pipeline.rerank == "cross-encoder"
            and searcher.parts.cross_encoder is not None
            else []
        ),
    }


def batch_costs(index_dir: Path, questions: list[str], sizes=(1, 4, 16), torch: bool = False):
    """Model CPU per query when queries go to the model `size` at a time (ONNX, or torch)."""
    threads.set_environment()
    from retrieval.index import load_index
    from retrieval.search import Searcher

    searcher = Searcher(load_index(index_dir))
    threads.apply()
    model = models.load_embedder(settings.EMBED_MODEL) if torch else searcher.model
    out = {}
    for size in sizes:
        models.embed(model, questions[:size], batch_size=size)  # first calls allocate
        c0 = time.process_time()
        for start in range(0, len(questions), size):
            models.embed(model, questions[start : start + size], batch_size=size)
        out[str(size)] = (time.process_time() - c0) * 1000 / len(questions)
    return {"engine": "torch" if torch else "onnxruntime", "cpu_ms_per_query_by_batch": out}


def main(argv: list[str]) -> int:
    """``python -m bench.floor [INDEX_DIR] [--batches] [--torch]``."""
    flags = {a for a in argv if a.startswith("--")}
    args = [a for a in argv if not a.startswith("--")]
    index_dir = Path(args[0]) if args else settings.INDEX_DIR
    if "--batches" in flags:
        result = batch_costs(index_dir, fresh_questions(), torch="--torch" in flags)
    else:
        result = measure(index_dir, fresh_questions())
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
