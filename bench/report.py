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


def rows(r: dict) -> list[tuple[str, str, str]]:
    """(measure, value, target) rows, in the order the issue lists them."""
    f, c1, c4, c16 = r["floor"], r["latency_c1"], r["load"]["4"], r["load"]["16"]
    ratio, tgt = r["ratios"], r["targets"]
    mem, build, cold = r["memory"], r.get("build") or {}, r["cold_start"]

    def verdict(key):
        return "met" if ratio.get(key + "_met") else "NOT met"

    out = [
        (
            f"floor: model work per query (median of {f['questions']} gold questions, "
            f"{f['torch_threads']} torch thread)",
            _fmt(f["floor_ms"], " ms", 2),
            "",
        ),
        (
            f"model CPU time per query -> ideal throughput on {r['machine']['cores']} cores",
            f"{f['model_cpu_ms']:.2f} ms -> {ratio['ideal_rps']:.1f} req/s",
            "",
        ),
        (
            "c=1 latency p50 / p95 / p99",
            f"{c1['p50_ms']:.1f} / {c1['p95_ms']:.1f} / {c1['p99_ms']:.1f} ms",
            "",
        ),
        (
            "c=4 throughput, p95, errors",
            f"{c4['throughput_rps']:.1f} req/s, {c4['p95_ms']:.0f} ms, {c4['errors']}",
            "",
        ),
        (
            "c=16 throughput, p95, errors",
            f"{c16['throughput_rps']:.1f} req/s, {c16['p95_ms']:.0f} ms, {c16['errors']}",
            "",
        ),
        (
            "**p50 at c=1 / floor**",
            f"**{ratio['p50_over_floor']:.2f}x**",
            f"<= {tgt['p50_over_floor']}x: {verdict('p50_over_floor')}",
        ),
        (
            "**throughput at c=16 / ideal**",
            f"**{ratio['c16_over_ideal']:.0%}**",
            f">= {tgt['c16_over_ideal']:.0%}, 0 errors: {verdict('c16_over_ideal')}",
        ),
        (
            "server CPU per request at c=16 (model share of it)",
            f"{c16['server_cpu_ms_per_request']:.2f} ms ({ratio['c16_cpu_efficiency']:.0%})",
            "",
        ),
        ("cold start (process start to first answer)", _fmt(cold["cold_start_s"], " s", 2), ""),
        ("import + model load alone", _fmt(cold["import_and_load_s"], " s", 2), ""),
        (
            "**cold start / import+load**",
            f"**{ratio['cold_over_load']:.2f}x**",
            f"<= {tgt['cold_over_load']}x: {verdict('cold_over_load')}",
        ),
        (
            "resident memory per worker (RSS; PSS)",
            ", ".join(
                f"{a:.0f}; {b:.0f} MiB"
                for a, b in zip(mem["rss_per_worker_mib"], mem["pss_per_worker_mib"])
            ),
            "",
        ),
        (
            "resident memory in total (PSS, master included; RSS sum)",
            f"{mem['total_pss_mib']:.0f} MiB; {mem['total_rss_mib']:.0f} MiB",
            "",
        ),
        ("index build time", _fmt(build.get("seconds"), " s", 1), ""),
        ("embedding throughput at build", _fmt(build.get("passages_per_s"), " passages/s", 1), ""),
    ]
    if r.get("cached"):
        cc = r["cached"]
        out.append(
            (
                "c=16 with the query cache warm (repeated questions)",
                f"{cc['throughput_rps']:.1f} req/s, p95 {cc['p95_ms']:.0f} ms, "
                f"{cc['errors']} errors",
                "",
            )
        )
    return out


def setup_line(r: dict) -> str:
    s, m = r["server"], r["machine"]
    return (
        f"gunicorn {s['workers']} workers x {s['threads']} threads "
        f"(preload_app={s['preload']}), torch threads {s['torch_threads']}, "
        f"query cache off for the load runs; load tool {r['tool']}, "
        f"{r['seconds_per_run']:.0f} s per run; {m['cores']} cores, load average "
        f"{m['loadavg_before']:.2f} before / {m['loadavg_after']:.2f} after"
    )


def markdown(r: dict) -> str:
    lines = ["| measure | measured | target |", "|---|---|---|"]
    lines += [f"| {a} | {b} | {c} |" for a, b, c in rows(r)]
    return "\n".join(lines) + "\n\n" + setup_line(r) + f" ({r['measured_at']}).\n"


def text(r: dict) -> str:
    body = rows(r)
    width = max(len(a.replace("**", "")) for a, _, _ in body)
    out = [f"{a.replace('**', ''):<{width}}  {b.replace('**', ''):<28} {c}" for a, b, c in body]
    return "\n".join(out) + "\n" + setup_line(r) + "\n"


def chart(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    c1 = r["latency_c1"]
    names = ["floor", "p50", "p95", "p99"]
    values = [r["floor"]["floor_ms"], c1["p50_ms"], c1["p95_ms"], c1["p99_ms"]]
    left.bar(names, values, color=["#888888", "#3b75af", "#3b75af", "#3b75af"])
    left.axhline(
        r["floor"]["floor_ms"] * r["targets"]["p50_over_floor"],
        color="#c44e52",
        linestyle="--",
        label=f"target p50 ({r['targets']['p50_over_floor']}x floor)",
    )
    left.set_ylabel("ms")
    left.set_title("latency at concurrency 1")
    left.legend(fontsize=8)

    levels = ["1", "4", "16"]
    rps = [r["latency_c1"]["throughput_rps"]] + [r["load"][c]["throughput_rps"] for c in levels[1:]]
    right.bar([f"c={c}" for c in levels], rps, color="#3b75af")
    right.axhline(r["ratios"]["ideal_rps"], color="#888888", linestyle="-", label="ideal")
    right.axhline(
        r["ratios"]["ideal_rps"] * r["targets"]["c16_over_ideal"],
        color="#c44e52",
        linestyle="--",
        label=f"target ({r['targets']['c16_over_ideal']:.0%} of ideal)",
    )
    right.set_ylabel("requests / s")
    right.set_title("throughput")
    right.legend(fontsize=8)
    fig.suptitle(setup_line(r), fontsize=7)
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
        f"preload_app={a.preload}, torch threads {a.torch_threads}, {tool}, "
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
