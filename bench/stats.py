"""The arithmetic of the benchmark, kept apart so that it can be tested.

On a shared 2-core machine absolute milliseconds swing with whatever else
runs, so the benchmark judges ratios: HTTP latency against the model work a
query cannot avoid (the floor), and throughput against what the cores could
do if they did nothing but that model work (the ideal).
"""

from __future__ import annotations

import math


def percentile(values, q: float) -> float:
    """The q-th percentile (0..100), interpolating linearly between ranks.

    The same definition as numpy's default, so figures from the Python
    client and from wrk's histogram mean the same thing.
    """
    ordered = sorted(float(v) for v in values)
    if not ordered:
        raise ValueError("percentile of no values")
    if not 0 <= q <= 100:
        raise ValueError(f"percentile {q} outside 0..100")
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def latency_summary(seconds) -> dict:
    """p50/p95/p99 and mean in milliseconds."""
    values = list(seconds)
    return {
        "p50_ms": percentile(values, 50) * 1000,
        "p95_ms": percentile(values, 95) * 1000,
        "p99_ms": percentile(values, 99) * 1000,
        "mean_ms": sum(values) / len(values) * 1000,
        "samples": len(values),
    }


def ideal_throughput(cores: int, model_cpu_ms: float) -> float:
    """Queries per second if every core did only the unavoidable model work."""
    if model_cpu_ms <= 0:
        raise ValueError("model CPU time per query must be positive")
    return cores * 1000.0 / model_cpu_ms


def latency_ratio(p50_ms: float, floor_ms: float) -> float:
    """How many floors one answer takes end to end; 1.0 is the model alone."""
    return p50_ms / floor_ms


def throughput_ratio(rps: float, cores: int, model_cpu_ms: float) -> float:
    """Share of the ideal throughput reached; 1.0 means no overhead at all."""
    return rps / ideal_throughput(cores, model_cpu_ms)


def target_met(value: float, target: float, higher_is_better: bool) -> bool:
    return value >= target if higher_is_better else value <= target
