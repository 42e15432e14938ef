"""Start the real production server (gunicorn + waitress) on loopback, watch it, stop it.

The benchmark and the serving tests share this so that both exercise what
`make serve` runs, not Flask's development server. `PeerServer` starts the
plain peer the benchmark compares with (bench/peer.py).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GUNICORN_CONF = REPO / "search_app" / "gunicorn_conf.py"
HOST = "127.0.0.1"  # never anything but loopback


def free_port(low: int, high: int) -> int:
    """The first port in [low, high] nothing listens on."""
    for port in range(low, high + 1):
        with socket.socket() as s:
            try:
                s.bind((HOST, port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{high}")


def gunicorn_head() -> list[str]:
    exe = Path(sys.executable).with_name("gunicorn")
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "gunicorn"]


def gunicorn_command() -> list[str]:
    """What `make serve` runs."""
    return gunicorn_head() + ["--config", str(GUNICORN_CONF), "search_app:create_app()"]


class Server:
    """One gunicorn master and its workers, in a process group of their own."""

    label = "this service"

    def __init__(self, port: int, env: dict[str, str], log_path: Path):
        self.port = port
        self.env = {**os.environ, **env, "HOST": HOST, "PORT": str(port), "PYTHONPATH": str(REPO)}
        self.log_path = log_path
        self.proc: subprocess.Popen | None = None
        self.started = 0.0

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        self.started = time.perf_counter()
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            self.command(),
            cwd=REPO,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def command(self) -> list[str]:
        return gunicorn_command()

    def wait_answer(self, path: str, timeout: float = 180.0) -> float:
        """Seconds from start() until `path` first answers 200 (the cold start)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.proc.returncode}; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(self.base_url + path, timeout=30) as resp:
                    if resp.status == 200:
                        resp.read()
                        return time.perf_counter() - self.started
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.05)
        raise RuntimeError(f"server did not answer within {timeout:.0f}s; see {self.log_path}")

    def wait_workers(self, count: int, timeout: float = 60.0) -> list[int]:
        """The worker pids once `count` are up (the first may answer before the last is forked)."""
        deadline = time.monotonic() + timeout
        while len(pids := self.worker_pids()) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return pids

    def worker_pids(self) -> list[int]:
        return children(self.proc.pid) if self.proc else []

    def memory(self) -> dict:
        """Resident memory per worker and in total (RSS, and PSS which counts shared pages once)."""
        workers = [memory_kib(pid) for pid in self.worker_pids()]
        master = memory_kib(self.proc.pid)
        mib = 1024.0
        return {
            "workers": len(workers),
            "rss_per_worker_mib": [w["rss"] / mib for w in workers],
            "pss_per_worker_mib": [w["pss"] / mib for w in workers],
            "master_rss_mib": master["rss"] / mib,
            "total_rss_mib": (master["rss"] + sum(w["rss"] for w in workers)) / mib,
            "total_pss_mib": (master["pss"] + sum(w["pss"] for w in workers)) / mib,
        }

    def cpu_seconds(self) -> float:
        """CPU time the master and workers have used: what a request costs, whatever else runs."""
        return sum(cpu_seconds(pid) for pid in [self.proc.pid, *self.worker_pids()])

    def stop(self, grace: float = 20.0) -> None:
        """SIGTERM the master (it stops its workers), then SIGKILL the group if it lingers."""
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)

    def __enter__(self) -> "Server":
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class PeerServer(Server):
    """The plain peer (bench/peer.py): gunicorn 2 x 2 gthread, sentence-transformers, FAISS."""

    label = "plain peer"

    def __init__(self, port: int, env: dict[str, str], log_path: Path, index_dir: Path):
        super().__init__(port, {**env, "PEER_INDEX_DIR": str(index_dir)}, log_path)

    def command(self) -> list[str]:
        from .peer import GUNICORN_ARGS

        return gunicorn_head() + ["--bind", f"{HOST}:{self.port}", *GUNICORN_ARGS]


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def memory_kib(pid: int) -> dict:
    """Rss and Pss of a process in KiB, from /proc (Linux)."""
    fields = {"rss": 0, "pss": 0}
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in ("Rss", "Pss"):
                    fields[key.lower()] = int(rest.split()[0])
    except OSError:
        pass
    return fields


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat (Linux)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
