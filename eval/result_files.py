"""Every eval result is kept as three files beside each other: JSON, Markdown and a chart."""

from __future__ import annotations

import json
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
# Runs write here by default (untracked): tests, eval and bench change no tracked file.
RESULTS_DIR = REPO / "results"
# The reference results that docs/ quotes, written only on purpose (--reference).
REFERENCE_DIR = REPO / "docs" / "results"


def results_dir(reference: bool = False) -> Path:
    return REFERENCE_DIR if reference else RESULTS_DIR


def write_files(out_dir: Path, name: str, data: dict, markdown: str, chart_fn) -> dict[str, Path]:
    """The three files every eval result is kept as: NAME.json, NAME.md and the chart NAME.png."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "json": out_dir / f"{name}.json",
        "md": out_dir / f"{name}.md",
        "png": out_dir / f"{name}.png",
    }
    paths["json"].write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    paths["md"].write_text(markdown, encoding="utf-8")
    chart_fn(data, paths["png"])
    return paths


def add_output_options(parser) -> None:
    """--out and --reference, shared by every command that writes results."""
    parser.add_argument("--out", type=Path, help=f"result folder (default: {RESULTS_DIR.name}/)")
    parser.add_argument(
        "--reference",
        action="store_true",
        help="write the reference results that docs/ quotes (docs/results/)",
    )


def output_dir(args) -> Path:
    return args.out or results_dir(args.reference)


def parse_with_output(parser, argv):
    """`parser`'s arguments plus --out/--reference; `out` is the folder to write to."""
    add_output_options(parser)
    args = parser.parse_args(argv)
    args.out = output_dir(args)
    return args
