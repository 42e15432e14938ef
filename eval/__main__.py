"""python -m eval: score every retriever configuration on the gold set.

python -m eval                       # all configurations, dev + test, report under results/
python -m eval --split test          # only the held-out questions
python -m eval calibrate             # choose the abstention threshold on dev, record it in the index
python -m eval --compare A.json B.json [--config service]
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from core import settings

from .result_files import add_output_options, output_dir


def _sources(corpus_dir: Path) -> dict[str, str]:
    return {p.name: p.read_bytes().decode("utf-8") for p in corpus_dir.iterdir() if p.is_file()}


def _searcher(index_dir: Path):
    from retrieval.index import load_index
    from retrieval.search import Searcher

    return Searcher(load_index(index_dir))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m eval",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", nargs="?", default="run", choices=["run", "calibrate"])
    parser.add_argument("--index", type=Path, default=settings.INDEX_DIR)
    parser.add_argument("--corpus", type=Path, default=settings.CORPUS_DIR)
    parser.add_argument("--split", default="all", choices=["all", "dev", "test"])
    parser.add_argument(
        "--gold",
        type=Path,
        help="another question file in the gold format "
        "(e.g. eval/fresh.jsonl, written blind after a change, never tuned on)",
    )
    parser.add_argument("--configs", help="comma-separated subset of configurations")
    add_output_options(parser)
    parser.add_argument("--name", help="result file name (default: eval-<split>)")
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("A", "B"))
    parser.add_argument("--config", default="service", help="configuration to compare")
    args = parser.parse_args(argv)
    settings.check_or_exit("eval")

    if args.compare:
        from .compare import compare

        print(compare(*args.compare, config=args.config))
        return 0

    from .gold import BLIND_FILES, GOLD_FILE, load_examples, load_gold

    if args.command == "calibrate":
        from .calibrate import answer_rows, calibrate, fit_answer_model, record

        searcher = _searcher(args.index)
        split = "dev" if args.split == "all" else args.split
        questions = load_gold(split=split) + [
            q for path in BLIND_FILES for q in load_gold(path, split=split)
        ]
        calibration = calibrate(searcher, questions)
        examples = load_examples(args.corpus / settings.SCOPE_EXAMPLES_NAME)
        calibration["answer"] = fit_answer_model(
            answer_rows(searcher, examples + questions, _sources(args.corpus))
        )
        calibration["split"] = split
        path = record(searcher.index.path, calibration)
        print(f"calibrated on {split}: {calibration} -> {path}")
        return 0

    from .configs import CONFIGS
    from .harness import run_configs
    from .report import markdown_table, write

    configs = CONFIGS
    if args.configs:
        configs = {name: CONFIGS[name] for name in args.configs.split(",")}
    searcher = _searcher(args.index)
    results = run_configs(
        searcher,
        load_gold(args.gold or GOLD_FILE, split=args.split),
        _sources(args.corpus),
        configs,
    )
    results.update(
        split=args.split,
        index_version=searcher.index.version,
        backend=searcher.parts.backend.describe(),  # CANCER_SEARCH_BACKEND: faiss or milvus
        calibration=searcher.abstention.calibration
        or {
            "threshold": searcher.abstention.threshold,
            "feature": "top_sentence",
            "source": "settings",
        },
        date=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        command="python -m eval " + " ".join(argv if argv is not None else sys.argv[1:]),
    )
    default_name = f"eval-{args.gold.stem}-{args.split}" if args.gold else f"eval-{args.split}"
    if settings.BACKEND != "faiss":
        default_name += f"-{settings.BACKEND}"
    paths = write(results, output_dir(args), args.name or default_name)
    print(markdown_table(results))
    print(f"\nwrote {', '.join(str(p) for p in paths.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
