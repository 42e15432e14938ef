"""The benchmark's arithmetic and its load clients, without timing anything."""

from __future__ import annotations

import argparse
import http.server
import threading
import urllib.parse

import numpy as np
import pytest

from bench import bench
from bench import load as bench_load
from bench import report as bench_report
from bench import stats as bench_stats


def test_percentile_matches_numpy_and_known_values():
    assert bench_stats.percentile([1, 2, 3, 4], 50) == 2.5
    assert bench_stats.percentile([4, 1, 3, 2], 0) == 1
    assert bench_stats.percentile([4, 1, 3, 2], 100) == 4
    assert bench_stats.percentile([7], 99) == 7
    values = np.random.default_rng(0).exponential(size=1001)
    for q in (50, 95, 99, 99.9):
        assert bench_stats.percentile(values, q) == pytest.approx(np.percentile(values, q))
    with pytest.raises(ValueError):
        bench_stats.percentile([], 50)
    with pytest.raises(ValueError):
        bench_stats.percentile([1, 2], 101)


def test_latency_summary_is_in_milliseconds():
    s = bench_stats.latency_summary([0.010, 0.020, 0.030, 0.040, 0.100])
    assert s["p50_ms"] == pytest.approx(30.0)
    assert s["mean_ms"] == pytest.approx(40.0)
    assert s["p99_ms"] == pytest.approx(97.6)
    assert s["samples"] == 5


def test_ratios_against_floor_and_ideal():
    assert bench_stats.ideal_throughput(2, 16.0) == pytest.approx(125.0)
    assert bench_stats.throughput_ratio(87.5, 2, 16.0) == pytest.approx(0.70)
    assert bench_stats.latency_ratio(20.8, 16.0) == pytest.approx(1.3)
    assert bench_stats.target_met(1.29, 1.3, higher_is_better=False)
    assert not bench_stats.target_met(1.31, 1.3, higher_is_better=False)
    assert bench_stats.target_met(0.70, 0.70, higher_is_better=True)
    assert not bench_stats.target_met(0.69, 0.70, higher_is_better=True)
    with pytest.raises(ValueError):
        bench_stats.ideal_throughput(2, 0.0)


def _side(rps16: float, errors16: int, p50: float, slow_p99: float, pss: float) -> dict:
    def load(rps, errors, p99=50.0):
        return {
            "throughput_rps": rps,
            "p50_ms": 30.0,
            "p95_ms": 40.0,
            "p99_ms": p99,
            "errors": errors,
            "server_cpu_ms_per_request": 5.0,
        }

    return {
        "load": {
            "1": {**load(50.0, 0), "p50_ms": p50},
            "4": load(90.0, 0),
            "16": load(rps16, errors16),
        },
        "slow": {**load(rps16, 0, slow_p99), "slow_clients": 16},
        "memory": {"total_pss_mib": pss, "total_rss_mib": 2 * pss},
        "cold_starts_s": [5.0, 6.0],
    }


def _run(ours: dict, peer: dict) -> dict:
    args = argparse.Namespace(workers=2, threads=8, native_threads=1, seconds=10)
    floor = {"floor_ms": 4.0, "model_cpu_ms": 4.0, "questions": 98, "native_threads": 1}
    build = {"seconds": 30.0, "passages_per_s": 20.0}
    served = {"ours": ours, "peer": peer}
    return bench.assemble(args, floor, served, build, "wrk", 1.0, 1.0)


def test_assemble_judges_each_target_against_the_peer():
    peer = _side(rps16=100.0, errors16=0, p50=10.0, slow_p99=5000.0, pss=900.0)
    good = _run(_side(rps16=260.0, errors16=0, p50=5.0, slow_p99=90.0, pss=400.0), peer)
    assert good["ratios"]["c16_over_peer"] == pytest.approx(2.6)
    assert good["ratios"]["c1_p50_over_peer"] == pytest.approx(0.5)
    assert good["ratios"]["slow_p99_over_p99"] == pytest.approx(1.8)
    assert all(good["met"].values())
    assert "NOT met" not in bench_report.markdown(good)

    bad = _run(_side(rps16=200.0, errors16=3, p50=7.0, slow_p99=150.0, pss=500.0), peer)
    assert not any(bad["met"].values())
    assert bench_report.markdown(bad).count("NOT met") == 5


