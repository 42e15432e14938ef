"""Read an index build from disk: the search app's only contact with the indexer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path


class IndexUnavailable(RuntimeError):
    """The index is missing or unreadable; the message says how to rebuild."""


REBUILD_HINT = "run `python -m indexer build` (or `make index`) to build it"


def resolve(index_dir: Path) -> Path:
    """The build directory that `index_dir` currently points to."""
    current = index_dir / "current"
    if current.exists():
        return current.resolve()
    if (index_dir / "meta.json").is_file():
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


def load_index(index_dir: Path) -> Index:
    import faiss

    path = resolve(Path(index_dir))
    try:
        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        documents = {
            d["id"]: d
            for d in json.loads((path / "documents.json").read_text(encoding="utf-8"))
        }
        with open(path / "passages.jsonl", encoding="utf-8") as fh:
            passages = [json.loads(line) for line in fh if line.strip()]
        dense = faiss.read_index(str(path / "dense.faiss"))
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
