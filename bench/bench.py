"""The benchmark: ``python -m bench`` (or ``make bench``).

Builds a fresh index from corpus/ (timing the build), times the floor (the
model work one query needs) in-process, starts the real gunicorn server on
127.0.0.1 within ports 8200-8299, drives it with wrk (or a bounded Python
client when wrk is missing) at concurrency 1, 4 and 16, measures cold start
and memory, stops everything, and prints one table, also written to
results/bench.{json,md,png} (docs/results/ with --reference).

The load runs use a one-entry query cache so that every request pays for
its model work (the gold questions repeat within a run); one extra run with
the default cache shows what repeated questions cost. The rate limiter is
off for the run: the load comes from one address and would be refused.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from core import settings
from eval.result_files import add_output_options, output_dir

from . import load as bench_load
from . import report as bench_report
from . import stats as bench_stats
from .floor import gold_questions
from .server import REPO, Server, free_port

TARGETS = {"p50_over_floor": 1.3, "c16_over_ideal": 0.70, "cold_over_load": 1.5}
PORTS = (8200, 8299)

BUILD_SNIPPET = """
import json, sys
from pathlib import Path
from indexer.build import build
r = build(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)
print(json.dumps({"seconds": r.seconds, "embed_seconds": r.embed_seconds,
                  "passages": r.passages, "documents": r.documents,
                  "embedded": getattr(r, "embedded", 0)}))
