"""Drive the server with a bounded load: wrk when installed, else a Python client.

Both talk only to 127.0.0.1, rotate through the gold questions, run for a
fixed time (and the Python client also for a fixed number of requests), and
stop by themselves. wrk is preferred: written in C, it leaves the 2 cores to
the server, where a Python client would compete with it for them.
"""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

from .stats import latency_summary

WRK_SCRIPT = Path(__file__).resolve().parent / "wrk.lua"
INSTALL_HINT = "install wrk for accurate figures: apt-get install -y wrk"


def search_paths(questions: list[str], k: int = 10) -> list[str]:
    return ["/api/search?" + urllib.parse.urlencode({"q": q, "k": k}) for q in questions]


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_wrk(
    base_url: str, paths_file: Path, connections: int, seconds: float, timeout_s: float = 10.0
) -> dict:
    threads = max(1, min(connections, 2))
    cmd = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={timeout_s:g}s",
        "-s",
        str(WRK_SCRIPT),
        base_url,
        "--",
        str(paths_file),
    ]
    out = subprocess.run(
        cmd, capture_output=True, text=True, timeout=seconds + timeout_s + 60, check=True
    ).stdout
    line = [ln for ln in out.splitlines() if ln.startswith("{")][-1]
    raw = json.loads(line)
    errors = sum(raw["errors"].values())
    return {
        "tool": "wrk",
        "connections": connections,
        "requests": raw["requests"],
        "seconds": raw["duration_s"],
        "throughput_rps": raw["requests"] / raw["duration_s"],
        "errors": errors,
        "error_detail": raw["errors"],
        **{key: raw[key] for key in ("p50_ms", "p95_ms", "p99_ms", "mean_ms", "max_ms")},
    }


def run_python(
    base_url: str,
    paths: list[str],
    connections: int,
    seconds: float,
    max_requests: int = 100_000,
    timeout_s: float = 10.0,
) -> dict:
    """Fallback client: one keep-alive connection per thread, bounded in time and count."""
    parsed = urllib.parse.urlsplit(base_url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    sent = [0]
    deadline = time.monotonic() + seconds

    def client(offset: int) -> None:
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout_s)
        i = offset
        while time.monotonic() < deadline:
            with lock:
                if sent[0] >= max_requests:
                    break
                sent[0] += 1
            path = paths[i % len(paths)]
            i += 1
            started = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except (OSError, http.client.HTTPException):
                ok = False
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=timeout_s)
            elapsed = time.perf_counter() - started
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1
        conn.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n * 7919,)) for n in range(connections)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    summary = (
        latency_summary(latencies)
        if latencies
        else {
            "p50_ms": float("nan"),
            "p95_ms": float("nan"),
            "p99_ms": float("nan"),
            "mean_ms": float("nan"),
            "samples": 0,
        }
    )
    return {
        "tool": "python",
        "connections": connections,
        "requests": len(latencies) + errors[0],
        "seconds": wall,
        "throughput_rps": len(latencies) / wall,
        "errors": errors[0],
        "max_ms": max(latencies, default=float("nan")) * 1000,
        **{k: v for k, v in summary.items() if k != "samples"},
    }


def run_load(
    base_url: str, paths: list[str], paths_file: Path, connections: int, seconds: float
) -> dict:
    if have_wrk():
        return run_wrk(base_url, paths_file, connections, seconds)
    return run_python(base_url, paths, connections, seconds)
