"""The benchmark: ``python -m bench`` (or ``make bench``).

Builds a fresh index from corpus/ (timing the build), times the floor (the
model work one query needs) in-process, then starts this service as `make
serve` runs it and the plain peer (bench/peer.py: sentence-transformers +
FAISS + Flask under gunicorn 2 x 2, the same model and passages from the same
build), both on 127.0.0.1 within ports 8200-8299. It drives them in turn with
wrk (or a bounded Python client when wrk is missing) at concurrency 1, 4 and
16 over questions the project never tuned on (eval/fresh.jsonl), then at 16
again while 16 slow clients hold connections (bench/slow.py), reads memory
(PSS of every server process) and cold starts, stops everything, and prints
one table with the ratios, also written to results/bench.{json,md,png}
(docs/results/ with --reference).

Both run with a one-entry query cache (the peer has none): every request
pays its model work. The rate limiter is off (the load comes from one
address).
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
from pathlib import Path

from core import settings
from eval.result_files import parse_with_output

from . import load as bench_load
from . import report as bench_report
from .floor import fresh_questions
from .server import REPO, PeerServer, Server, free_port
from .slow import SlowClients

TARGETS = {
    "c16_over_peer": 2.5,  # throughput at c=16, this service / peer: at least
    "c1_p50_over_peer": 0.6,  # p50 at c=1, this service / peer: at most
    "slow_p99_over_p99": 2.0,  # p99 at c=16 with 16 slow clients / without: at most
    "pss_mib": 450.0,  # PSS of every server process: at most
}
PORTS = (8200, 8299)
LEVELS = (1, 4, 16)
SLOW_CLIENTS = 16

BUILD_SNIPPET = """
import json, sys
from pathlib import Path
from indexer.build import build
r = build(Path(sys.argv[1]), Path(sys.argv[2]), progress=False)
print(json.dumps({"seconds": r.seconds, "embed_seconds": r.embed_seconds,
                  "passages": r.passages, "documents": r.documents,
                  "embedded": getattr(r, "embedded", 0)}))