"""
# What every worker must do before it can answer, and nothing more: import
# the ranking code and its libraries, and load the embedding model.
LOAD_SNIPPET = """
import flask, retrieval.search
from core import models, settings
models.load_embedder(settings.EMBED_MODEL)
"""


def child_env(torch_threads: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CANCER_SEARCH_TORCH_THREADS": str(torch_threads),
    }


def run_json(args: list[str], env: dict) -> dict:
    out = subprocess.run(
        [sys.executable, *args],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=1800,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def build_index(out: Path, env: dict) -> dict:
    result = run_json(["-c", BUILD_SNIPPET, str(REPO / "corpus"), str(out)], env)
    result["passages_per_s"] = result["passages"] / result["embed_seconds"]
    return result


def import_and_load_seconds(env: dict, repeats: int) -> float:
    """Median wall time of a fresh interpreter importing the app code and loading the model."""
    times = []
    for _ in range(
        repeats + 1
    ):  # the first run warms the page cache, as a server start would find it
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-c", LOAD_SNIPPET],
            cwd=REPO,
            env=env,
            check=True,
            capture_output=True,
            timeout=600,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])


def server_env(index_dir: Path, a, cache_size: int) -> dict[str, str]:
    return {
        "CANCER_SEARCH_INDEX_DIR": str(index_dir),
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "CANCER_SEARCH_QUERY_CACHE_SIZE": str(cache_size),
        "CANCER_SEARCH_WORD_CACHE_SIZE": str(
            cache_size
        ),  # words the lexicon lacks: embedded every time
        "CANCER_SEARCH_TORCH_THREADS": str(a.torch_threads),
        "WEB_WORKERS": str(a.workers),
        "WEB_THREADS": str(a.threads),
        "WEB_PRELOAD": "1" if a.preload else "0",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def start_server(index_dir: Path, a, work: Path, cache_size: int, first_path: str):
    port = free_port(*PORTS)
    server = Server(port, server_env(index_dir, a, cache_size), work / f"server-{port}.log")
    server.start()
    try:
        cold = server.wait_answer(first_path)
        server.wait_workers(a.workers)
    except BaseException:
        server.stop()
        raise
    return server, cold


def timed_load(server: Server, paths, paths_file: Path, connections: int, seconds: float) -> dict:
    """One load run, plus the server CPU each request cost (robust to a busy machine)."""
    cpu_before = server.cpu_seconds()
    result = bench_load.run_load(server.base_url, paths, paths_file, connections, seconds)
    used = server.cpu_seconds() - cpu_before
    result["server_cpu_ms_per_request"] = used * 1000 / max(result["requests"], 1)
    return result


def measure_server(index_dir: Path, a, work: Path, paths: list[str], paths_file: Path) -> dict:
    server, cold = start_server(index_dir, a, work, 1, paths[0])
    try:
        bench_load.run_load(server.base_url, paths, paths_file, 2, a.warmup)  # both workers warm
        c1 = timed_load(server, paths, paths_file, 1, a.seconds)
        load = {str(c): timed_load(server, paths, paths_file, c, a.seconds) for c in (4, 16)}
        memory = server.memory()
    finally:
        server.stop()
    colds = [cold]
    for _ in range(a.cold_starts - 1):
        again, seconds = start_server(index_dir, a, work, 1, paths[0])
        again.stop()
        colds.append(seconds)
    return {"latency_c1": c1, "load": load, "memory": memory, "cold_starts_s": colds}


def measure_cached(index_dir: Path, a, work: Path, paths: list[str], paths_file: Path) -> dict:
    from core import settings

    server, _ = start_server(index_dir, a, work, settings.QUERY_CACHE_SIZE, paths[0])
    try:
        bench_load.run_load(server.base_url, paths, paths_file, 2, a.warmup)
        # every worker needs every question once before its cache is warm
        bench_load.run_load(server.base_url, paths, paths_file, 16, a.warmup)
        return timed_load(server, paths, paths_file, 16, a.seconds)
    finally:
        server.stop()


def compare_configs(index_dir: Path, a, work: Path, paths, paths_file: Path) -> list[dict]:
    """c=1 latency and c=16 throughput for each workers x threads layout in --compare."""
    rows = []
    for spec in a.compare.split(","):
        workers, threads = (int(x) for x in spec.lower().split("x"))
        layout = argparse.Namespace(**{**vars(a), "workers": workers, "threads": threads})
        print(f"comparing {workers}x{threads} ...", file=sys.stderr, flush=True)
        server, cold = start_server(index_dir, layout, work, 1, paths[0])
        try:
            bench_load.run_load(server.base_url, paths, paths_file, 2, a.warmup)
            c1 = timed_load(server, paths, paths_file, 1, a.seconds)
            c16 = timed_load(server, paths, paths_file, 16, a.seconds)
            memory = server.memory()
        finally:
            server.stop()
        rows.append(
            {
                "workers": workers,
                "threads": threads,
                "preload": a.preload,
                "cold_start_s": cold,
                "c1_p50_ms": c1["p50_ms"],
                "c16_rps": c16["throughput_rps"],
                "c16_p95_ms": c16["p95_ms"],
                "c16_errors": c16["errors"],
                "c16_server_cpu_ms_per_request": c16["server_cpu_ms_per_request"],
                "total_pss_mib": memory["total_pss_mib"],
            }
        )
    return rows


def assemble(a, floor, served, build, import_load, tool, cached, load_before, load_after) -> dict:
    cores = os.cpu_count() or 1
    ideal = bench_stats.ideal_throughput(cores, floor["model_cpu_ms"])
    c1, c16 = served["latency_c1"], served["load"]["16"]
    cold = statistics.median(served["cold_starts_s"])
    ratios = {
        "ideal_rps": ideal,
        "p50_over_floor": bench_stats.latency_ratio(c1["p50_ms"], floor["floor_ms"]),
        "c16_over_ideal": bench_stats.throughput_ratio(
            c16["throughput_rps"], cores, floor["model_cpu_ms"]
        ),
        "cold_over_load": cold / import_load,
        # Share of the server's CPU that is model work; on a machine shared with
        # other jobs this is what throughput / ideal would be if it were idle.
        "c16_cpu_efficiency": floor["model_cpu_ms"] / c16["server_cpu_ms_per_request"],
    }
    ratios["p50_over_floor_met"] = bench_stats.target_met(
        ratios["p50_over_floor"], TARGETS["p50_over_floor"], higher_is_better=False
    )
    ratios["c16_over_ideal_met"] = c16["errors"] == 0 and bench_stats.target_met(
        ratios["c16_over_ideal"], TARGETS["c16_over_ideal"], higher_is_better=True
    )
    ratios["cold_over_load_met"] = bench_stats.target_met(
        ratios["cold_over_load"], TARGETS["cold_over_load"], higher_is_better=False
    )
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {"cores": cores, "loadavg_before": load_before, "loadavg_after": load_after},
        "server": {
            "workers": a.workers,
            "threads": a.threads,
            "preload": a.preload,
            "torch_threads": a.torch_threads,
        },
        "tool": tool,
        "seconds_per_run": a.seconds,
        "floor": floor,
        "latency_c1": c1,
        "load": served["load"],
        "ratios": ratios,
        "targets": TARGETS,
        "cold_start": {
            "cold_start_s": cold,
            "cold_starts_s": served["cold_starts_s"],
            "import_and_load_s": import_load,
        },
        "memory": served["memory"],
        "build": build,
        "cached": cached,
    }


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=15, help="length of each load run")
    p.add_argument("--warmup", type=float, default=3, help="warm-up load before measuring")
    p.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 2)))
    p.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", 2)))
    p.add_argument(
        "--preload",
        action=argparse.BooleanOptionalAction,
        default=os.environ.get("WEB_PRELOAD", "1") not in ("0", "false", ""),
    )
    p.add_argument(
        "--torch-threads", type=int, default=int(os.environ.get("CANCER_SEARCH_TORCH_THREADS") or 1)
    )
    p.add_argument("--cold-starts", type=int, default=3, help="server starts timed (median)")
    p.add_argument("--index", type=Path, help="serve this index instead of building a fresh one")
    p.add_argument(
        "--no-cached",
        dest="cached",
        action="store_false",
        help="skip the run with the query cache on",
    )
    p.add_argument(
        "--compare",
        metavar="WxT,...",
        help="instead of the full run, compare gunicorn layouts, e.g. 2x1,2x2,2x4,3x2",
    )
    add_output_options(p)
    a = p.parse_args(argv)
    a.out = output_dir(a)
    return a


def main(argv: list[str] | None = None) -> int:
    a = parse_args(argv)
    settings.check_or_exit("bench")
    tool = "wrk" if bench_load.have_wrk() else "python"
    if tool == "python":
        print(
            f"bench: wrk not found, using the Python client; {bench_load.INSTALL_HINT}",
            file=sys.stderr,
        )
    questions = gold_questions()
    work = Path(tempfile.mkdtemp(prefix="cancer-search-bench-"))
    env = child_env(a.torch_threads)
    load_before = os.getloadavg()[0]
    try:
        paths = bench_load.search_paths(questions)
        paths_file = work / "paths.txt"
        paths_file.write_text("\n".join(paths) + "\n", encoding="utf-8")
        build = None
        index_dir = a.index
        if index_dir is None:
            print("building a fresh index ...", file=sys.stderr)
            index_dir = work / "index"
            build = build_index(index_dir, child_env(0))  # the indexer uses every core
        print("timing import + model load ...", file=sys.stderr)
        import_load = import_and_load_seconds(env, repeats=3)
        print("timing the floor ...", file=sys.stderr)
        floor = run_json(["-m", "bench.floor", str(index_dir)], env)
        if a.compare:
            rows = compare_configs(index_dir, a, work, paths, paths_file)
            floor = run_json(["-m", "bench.floor", str(index_dir)], env)
            written = bench_report.write_compare(rows, floor, tool, a, a.out)
            print(bench_report.compare_markdown(rows, floor, tool, a))
            print("written: " + ", ".join(str(p) for p in written.values()))
            return 0
        print(f"serving {a.workers}x{a.threads} and loading it ...", file=sys.stderr)
        served = measure_server(index_dir, a, work, paths, paths_file)
        cached = measure_cached(index_dir, a, work, paths, paths_file) if a.cached else None
        result = assemble(
            a, floor, served, build, import_load, tool, cached, load_before, os.getloadavg()[0]
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    written = bench_report.write(result, a.out)
    print(bench_report.text(result))
    print(
        "written: "
        + ", ".join(
            str(p.relative_to(REPO)) if p.is_relative_to(REPO) else str(p) for p in written.values()
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
