"""The benchmark's one table, as text for the terminal, Markdown for the README, and a chart."""

from __future__ import annotations

import json
import os
from pathlib import Path

from eval.result_files import write_files


def _fmt(value, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "not measured"
    if isinstance(value, float):
        return f"{value:.{digits}f}{unit}"
    return f"{value}{unit}"


def _run(run: dict) -> str:
    if run.get("stalled"):
        return f"stalled: no request answered in {run['seconds']:.0f} s"
    return (
        f"{run['throughput_rps']:.1f} req/s, p50 {run['p50_ms']:.1f} / p99 {run['p99_ms']:.0f} ms, "
        f"{run['errors']} errors"
    )


def rows(r: dict) -> list[tuple[str, str, str, str]]:
    """(measure, this service, plain peer, ratio and target) rows."""
    o, p, ratio, tgt, met = r["ours"], r["peer"], r["ratios"], r["targets"], r["met"]

    def verdict(key):
        return "met" if met[key] else "NOT met"

    out = [
        (
            "c=1 latency p50 / p95 / p99",
            *(
                f"{s['load']['1']['p50_ms']:.1f} / {s['load']['1']['p95_ms']:.1f} / "
                f"{s['load']['1']['p99_ms']:.1f} ms"
                for s in (o, p)
            ),
            f"**p50 {ratio['c1_p50_over_peer']:.2f}x** (<= {tgt['c1_p50_over_peer']}x: "
            f"{verdict('c1_p50_over_peer')})",
        ),
        (
            "c=4",
            _run(o["load"]["4"]),
            _run(p["load"]["4"]),
            f"{ratio['c4_over_peer']:.2f}x throughput",
        ),
        (
            "c=16",
            _run(o["load"]["16"]),
            _run(p["load"]["16"]),
            f"**{ratio['c16_over_peer']:.2f}x throughput** (>= {tgt['c16_over_peer']}x: "
            f"{verdict('c16_over_peer')}); errors at c=1, 4, 16: {verdict('errors')}",
        ),
        (
            f"c=16 with {o['slow']['slow_clients']} slow clients",
            _run(o["slow"]),
            _run(p["slow"]),
            f"**p99 {ratio['slow_p99_over_p99']:.2f}x** of c=16 (peer "
            f"{'stalled' if p['slow'].get('stalled') else format(ratio['peer_slow_p99_over_p99'], '.1f') + 'x'}"
            "); 0 errors and <= "
            f"{tgt['slow_p99_over_p99']}x: {verdict('slow')}",
        ),
        (
            "server CPU per request at c=1 / c=16",
            *(
                f"{s['load']['1']['server_cpu_ms_per_request']:.2f} / "
                f"{s['load']['16']['server_cpu_ms_per_request']:.2f} ms"
                for s in (o, p)
            ),
            f"{ratio['c1_cpu_over_peer']:.2f}x / {ratio['c16_cpu_over_peer']:.2f}x",
        ),
        (
            "memory: PSS of every server process (RSS sum)",
            *(
                f"{s['memory']['total_pss_mib']:.0f} MiB ({s['memory']['total_rss_mib']:.0f} MiB)"
                for s in (o, p)
            ),
            f"**{o['memory']['total_pss_mib']:.0f} MiB** (<= {tgt['pss_mib']:.0f}: "
            f"{verdict('pss_mib')}); {ratio['pss_over_peer']:.2f}x peer",
        ),
        (
            "cold start: process start to first answer (median)",
            *(
                f"{s['cold_start_s']:.1f} s ("
                + ", ".join(f"{c:.1f}" for c in s["cold_starts_s"])
                + ")"
                for s in (o, p)
            ),
            f"{ratio['cold_over_peer']:.2f}x",
        ),
        (
            "floor: model work per query, alone (median, in-process)",
            f"{r['floor']['floor_ms']:.2f} ms (ONNX Runtime, {r['floor']['native_threads']} thread)",
            "",
            "",
        ),
    ]
    if r.get("build"):
        out.append(("index build time", _fmt(r["build"]["seconds"], " s"), "", ""))
    return out


def setup_line(r: dict) -> str:
    s, m = r["server"], r["machine"]
    return (
        f"this service: gunicorn + waitress, {s['workers']} workers x {s['threads']} threads, "
        f"{s['native_threads']} native thread, batches of up to {s['batch_max']} "
        f"({s['batch_window_ms']:g} ms window); peer: gunicorn 2 x 2 gthread, 1 torch thread; "
        f"{r['tool']}, {r['seconds_per_run']:.0f} s per run, {r['questions']} fresh questions; "
        f"{m['cores']} cores, load average {m['loadavg_before']:.2f} before / "
        f"{m['loadavg_after']:.2f} after"
    )


def markdown(r: dict) -> str:
    lines = ["| measure | this service | plain peer | ratio, target |", "|---|---|---|---|"]
    lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows(r)]
    return "\n".join(lines) + "\n\n" + setup_line(r) + f" ({r['measured_at']}).\n"


