"""A build's passages in Milvus, for CANCER_SEARCH_BACKEND=milvus.

Each build fills a new collection named after its version; the alias moves
to it in one call only once it is complete (inserted, flushed, indexed,
loaded), so no reader ever sees a half-written collection, and a service
still serving the previous build keeps its own collection until that is
pruned (the newest MILVUS_KEEP_COLLECTIONS stay, as builds do).

BM25 runs on the project's own stemmed tokens (core/analysis.py) joined by
spaces, with Milvus's standard analyzer only splitting them again: the
lexical side then matches bm25s term for term, stage numerals and expansion
stems included.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np

from core import analysis, index_files, milvus, settings

INSERT_BATCH = 1_000


def token_text(section: list[str], text: str) -> str:
    """The passage as BM25 sees it (heading and text, as indexer/lexical.py indexes it)."""
    return " ".join(analysis.bm25_tokens([" ".join(section) + "\n" + text])[0])


def bm25_parameters(build: Path) -> tuple[float, float]:
    """k1 and b of the build's bm25s index, so Milvus scores by the same formula."""
    params = json.loads((build / index_files.BM25 / "params.index.json").read_text())
    return float(params["k1"]), float(params["b"])


def _index_params(client, n: int):
    """Exact search while it is cheap, HNSW above: the rule and parameters of
    indexer/dense_index.py (docs/scaling.md)."""
    params = client.prepare_index_params()
    if n <= settings.DENSE_EXACT_MAX_PASSAGES:
        params.add_index(field_name=milvus.VECTOR, index_type="FLAT", metric_type="IP")
    else:
        params.add_index(
            field_name=milvus.VECTOR,
            index_type="HNSW",
            metric_type="IP",
            params={
                "M": settings.DENSE_HNSW_M,
                "efConstruction": settings.DENSE_HNSW_EF_CONSTRUCTION,
            },
        )
    return params


def _schema(client, meta: dict):
    from pymilvus import DataType, Function, FunctionType

    schema = client.create_schema(auto_id=False)
    schema.add_field(milvus.ID, DataType.INT64, is_primary=True)
    schema.add_field(milvus.VECTOR, DataType.FLOAT_VECTOR, dim=meta["model"]["dimension"])
    schema.add_field(milvus.DOC_ID, DataType.VARCHAR, max_length=milvus.DOC_ID_MAX_LENGTH)
    schema.add_field(
        milvus.TOKENS,
        DataType.VARCHAR,
        max_length=milvus.TOKENS_MAX_LENGTH,
        enable_analyzer=True,
        analyzer_params={"tokenizer": "standard"},
    )
    schema.add_field(milvus.SPARSE, DataType.SPARSE_FLOAT_VECTOR)
    schema.add_function(
        Function(
            name="bm25",
            function_type=FunctionType.BM25,
            input_field_names=[milvus.TOKENS],
            output_field_names=[milvus.SPARSE],
        )
    )
    return schema


def write_collection(
    uri: str, meta: dict, vectors: np.ndarray, rows: list[dict], k1: float, b: float
) -> str:
    """Create and fill the build's collection (replacing an unfinished one of the
    same version); returns its name. The alias is not moved here."""
    client = milvus.connect(uri, settings.MILVUS_TOKEN, settings.MILVUS_TIMEOUT)
    name = milvus.collection_name(settings.MILVUS_COLLECTION, meta["version"])
    try:
        if client.has_collection(name):
            client.drop_collection(name)
        index_params = _index_params(client, len(rows))
        index_params.add_index(
            field_name=milvus.SPARSE,
            index_type="SPARSE_INVERTED_INDEX",
            metric_type="BM25",
            params={"bm25_k1": k1, "bm25_b": b},
        )
        client.create_collection(name, schema=_schema(client, meta), index_params=index_params)
        # What a reader checks against its build (model, dimension, counts, BM25 k1 and b).
        client.alter_collection_properties(
            name, properties={milvus.BUILD_PROPERTY: milvus.describe(meta, k1, b)}
        )
        for start in range(0, len(rows), INSERT_BATCH):
            batch = [
                {
                    milvus.ID: i,
                    milvus.VECTOR: vectors[i].tolist(),
                    milvus.DOC_ID: rows[i]["doc_id"],
                    milvus.TOKENS: token_text(rows[i]["section"], rows[i]["text"]),
                }
                for i in range(start, min(start + INSERT_BATCH, len(rows)))
            ]
            client.insert(name, batch)
        client.flush(name)
        client.load_collection(name)
    finally:
        client.close()
    return name


def publish(uri: str, version: str) -> None:
    """Point the alias at the build's (complete) collection, then drop old ones."""
    client = milvus.connect(uri, settings.MILVUS_TOKEN, settings.MILVUS_TIMEOUT)
    alias = settings.MILVUS_COLLECTION
    name = milvus.collection_name(alias, version)
    try:
        if alias in client.list_aliases().get("aliases", []):
            client.alter_alias(name, alias)  # one call: readers see the old or the new
        else:
            client.create_alias(name, alias)
        built = re.compile(re.escape(alias) + r"_\d{8}T\w+")  # names of builds' collections
        ours = sorted(c for c in client.list_collections() if built.fullmatch(c))
        for old in ours[: -settings.MILVUS_KEEP_COLLECTIONS]:
            if old != name:
                client.drop_collection(old)
    finally:
        client.close()


def has_collection(uri: str, version: str) -> bool:
    client = milvus.connect(uri, settings.MILVUS_TOKEN, settings.MILVUS_TIMEOUT)
    try:
        return client.has_collection(milvus.collection_name(settings.MILVUS_COLLECTION, version))
    finally:
        client.close()


def export(build: Path, uri: str) -> str:
    """Write an existing build into Milvus and publish it (`python -m indexer milvus`):
    switch a served index to Milvus, or fill a new cluster, without rebuilding."""
    import faiss

    meta = json.loads((build / index_files.META).read_text(encoding="utf-8"))
    with open(build / index_files.PASSAGES, encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    dense = faiss.read_index(str(build / index_files.DENSE))
    vectors = dense.reconstruct_n(0, dense.ntotal)
    k1, b = bm25_parameters(build)
    name = write_collection(uri, meta, vectors, rows, k1, b)
    publish(uri, meta["version"])
    return name
