"""Write an evaluation result as JSON, a Markdown report and a chart."""

from __future__ import annotations

from pathlib import Path

from .gold import ALL_STYLES
from .harness import LABELS, METRICS
from .result_files import write_files


def _fmt(value) -> str:
    return "–" if value is None else f"{value:.3f}"


def _styles(results: dict) -> list[str]:
    """The styles the questions have, in the canonical order."""
    present = {s for r in results["configs"].values() for s in r["by_style"]}
    return [s for s in ALL_STYLES if s in present]


def markdown_table(results: dict) -> str:
    """The table the README shows: one row per configuration."""
    styles = _styles(results)
    head = [
        "configuration",
        *(LABELS[m] for m in METRICS),
        *(f"MRR@10 {s}" for s in styles),
        "abstain P",
        "abstain R",
        "answerable flagged",
        "answer right",
        "ms/query",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, r in results["configs"].items():
        ab = r["abstention"]
        row = [
            f"`{name}`",
            *(_fmt(r["overall"][m]) for m in METRICS),
            *(_fmt(r["by_style"].get(s, {}).get("mrr@10")) for s in styles),
            _fmt(ab["precision"]),
            _fmt(ab["recall"]),
            _fmt(ab["answerable_flagged"]),
            _fmt(r.get("answers", {}).get("right")),
            f"{r['mean_query_ms']:.1f}",
        ]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def style_table(results: dict, config: str) -> str:
    r = results["configs"][config]
    head = ["style", *(LABELS[m] for m in METRICS)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for style, scores in r["by_style"].items():
        lines.append("| " + " | ".join([style, *(_fmt(scores[m]) for m in METRICS)]) + " |")
    return "\n".join(lines)


def kind_table(results: dict) -> str:
    """Out-of-scope questions flagged, by why they are out of scope."""
    kinds = sorted({k for r in results["configs"].values() for k in r["abstention"]["by_kind"]})
    lines = [
        "| configuration | " + " | ".join(f"{k} flagged" for k in kinds) + " |",
        "|" + "---|" * (len(kinds) + 1),
    ]
    for name, r in results["configs"].items():
        by_kind = r["abstention"]["by_kind"]
        lines.append(f"| `{name}` | " + " | ".join(_fmt(by_kind.get(k)) for k in kinds) + " |")
    return "\n".join(lines)


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results["configs"])
    styles = _styles(results)
    groups = ["overall", *styles]
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(names)
    for n, name in enumerate(names):
        r = results["configs"][name]
        values = [r["overall"]["mrr@10"]] + [
            r["by_style"].get(s, {}).get("mrr@10", 0) for s in styles
        ]
        ax.bar([g + n * width for g in range(len(groups))], values, width, label=name)
    ax.set_xticks([g + width * (len(names) - 1) / 2 for g in range(len(groups))], groups)
    ax.set_ylabel("MRR@10")
    ax.set_ylim(0, 1)
    ax.set_title(f"Retrieval quality by configuration ({results['split']} split)")
    ax.legend(fontsize=8, ncols=3, loc="lower right")
    ax.grid(axis="y", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def _backend(results: dict) -> str:
    """Where the first stage ran (results from before the setting say nothing: faiss)."""
    backend = results.get("backend") or {"name": "faiss"}
    return backend["name"] + (f" ({backend['uri']})" if backend.get("uri") else "")


def write(results: dict, out_dir: Path, name: str) -> dict[str, Path]:
    service = "service" if "service" in results["configs"] else next(iter(results["configs"]))
    md = (
        f"# Retrieval evaluation ({results['split']} split)\n\n"
        f"{results['answerable']} answerable and {results['out_of_scope']} out-of-scope questions; "
        f"index {results['index_version']}; backend {_backend(results)}; "
        f"command: `{results['command']}`.\n\n"
        f"{markdown_table(results)}\n\n"
        f"## `{service}` by style\n\n{style_table(results, service)}\n\n"
        f"## Out-of-scope questions flagged, by kind\n\n{kind_table(results)}\n\n"
        f"![MRR@10 by configuration]({name}.png)\n"
    )
    return write_files(out_dir, name, results, md, chart)