class _Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as gunicorn's gthread workers speak
    seen: list[str] = []

    def do_GET(self):  # noqa: N802 (http.server's naming)
        self.seen.append(self.path)
        status = 500 if "fail" in self.path else 200
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def recorder():
    _Recorder.seen = []
    # Port 0: the OS picks an unused ephemeral port, so no other server or
    # client probing the 8200-8299 range can reach this recorder.
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def _base(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}"


def test_search_paths_carry_the_questions_exactly():
    questions = ["can myeloma mess up my kidneys?", "CAR T & 'BCMA' 100%"]
    paths = bench_load.search_paths(questions, k=3)
    for q, p in zip(questions, paths):
        parsed = urllib.parse.urlsplit(p)
        assert parsed.path == "/api/search"
        assert urllib.parse.parse_qs(parsed.query) == {"q": [q], "k": ["3"]}


@pytest.mark.integration
def test_python_client_is_bounded_rotates_and_counts_errors(recorder):
    paths = ["/api/search?q=a", "/api/search?q=b", "/api/search?q=fail"]
    result = bench_load.run_python(
        _base(recorder), paths, connections=2, seconds=30, max_requests=30
    )
    assert result["requests"] == 30 == len(_Recorder.seen)
    assert set(_Recorder.seen) == set(paths)
    assert result["errors"] == _Recorder.seen.count("/api/search?q=fail") > 0
    assert result["p50_ms"] <= result["p95_ms"] <= result["p99_ms"]


@pytest.mark.integration
@pytest.mark.skipif(not bench_load.have_wrk(), reason=bench_load.INSTALL_HINT)
def test_wrk_script_rotates_questions_and_reports_json(recorder, tmp_path):
    paths = [f"/api/search?q=question{i}" for i in range(5)] + ["/api/search?q=fail"]
    paths_file = tmp_path / "paths.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    result = bench_load.run_wrk(_base(recorder), paths_file, connections=2, seconds=1)
    assert result["tool"] == "wrk"
    assert result["requests"] > 0
    assert set(_Recorder.seen) <= set(paths) and len(set(_Recorder.seen)) > 1
    assert result["error_detail"]["status"] > 0  # the 500s are counted as errors
    assert result["errors"] >= result["error_detail"]["status"]
    assert 0 < result["p50_ms"] <= result["p99_ms"]


def test_profile_splits_a_request_into_model_pipeline_and_framework(app, monkeypatch):
    """bench.profile's split adds up, and replaying the model takes the model out."""
    from bench import profile

    searcher = app.extensions["searcher"]
    monkeypatch.setattr(searcher, "search", searcher.search)  # restored after the test
    monkeypatch.setattr(searcher.model, "_run_tokens", searcher.model._run_tokens)
    monkeypatch.setattr(searcher.encoder.queries, "size", 1)  # as the tool runs it
    monkeypatch.setattr(searcher.encoder.words, "size", 1)
    meter = profile.Meter(searcher)
    paths = [urllib.parse.urlencode({"q": q}) for q in ("myeloma and the kidneys", "zzqxv germs")]
    served = profile.measure(app, meter, paths, rounds=1)
    assert served["model"] > 0 and served["pipeline"] > 0 and served["framework"] > 0
    parts = served["model"] + served["pipeline"] + served["framework"]
    assert parts == pytest.approx(served["total"])
    meter.replay = {}
    replayed = profile.measure(app, meter, paths, rounds=1)
    assert len(meter.replay) >= 2  # each distinct model input recorded once ...
    assert replayed["model"] < served["model"]  # ... and then replayed, not run
    assert "| model |" in profile.report(served, replayed, len(paths), 1)
