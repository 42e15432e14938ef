"""Where a search request's CPU goes, in-process: ``python -m bench.profile [INDEX_DIR]``.

Drives ``/api/search`` through the app's own WSGI callable in one thread (as
one server thread at c=1, without the sockets), over the fresh questions,
with one-entry query and word caches (as the benchmark runs the service), and
splits each request's process CPU into:

- model: the ONNX Runtime calls (query, and the bridge's words the lexicon lacks);
- pipeline: the rest of ``Searcher.search`` (spelling, expansion, bridge, BM25,
  FAISS, fusion, second stage, answer sentence, abstention);
- framework: everything else (Flask and its hooks, the request log, JSON).

It runs twice: as served, and with every model call replayed from a first
pass (the model's outputs recorded, then returned without running it). The
difference is what the model's pass over its weights costs the code after it
(its data evicted from the caches). ``--top N`` adds cProfile's N costliest
functions of the served run. Prints Markdown; the figures go in
docs/performance.md, never in code.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode

SERVED_ENV = {
    "CANCER_SEARCH_QUERY_CACHE_SIZE": "1",  # as the benchmark: every request pays its model work
    "CANCER_SEARCH_WORD_CACHE_SIZE": "1",
    "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
}


def environ(query_string: str) -> dict:
    """What waitress hands the app for GET /api/search?<query_string>."""
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/api/search",
        "QUERY_STRING": query_string,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_ACCEPT": "*/*",
        "wsgi.url_scheme": "http",
        "wsgi.input": BytesIO(),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


class Meter:
    """Process CPU spent inside the model and inside Searcher.search."""

    def __init__(self, searcher):
        self.model = self.search = 0.0
        self.replay: dict | None = None
        embedder, search = searcher.model, searcher.search
        run = embedder._run_tokens

        def model(ids, mask, types):
            c0 = time.process_time()
            try:
                if self.replay is None:
                    return run(ids, mask, types)
                key = (ids.shape, ids.tobytes())
                if key not in self.replay:
                    self.replay[key] = run(ids, mask, types)
                return self.replay[key].copy()
            finally:
                self.model += time.process_time() - c0

        def timed_search(*args, **kwargs):
            c0 = time.process_time()
            try:
                return search(*args, **kwargs)
            finally:
                self.search += time.process_time() - c0

        embedder._run_tokens = model
        searcher.search = timed_search


def measure(app, meter: Meter, paths: list[str], rounds: int) -> dict:
    def call(query_string: str) -> None:
        body = app(environ(query_string), lambda status, headers, exc_info=None: None)
        b"".join(body)
        body.close()

    for path in paths:  # first calls allocate, and fill the replay when it is on
        call(path)
    runs = []
    for _ in range(rounds):
        meter.model = meter.search = 0.0
        c0 = time.process_time()
        for path in paths:
            call(path)
        n = len(paths)
        total = (time.process_time() - c0) * 1000 / n
        model, search = meter.model * 1000 / n, meter.search * 1000 / n
        runs.append(
            {
                "total": total,
                "model": model,
                "pipeline": search - model,
                "framework": total - search,
            }
        )
    runs.sort(key=lambda r: r["total"])
    return runs[len(runs) // 2]  # the median round


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__.split("\n")[0])
    p.add_argument("index", nargs="?", type=Path, help="index directory (default: settings)")
    p.add_argument("--rounds", type=int, default=5, help="passes over the questions (median)")
    p.add_argument("--top", type=int, default=0, help="also print cProfile's N costliest")
    a = p.parse_args(argv)
    for name, value in SERVED_ENV.items():
        os.environ.setdefault(name, value)
    if a.index is not None:
        os.environ["CANCER_SEARCH_INDEX_DIR"] = str(a.index)

    from core import threads

    threads.set_environment()
    from search_app import create_app, requestlog

    from .floor import fresh_questions

    app = create_app()
    for handler in requestlog.logger().handlers:  # the log's cost stays, its lines go nowhere
        handler.setStream(open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    meter = Meter(app.extensions["searcher"])
    paths = [urlencode({"q": q, "k": 10}) for q in fresh_questions()]
    served = measure(app, meter, paths, a.rounds)
    meter.replay = {}
    replayed = measure(app, meter, paths, a.rounds)
    print(report(served, replayed, len(paths), a.rounds))
    if a.top:
        import cProfile
        import pstats

        meter.replay = None
        profile = cProfile.Profile()
        profile.runcall(measure, app, meter, paths, 1)
        pstats.Stats(profile, stream=sys.stdout).sort_stats("tottime").print_stats(a.top)
    return 0


def report(served: dict, replayed: dict, questions: int, rounds: int) -> str:
    rows = ["| CPU per request | as served | model replayed |", "|---|---|---|"]
    for part in ("model", "pipeline", "framework", "total"):
        rows.append(f"| {part} | {served[part]:.2f} ms | {replayed[part]:.2f} ms |")
    load = os.getloadavg()[0]
    return "\n".join(rows) + (
        f"\n\n/api/search through the WSGI app, one thread, {questions} fresh questions, "
        f"median of {rounds} rounds; one-entry caches; load average {load:.2f}.\n"
    )


if __name__ == "__main__":
    sys.exit(main())
