"""Per-question wins and losses between two evaluation results, with a paired test."""

from __future__ import annotations

import json
from pathlib import Path

from scipy import stats


def compare(a_path: Path, b_path: Path, config: str = "service", metric: str = "mrr@10") -> str:
    a = json.loads(Path(a_path).read_text(encoding="utf-8"))
    b = json.loads(Path(b_path).read_text(encoding="utf-8"))
    qa = a["configs"][config]["per_question"]
    qb = b["configs"][config]["per_question"]
    common = sorted(set(qa) & set(qb))
    xs = [qa[q][metric] for q in common]
    ys = [qb[q][metric] for q in common]
    wins = [q for q, x, y in zip(common, xs, ys) if y > x]
    losses = [q for q, x, y in zip(common, xs, ys) if y < x]
    lines = [
        f"{config} {metric}: A={sum(xs) / len(xs):.4f}  B={sum(ys) / len(ys):.4f}  "
        f"over {len(common)} shared questions",
        f"B wins {len(wins)}, loses {len(losses)}, ties {len(common) - len(wins) - len(losses)}",
    ]
    if wins or losses:
        w = stats.wilcoxon(ys, xs, zero_method="zsplit")
        t = stats.ttest_rel(ys, xs)
        lines.append(
            f"paired Wilcoxon signed-rank p={w.pvalue:.4g}; paired t-test p={t.pvalue:.4g}"
        )
    for label, ids in (("win", wins), ("loss", losses)):
        for q in ids:
            lines.append(f"  {label:4} {q}: {qa[q][metric]:.3f} -> {qb[q][metric]:.3f}")
    return "\n".join(lines)