def text(r: dict) -> str:
    out = []
    for a, b, c, d in rows(r):
        out.append(f"{a}\n    ours: {b}\n    peer: {c}\n    {d.replace('**', '')}".rstrip())
    return "\n".join(out) + "\n" + setup_line(r) + "\n"


def chart(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    labels = ["c=1", "c=4", "c=16", "c=16 + slow"]
    for ax, key, title in (
        (left, "throughput_rps", "throughput (req/s)"),
        (right, "p99_ms", "p99 (ms)"),
    ):
        for n, (side, colour) in enumerate((("ours", "#3b75af"), ("peer", "#888888"))):
            runs = [r[side]["load"][c] for c in ("1", "4", "16")] + [r[side]["slow"]]
            xs = [i + n * 0.4 for i in range(len(labels))]
            ax.bar(
                xs,
                [run[key] for run in runs],
                width=0.4,
                color=colour,
                label="this service" if side == "ours" else "plain peer",
            )
        ax.set_xticks([i + 0.2 for i in range(len(labels))], labels)
        ax.set_title(title)
        ax.legend(fontsize=8)
    right.set_yscale("log")
    fig.suptitle(setup_line(r), fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(r: dict, out_dir: Path) -> dict[str, Path]:
    return write_files(out_dir, "bench", r, markdown(r), chart)


def compare_markdown(rows: list[dict], floor: dict, tool: str, a) -> str:
    ideal = (os.cpu_count() or 1) * 1000.0 / floor["model_cpu_ms"]
    lines = [
        "| workers x threads | c=1 p50 | c=16 throughput | of ideal | c=16 p95 | errors "
        "| server CPU / request | memory (PSS) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r['workers']} x {r['threads']} | {r['c1_p50_ms']:.1f} ms | {r['c16_rps']:.1f} req/s "
            f"| {r['c16_rps'] / ideal:.0%} | {r['c16_p95_ms']:.0f} ms | {r['c16_errors']} "
            f"| {r['c16_server_cpu_ms_per_request']:.1f} ms | {r['total_pss_mib']:.0f} MiB |"
        )
    return (
        "\n".join(lines) + f"\n\nfloor {floor['floor_ms']:.1f} ms, model CPU "
        f"{floor['model_cpu_ms']:.1f} ms per query (ideal {ideal:.0f} req/s on {os.cpu_count()} cores); "
        f"native threads {a.native_threads}, {tool}, "
        f"{a.seconds:.0f} s per run.\n"
    )


def write_compare(rows: list[dict], floor: dict, tool: str, a, out_dir: Path) -> dict[str, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "bench_layouts.json", "md": out_dir / "bench_layouts.md"}
    paths["json"].write_text(
        json.dumps({"floor": floor, "layouts": rows}, indent=1) + "\n", encoding="utf-8"
    )
    paths["md"].write_text(compare_markdown(rows, floor, tool, a), encoding="utf-8")
    return paths
