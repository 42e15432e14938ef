"""Choose the abstention threshold from the gold set, and record it with the index.

For each confidence signal the searcher reports, find the threshold that
flags the required share of out-of-scope questions while flagging as few
answerable ones as possible; keep the best signal. The result is written as
calibration.json inside the index build the searcher loaded.
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path

from .gold import GoldQuestion
from .harness import DEPTH

TARGET_OOS_RECALL = 0.9


def calibrate(searcher, questions: list[GoldQuestion], target: float = TARGET_OOS_RECALL) -> dict:
    signals: dict[str, list[tuple[float, bool]]] = {}
    for q in questions:
        result = searcher.search(q.question, DEPTH)
        for name, value in result.details.get("confidence", {}).items():
            signals.setdefault(name, []).append((value, q.answerable))
    best = None
    for name, values in signals.items():
        oos = sorted(v for v, answerable in values if not answerable)
        answerable = [v for v, ok in values if ok]
        if not oos or not answerable:
            continue
        # The lowest cut that flags the target share of out-of-scope questions,
        # placed midway to the next score above it for a margin.
        needed = oos[max(0, math.ceil(target * len(oos)) - 1)]
        above = [v for v, _ in values if v > needed]
        threshold = (needed + min(above)) / 2 if above else needed + 1e-4
        candidate = {
            "feature": name,
            "threshold": round(threshold, 4),
            "oos_recall": round(sum(v < threshold for v in oos) / len(oos), 4),
            "answerable_flagged": round(sum(v < threshold for v in answerable) / len(answerable), 4),
        }
        if best is None or (candidate["answerable_flagged"], -candidate["oos_recall"]) < (
                best["answerable_flagged"], -best["oos_recall"]):
            best = candidate
    if best is None:
        raise ValueError("calibration needs answerable and out-of-scope questions")
    best["questions"] = len(questions)
    return best


def record(index_path: Path, calibration: dict) -> Path:
    """Atomically write calibration.json into the index build."""
    path = Path(index_path) / "calibration.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(calibration, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
