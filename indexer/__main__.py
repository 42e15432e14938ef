"""Command line: ``python -m indexer build [--corpus DIR] [--out DIR]``.

Also ``add PATH --title ... --publisher ... --url ... --updated YYYY-MM-DD``,
``remove ID`` and ``list`` (see indexer/library.py); ``milvus`` writes the
current build into Milvus (CANCER_SEARCH_MILVUS_URI) without rebuilding.
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
    m = sub.add_parser("milvus", help="write the current build into Milvus and move the alias")
    m.add_argument("--index", type=Path, default=settings.INDEX_DIR, help="index directory")
    m.add_argument("--if-missing", action="store_true", help="only when it is not there yet")
    from .library import add_commands, run

    add_commands(sub)
    args = parser.parse_args(argv)
    settings.check_or_exit("indexer")
    from core import threads

    threads.apply()  # torch, FAISS, BLAS and tokenizer pools from CANCER_SEARCH_NATIVE_THREADS
    if args.command in ("add", "remove", "list"):
        return run(args)

    from core.milvus import MilvusUnavailable

    try:
        if args.command == "milvus":
            return _milvus(args.index, args.if_missing)
        from .build import build

        result = build(args.corpus, args.out, progress=not args.quiet)
    except (ManifestError, ValueError, MilvusUnavailable) as exc:
        print(f"indexer: error: {exc}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0


def _milvus(index_dir: Path, if_missing: bool) -> int:
    import json

    from core import index_files, milvus

    from .milvus_collection import export, has_collection

    build = (index_dir / index_files.CURRENT).resolve()
    meta_file = build / index_files.META
    if not meta_file.is_file():
        raise ValueError(f"no index at {index_dir}: run `python -m indexer build` first")
    uri = milvus.resolve_uri(settings.MILVUS_URI, index_dir)
    version = json.loads(meta_file.read_text(encoding="utf-8"))["version"]
    if if_missing and has_collection(uri, version):
        return 0
    name = export(build, uri)
    print(f"wrote collection {name} for build {version} to {milvus.redact(uri)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
