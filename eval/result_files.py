"""Every eval result is kept as three files beside each other: JSON, Markdown and a chart."""

from __future__ import annotations

import json
from pathlib import Path


def write_files(out_dir: Path, name: str, data: dict, markdown: str, chart_fn) -> dict[str, Path]:
    """The three files every eval result is kept as: NAME.json, NAME.md and the chart NAME.png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / f"{name}.json", "md": out_dir / f"{name}.md",
             "png": out_dir / f"{name}.png"}
    paths["json"].write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    paths["md"].write_text(markdown, encoding="utf-8")
    chart_fn(data, paths["png"])
    return paths