"""


def child_env(native_threads: int) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "CANCER_SEARCH_NATIVE_THREADS": str(native_threads),
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


def server_env(index_dir: Path, a) -> dict[str, str]:
    return {
        "CANCER_SEARCH_INDEX_DIR": str(index_dir),
        "CANCER_SEARCH_RATE_LIMIT_ENABLED": "0",
        "CANCER_SEARCH_QUERY_CACHE_SIZE": "1",  # every request pays its model work
        "CANCER_SEARCH_WORD_CACHE_SIZE": "1",  # words the lexicon lacks: embedded every time
        "CANCER_SEARCH_NATIVE_THREADS": str(a.native_threads),
        "WEB_WORKERS": str(a.workers),
        "WEB_THREADS": str(a.threads),
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
    }


def start(kind: str, index_dir: Path, a, work: Path, first_path: str) -> tuple[Server, float]:
    """Start this service or the peer; return it and its cold start (start to first answer)."""
    port = free_port(*PORTS)
    log = work / f"{kind}-{port}.log"
    env = server_env(index_dir, a)
    server = PeerServer(port, env, log, index_dir) if kind == "peer" else Server(port, env, log)
    server.start()
    try:
        cold = server.wait_answer(first_path)
        server.wait_workers(a.workers if kind == "ours" else 2)
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


def slow_load(server: Server, paths, paths_file: Path, seconds: float) -> dict:
    """c=16 again while 16 slow clients hold connections mid-request."""
    with SlowClients(server.port, SLOW_CLIENTS, seconds=seconds + 15) as slow:
        result = timed_load(server, paths, paths_file, 16, seconds)
    if result["requests"] == 0:
        # wrk counts no error for requests still waiting when it stops: every
        # connection's request went unanswered for the whole run.
        result["stalled"] = True
        result["errors"] = 16
        result["p50_ms"] = result["p95_ms"] = result["p99_ms"] = a_run_ms(seconds)
    result["slow_clients"] = SLOW_CLIENTS
    result["slow_connections"] = slow.connections
    result["slow_cut_off"] = slow.cut_off
    return result


def a_run_ms(seconds: float) -> float:
    """The latency to report for requests that had no answer in a whole run: at least that."""
    return seconds * 1000.0


def measure_both(index_dir: Path, a, work: Path, paths: list[str], paths_file: Path) -> dict:
    """Both servers up; each load level run on one, then the other, so noise hits both."""
    results = {"ours": {"load": {}}, "peer": {"load": {}}}
    servers = {}
    try:
        for kind in ("ours", "peer"):  # one at a time: cold starts do not overlap
            print(f"starting {kind} ...", file=sys.stderr, flush=True)
            servers[kind], cold = start(kind, index_dir, a, work, paths[0])
            results[kind]["cold_starts_s"] = [cold]
            bench_load.run_load(servers[kind].base_url, paths, paths_file, 4, a.warmup)
        for level in LEVELS:
            for kind, server in servers.items():
                print(f"{kind} c={level} ...", file=sys.stderr, flush=True)
                run = timed_load(server, paths, paths_file, level, a.seconds)
                results[kind]["load"][str(level)] = run
        for kind, server in servers.items():
            print(f"{kind} c=16 with {SLOW_CLIENTS} slow clients ...", file=sys.stderr, flush=True)
            results[kind]["slow"] = slow_load(server, paths, paths_file, a.seconds)
        for kind, server in servers.items():
            results[kind]["memory"] = server.memory()
    finally:
        for server in servers.values():
            server.stop()
    for kind in ("ours", "peer"):
        for _ in range(a.cold_starts - 1):
            again, seconds = start(kind, index_dir, a, work, paths[0])
            again.stop()
            results[kind]["cold_starts_s"].append(seconds)
    return results


def compare_configs(index_dir: Path, a, work: Path, paths, paths_file: Path) -> list[dict]:
    """c=1 latency and c=16 throughput for each workers x threads layout in --compare."""
    rows = []
    for spec in a.compare.split(","):
        workers, threads = (int(x) for x in spec.lower().split("x"))
        layout = argparse.Namespace(**{**vars(a), "workers": workers, "threads": threads})
        print(f"comparing {workers}x{threads} ...", file=sys.stderr, flush=True)
        server, cold = start("ours", index_dir, layout, work, paths[0])
        try:
            bench_load.run_load(server.base_url, paths, paths_file, 4, a.warmup)
            c1 = timed_load(server, paths, paths_file, 1, a.seconds)
            c16 = timed_load(server, paths, paths_file, 16, a.seconds)
            memory = server.memory()
        finally:
            server.stop()
        rows.append(
            {
                "workers": workers,
                "threads": threads,
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


def errors(side: dict) -> int:
    return sum(run["errors"] for run in side["load"].values())


def assemble(a, floor, served, build, tool, load_before, load_after) -> dict:
    ours, peer = served["ours"], served["peer"]
    for side in (ours, peer):
        side["cold_start_s"] = statistics.median(side["cold_starts_s"])
    o16, p16 = ours["load"]["16"], peer["load"]["16"]
    ratios = {
        "c16_over_peer": o16["throughput_rps"] / peer["load"]["16"]["throughput_rps"],
        "c4_over_peer": ours["load"]["4"]["throughput_rps"] / peer["load"]["4"]["throughput_rps"],
        "c1_p50_over_peer": ours["load"]["1"]["p50_ms"] / peer["load"]["1"]["p50_ms"],
        "slow_p99_over_p99": ours["slow"]["p99_ms"] / o16["p99_ms"],
        "peer_slow_p99_over_p99": peer["slow"]["p99_ms"] / p16["p99_ms"],
        "cold_over_peer": ours["cold_start_s"] / peer["cold_start_s"],
        # CPU the servers spent per request: what the latency would follow on an idle machine
        "c1_cpu_over_peer": ours["load"]["1"]["server_cpu_ms_per_request"]
        / peer["load"]["1"]["server_cpu_ms_per_request"],
        "c16_cpu_over_peer": o16["server_cpu_ms_per_request"] / p16["server_cpu_ms_per_request"],
        "pss_over_peer": ours["memory"]["total_pss_mib"] / peer["memory"]["total_pss_mib"],
    }
    met = {
        "c16_over_peer": ratios["c16_over_peer"] >= TARGETS["c16_over_peer"],
        "c1_p50_over_peer": ratios["c1_p50_over_peer"] <= TARGETS["c1_p50_over_peer"],
        "errors": errors(ours) == 0,
        "slow": ours["slow"]["errors"] == 0
        and ratios["slow_p99_over_p99"] <= TARGETS["slow_p99_over_p99"],
        "pss_mib": ours["memory"]["total_pss_mib"] <= TARGETS["pss_mib"],
    }
    return {
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "machine": {
            "cores": os.cpu_count() or 1,
            "loadavg_before": load_before,
            "loadavg_after": load_after,
        },
        "server": {
            "workers": a.workers,
            "threads": a.threads,
            "native_threads": a.native_threads,
            "batch_max": settings.BATCH_MAX,
            "batch_window_ms": settings.BATCH_WINDOW_MS,
        },
        "tool": tool,
        "seconds_per_run": a.seconds,
        "questions": len(fresh_questions()),
        "floor": floor,
        "ours": ours,
        "peer": peer,
        "ratios": ratios,
        "met": met,
        "targets": TARGETS,
        "build": build,
    }


def parse_args(argv):
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0])
    p.add_argument("--seconds", type=float, default=10, help="length of each load run")
    p.add_argument("--warmup", type=float, default=3, help="warm-up load before measuring")
    p.add_argument("--workers", type=int, default=settings.WEB_WORKERS)
    p.add_argument("--threads", type=int, default=settings.WEB_THREADS)
    p.add_argument("--native-threads", type=int, default=settings.NATIVE_THREADS or 1)
    p.add_argument("--cold-starts", type=int, default=2, help="server starts timed (median)")
    p.add_argument("--index", type=Path, help="serve this index instead of building a fresh one")
    p.add_argument(
        "--compare",
        metavar="WxT,...",
        help="instead of the full run, compare this service's layouts, e.g. 1x16,2x8,2x16",
    )
    a = parse_with_output(p, argv)
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
    questions = fresh_questions()
    work = Path(tempfile.mkdtemp(prefix="cancer-search-bench-"))
    env = child_env(a.native_threads)
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
        print("timing the floor ...", file=sys.stderr)
        floor = run_json(["-m", "bench.floor", str(index_dir)], env)
        if a.compare:
            rows = compare_configs(index_dir, a, work, paths, paths_file)
            written = bench_report.write_compare(rows, floor, tool, a, a.out)
            print(bench_report.compare_markdown(rows, floor, tool, a))
            print("written: " + ", ".join(str(p) for p in written.values()))
            return 0
        served = measure_both(index_dir, a, work, paths, paths_file)
        result = assemble(a, floor, served, build, tool, load_before, os.getloadavg()[0])
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
