"""Is the index on disk the one this installation can serve?

A search over vectors from another model, or of another dimension, returns
confident nonsense rather than an error, so the app refuses to start on such
an index, in one line that says how to fix it. A corpus edited since the
build is not fatal (the passages keep their own text), but /api/health says
so, because the citations' offsets then point into a file that has changed.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from core import index_files, models, settings

from .index import REBUILD_HINT, Index, IndexUnavailable


def declared_dimension(model_name: str) -> int | None:
    """The model's output size from its packaged config, without loading torch.

    Used where loading the model would cost seconds for a yes/no answer (the
    gunicorn master's preflight); None when the files do not say.
    """
    root = models.model_path(model_name)
    try:
        modules = json.loads((root / "modules.json").read_text(encoding="utf-8"))
        dimension = None
        for module in modules:
            config = root / module.get("path", "") / "config.json"
            kind = module.get("type", "")
            if kind.endswith(".Pooling"):
                dimension = json.loads(config.read_text())["word_embedding_dimension"]
            elif kind.endswith(".Dense"):
                dimension = json.loads(config.read_text())["out_features"]
        return int(dimension) if dimension else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def check_model(meta: dict, path: Path, expected_model: str, dimension: int | None) -> None:
    """Raise IndexUnavailable unless the index was built with the installed model."""
    model = meta.get("model") or {}
    name, built_dim = model.get("name"), model.get("dimension")
    if name != expected_model:
        raise IndexUnavailable(
            f"index at {path} was built with model {name!r} but this installation uses "
            f"{expected_model!r}: {REBUILD_HINT}"
        )
    if dimension is not None and built_dim != dimension:
        raise IndexUnavailable(
            f"index at {path} holds {built_dim}-dimensional vectors but model {name!r} "
            f"produces {dimension}: {REBUILD_HINT}"
        )


def model_dimension(model_name: str, build_dir: Path | None = None) -> int:
    """The real output size of the build's query encoder (loaded once per process);
    without a build, the size the packaged model declares."""
    try:
        if build_dir is None:
            size = declared_dimension(model_name)
            if size is None:
                raise models.ModelNotAvailable(f"model {model_name!r} declares no output size")
            return size
        model = models.load_query_embedder(model_name, build_dir)
    except models.ModelNotAvailable as exc:
        raise IndexUnavailable(f"{exc}: {REBUILD_HINT}") from None
    return int(model.get_sentence_embedding_dimension())


def check_query_encoder(meta: dict, path: Path) -> None:
    """An index built before the ONNX query encoder is refused, in one line (no torch here)."""
    if (
        not isinstance(meta.get("query_encoder"), dict)
        or not (Path(path) / index_files.QUERY_ENCODER).is_file()
    ):
        raise IndexUnavailable(
            f"index at {path} has no ONNX query encoder ({index_files.QUERY_ENCODER}; "
            f"built before serving left torch): {REBUILD_HINT}"
        )


def check_index(index: Index, expected_model: str) -> None:
    """Full check at app start, against the model actually loaded."""
    name = (index.meta.get("model") or {}).get("name")
    check_model(index.meta, index.path, expected_model, None)
    check_query_encoder(index.meta, index.path)
    check_model(index.meta, index.path, expected_model, model_dimension(name, index.path))


def preflight(index_dir: Path, expected_model: str = settings.EMBED_MODEL) -> str:
    """The start-up check for a process that must not load torch (gunicorn's master).

    Reads the whole index as a worker would (faiss, no model) and checks it
    against the model's packaged config; returns the index version.
    """
    from .index import load_index

    try:
        index = load_index(Path(index_dir))
    except IndexUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 - e.g. a meta.json of the wrong shape
        raise IndexUnavailable(
            f"index at {index_dir} is unreadable ({type(exc).__name__}: {exc}): {REBUILD_HINT}"
        ) from None
    try:
        dimension = declared_dimension(expected_model)
    except models.ModelNotAvailable as exc:
        raise IndexUnavailable(f"{exc}: install requirements.txt, then {REBUILD_HINT}") from None
    check_model(index.meta, index.path, expected_model, dimension)
    check_query_encoder(index.meta, index.path)
    return index.version


# --- corpus drift -----------------------------------------------------------

_hash_cache: dict[str, tuple[tuple[int, int, int], str]] = {}


def _file_sha256(path: Path) -> str | None:
    """sha256 of a file, recomputed only when its size or mtime changed."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    key = (st.st_ino, st.st_size, st.st_mtime_ns)
    cached = _hash_cache.get(str(path))
    if cached and cached[0] == key:
        return cached[1]
    try:
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
    _hash_cache[str(path)] = (key, digest)
    return digest


def _manifest_files(corpus_dir: Path) -> set[str]:
    try:
        data = json.loads((corpus_dir / settings.MANIFEST_NAME).read_text(encoding="utf-8"))
        return {d["file"] for d in data["documents"] if isinstance(d.get("file"), str)}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()


def corpus_status(meta: dict, corpus_dir: Path) -> dict:
    """Which source files differ from the ones the index was built from.

    Each file is "unchanged", "changed", "missing" (gone from the corpus) or
    "new" (in the manifest, not in the index). The labelled scope examples
    count as a file of the corpus: the abstention vote is built from them.
    """
    built = {**(meta.get("corpus") or {}), **(meta.get("scope_examples") or {})}
    files = {}
    for name, digest in sorted(built.items()):
        now = _file_sha256(corpus_dir / name)
        files[name] = "missing" if now is None else "unchanged" if now == digest else "changed"
    present = _manifest_files(corpus_dir)
    if (corpus_dir / settings.SCOPE_EXAMPLES_NAME).is_file():
        present.add(settings.SCOPE_EXAMPLES_NAME)
    for name in sorted(present - set(built)):
        files[name] = "new"
    return {"changed": any(s != "unchanged" for s in files.values()), "files": files}


def health(index: Index, config) -> dict:
    """The fields /api/health adds: which build is served, and corpus drift since."""
    corpus_dir = Path(config.get("CORPUS_DIR", settings.CORPUS_DIR))
    status = corpus_status(index.meta, corpus_dir)
    return {
        "index_version": index.version,
        "corpus_changed": status["changed"],
        "corpus": status["files"],
    }
