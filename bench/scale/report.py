"""The scale study's tables (text and Markdown) and its chart of query time against corpus size."""

from __future__ import annotations

from pathlib import Path

from eval.result_files import write_files


def _mib(n: float) -> str:
    return f"{n / 2**20:,.0f} MiB" if n >= 2**20 else f"{n / 2**10:,.0f} KiB"


def _sentence_scan(r: dict) -> list[str]:
    """Measured where it fit in memory, else extrapolated linearly from the largest measured."""
    measured = [p for p in r["request_path"] if p.get("sentence_scan_measured")]
    out = []
    for p in r["request_path"]:
        if p.get("sentence_scan_measured"):
            out.append(f"{p['sentence_scan_ms']:.1f}")
        elif measured:
            last = measured[-1]
            out.append(
                f"~{last['sentence_scan_ms'] * p['sentences'] / last['sentences']:.0f} (extrapolated)"
            )
        else:
            out.append("not measured")
    return out


def dense_rows(r: dict) -> list[list[str]]:
    floor = r.get("floor_ms")
    rows = []
    for d in r["dense"]:
        for kind, label in (
            ("flat", "IndexFlatIP (exact)"),
            ("hnsw", f"HNSW M={d['hnsw']['M']}, efSearch={d['hnsw']['ef_search']}"),
        ):
            x = d[kind]
            share = f"{x['query_ms'] / floor:.2f}" if floor else "n/a"
            cpu = f" ({x['build_cpu_s']:.1f} s CPU)" if "build_cpu_s" in x else ""
            rows.append(
                [
                    f"{d['passages']:,}",
                    label,
                    f"{x['build_s']:.1f} s{cpu}",
                    _mib(x["bytes"]),
                    f"{x['load_read_s']:.2f} s / {x['load_mmap_s']:.3f} s",
                    f"{x['query_ms']:.2f} ms",
                    share,
                    f"{x['recall_at_10']:.3f}",
                ]
            )
    return rows


DENSE_HEAD = [
    "passages",
    "index",
    "build",
    "size",
    "load: read / mmap",
    "query (1 thread)",
    "query / floor",
    "recall@10",
]
SWEEP_HEAD = ["passages", "efSearch", "query (1 thread)", "recall@10"]
BM25_HEAD = ["passages", "build (tokenise + index)", "size", "query (scores + top 10)"]
PATH_HEAD = ["passages", "argsort of all scores", "sentences", "sentence re-ranker scan"]


def sweep_rows(r: dict) -> list[list[str]]:
    return [
        [f"{d['passages']:,}", ef, f"{s['query_ms']:.2f} ms", f"{s['recall_at_10']:.3f}"]
        for d in r["dense"]
        for ef, s in d["hnsw"]["sweep"].items()
    ]


def bm25_rows(r: dict) -> list[list[str]]:
    return [
        [
            f"{b['passages']:,}",
            f"{b['build_s']:.1f} s ({b['tokenize_s']:.1f} + {b['index_s']:.1f})",
            _mib(b["bytes"]),
            f"{b['query_ms']:.2f} ms",
        ]
        for b in r["bm25"]
    ]


def path_rows(r: dict) -> list[list[str]]:
    scans = _sentence_scan(r)
    return [
        [f"{p['passages']:,}", f"{p['argsort_ms']:.2f} ms", f"{p['sentences']:,}", f"{s} ms"]
        for p, s in zip(r["request_path"], scans)
    ]


def _md_table(head: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _text_table(head: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return "\n".join(fmt.format(*row) for row in [head, *rows])


def summary(r: dict) -> str:
    floor = r.get("floor_ms")
    sim = r["dense"][0]["similarity"]
    parts = [
        f"floor (model time per query, from bench.json): {floor:.2f} ms"
        if floor
        else "floor: unknown (run python -m bench first)"
    ]
    if r.get("exact_limit_at_quarter_floor") is not None:
        parts.append(
            f"exact search stays under a quarter of the floor up to about "
            f"{r['exact_limit_at_quarter_floor']:,} passages (linear fit); the indexer "
            f"switches to HNSW above {r['configured_exact_max']:,}"
        )
    parts.append(
        f"synthetic vectors: mean query-passage cosine {sim['mean']:.2f}, top-1 "
        f"{sim['top1']:.2f}, top-10 {sim['top10']:.2f}; BM25 text: "
        f"{r['replicated_passages']} real passages replicated"
    )
    parts.append(
        f"{r['queries']} queries, {r['machine']['cores']} cores, load average "
        f"{r['machine']['loadavg']:.1f} at the end, {r['seconds'] / 60:.1f} min in all "
        f"({r['measured_at']})"
    )
    return "\n".join(parts)


def markdown(r: dict) -> str:
    return (
        "\n\n".join(
            [
                _md_table(DENSE_HEAD, dense_rows(r)),
                _md_table(SWEEP_HEAD, sweep_rows(r)),
                _md_table(BM25_HEAD, bm25_rows(r)),
                _md_table(PATH_HEAD, path_rows(r)),
                summary(r).replace("\n", ";\n") + ".",
            ]
        )
        + "\n"
    )


def text(r: dict) -> str:
    return (
        "\n\n".join(
            [
                _text_table(DENSE_HEAD, dense_rows(r)),
                _text_table(SWEEP_HEAD, sweep_rows(r)),
                _text_table(BM25_HEAD, bm25_rows(r)),
                _text_table(PATH_HEAD, path_rows(r)),
                summary(r),
            ]
        )
        + "\n"
    )


def chart(r: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = [d["passages"] for d in r["dense"]]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(
        n, [d["flat"]["query_ms"] for d in r["dense"]], "o-", label="dense, exact (IndexFlatIP)"
    )
    ax.plot(
        n,
        [d["hnsw"]["query_ms"] for d in r["dense"]],
        "s-",
        label=f"dense, HNSW (efSearch {r['dense'][0]['hnsw']['ef_search']})",
    )
    ax.plot(n, [b["query_ms"] for b in r["bm25"]], "^-", label="BM25 (bm25s)")
    if r.get("floor_ms"):
        ax.axhline(r["floor_ms"], color="#888888", linestyle="-", label="floor (query embedding)")
        ax.axhline(r["floor_ms"] / 4, color="#c44e52", linestyle="--", label="floor / 4")
    ax.axvline(
        r["configured_exact_max"],
        color="#999999",
        linestyle=":",
        label=f"indexer switches to HNSW ({r['configured_exact_max']:,})",
    )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("passages")
    ax.set_ylabel("query time, one thread (ms)")
    ax.set_title("query time against corpus size")
    ax.legend(fontsize=8)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(r: dict, out_dir: Path) -> dict[str, Path]:
    return write_files(out_dir, "scale", r, markdown(r), chart)
