"""Read an index build from disk: the search app's only contact with the indexer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from core import index_files, settings


class IndexUnavailable(RuntimeError):
    """The index is missing or unreadable; the message says how to rebuild."""


REBUILD_HINT = "run `python -m indexer build` (or `make index`) to build it"


def resolve(index_dir: Path) -> Path:
    """The build directory that `index_dir` currently points to."""
    current = index_dir / index_files.CURRENT
    if current.exists():
        return current.resolve()
    if (index_dir / index_files.META).is_file():
        return index_dir
    raise IndexUnavailable(f"no index at {index_dir}: {REBUILD_HINT}")


@dataclass
class Index:
    path: Path
    meta: dict
    documents: dict[str, dict]
    passages: list[dict]
    dense: object  # faiss.Index

    @property
    def version(self) -> str:
        return self.meta["version"]


def read_dense(file: Path):
    """Big index files are memory-mapped: the page cache holds one copy that
    every worker shares, and a worker starts without reading it all."""
    import faiss

    mmap = file.stat().st_size >= settings.DENSE_MMAP_MIN_BYTES
    dense = faiss.read_index(str(file), faiss.IO_FLAG_MMAP_IFC if mmap else 0)
    if hasattr(dense, "hnsw"):  # efSearch is a query-time knob: tune without a rebuild
        dense.hnsw.efSearch = settings.DENSE_HNSW_EF_SEARCH
    return dense


def load_index(index_dir: Path) -> Index:
    path = resolve(Path(index_dir))
    try:
        meta = json.loads((path / index_files.META).read_text(encoding="utf-8"))
        documents = {
            d["id"]: d
            for d in json.loads((path / index_files.DOCUMENTS).read_text(encoding="utf-8"))
        }
        with open(path / index_files.PASSAGES, encoding="utf-8") as fh:
            passages = [json.loads(line) for line in fh if line.strip()]
        dense = read_dense(path / index_files.DENSE)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise IndexUnavailable(f"index at {path} is unreadable ({exc}): {REBUILD_HINT}") from None
    if dense.ntotal != len(passages) or meta.get("passage_count") != len(passages):
        raise IndexUnavailable(
            f"index at {path} is inconsistent ({dense.ntotal} vectors, "
            f"{len(passages)} passages): {REBUILD_HINT}"
        )
    if dense.d != meta["model"]["dimension"]:
        raise IndexUnavailable(f"index at {path} has the wrong dimension: {REBUILD_HINT}")
    return Index(path=path, meta=meta, documents=documents, passages=passages, dense=dense)
