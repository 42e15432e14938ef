"""Command line: ``python -m indexer build [--corpus DIR] [--out DIR]``.

Also ``add PATH --title ... --publisher ... --url ... --updated YYYY-MM-DD``,
``remove ID`` and ``list`` (see indexer/library.py).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from core import settings

from .manifest import ManifestError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m indexer", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="build the index from the corpus")
    b.add_argument("--corpus", type=Path, default=settings.CORPUS_DIR, help="corpus directory")
    b.add_argument("--out", type=Path, default=settings.INDEX_DIR, help="index directory")
    b.add_argument("--quiet", action="store_true", help="no progress bar")
    from .library import add_commands, run

    add_commands(sub)
    args = parser.parse_args(argv)
    settings.check_or_exit("indexer")
    from core import threads

    threads.apply()  # torch, FAISS, BLAS and tokenizer pools from CANCER_SEARCH_NATIVE_THREADS
    if args.command in ("add", "remove", "list"):
        return run(args)

    if args.command == "build":
        from .build import build

        try:
            result = build(args.corpus, args.out, progress=not args.quiet)
        except (ManifestError, ValueError) as exc:
            print(f"indexer: error: {exc}", file=sys.stderr)
            return 2
        print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
