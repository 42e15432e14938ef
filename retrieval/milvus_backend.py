"""The first stage's candidates from Milvus (CANCER_SEARCH_BACKEND=milvus).

Dense search (FLAT or HNSW, inner product) and BM25 (Milvus's own BM25
function over the project's stemmed tokens) run in Milvus, embedded (Milvus
Lite) or on a cluster; a source filter is a filter expression there, so a
filtered search still returns its best `depth` allowed passages.

The service reads the collection of the build it serves, by its versioned
name: row ids are rows of that build's passages.jsonl, and the alias may
already name a newer build's collection before this process has loaded that
build. A Milvus that goes away while serving makes requests fail with
BackendUnavailable (503); the next request reconnects.
"""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import numpy as np

from core import index_files, milvus, settings

from .backend import BackendUnavailable, score_everything
from .index import REBUILD_HINT, Index, IndexUnavailable

MAX_LIMIT = 16_384  # Milvus's largest topK
EXPORT_HINT = (
    "run `python -m indexer milvus` (or rebuild with CANCER_SEARCH_BACKEND=milvus) to write it"
)


def index_dir_of(build: Path) -> Path:
    """The index directory a build belongs to (builds live in <index>/builds/<version>)."""
    return build.parent.parent if build.parent.name == index_files.BUILDS else build


class MilvusBackend:
    name = "milvus"

    def __init__(self, index: Index):
        self.uri = milvus.resolve_uri(settings.MILVUS_URI, index_dir_of(Path(index.path)))
        self.shown = milvus.redact(self.uri)
        self.collection = milvus.collection_name(settings.MILVUS_COLLECTION, index.version)
        self.n = len(index.passages)
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._client = None
        from pymilvus.exceptions import MilvusException

        try:
            self.k1 = self._check(self._connected(), index)
        except milvus.MilvusUnavailable as exc:
            raise BackendUnavailable(str(exc)) from None
        except MilvusException as exc:
            raise BackendUnavailable(f"Milvus at {self.shown}: {milvus.one_line(exc)}") from None
        self.hnsw = self.n > settings.DENSE_EXACT_MAX_PASSAGES

    # -- connection --------------------------------------------------------------

    def _connected(self):
        """This process's client (a forked worker makes its own), collection loaded."""
        pid = os.getpid()
        if self._pid == pid and self._client is not None:
            return self._client
        with self._lock:
            if self._pid != pid or self._client is None:
                client = milvus.connect(self.uri, settings.MILVUS_TOKEN, settings.MILVUS_TIMEOUT)
                if client.has_collection(self.collection):
                    client.load_collection(self.collection)
                self._client, self._pid = client, pid
        return self._client

    def _check(self, client, index: Index) -> float:
        """The collection exists and was written from this build; returns its BM25 k1."""
        where = f"Milvus at {self.shown}"
        if not client.has_collection(self.collection):
            raise IndexUnavailable(
                f"{where} has no collection {self.collection} for build {index.version}: "
                + EXPORT_HINT
            )
        properties = client.describe_collection(self.collection).get("properties") or {}
        try:
            facts = json.loads(properties.get(milvus.BUILD_PROPERTY) or "{}")
        except ValueError:
            facts = {}
        model = index.meta["model"]
        expected = {
            "version": index.version,
            "model": model["name"],
            "dimension": model["dimension"],
            "passage_count": self.n,
        }
        for key, value in expected.items():
            if facts.get(key) != value:
                raise IndexUnavailable(
                    f"{where}: collection {self.collection} has {key} {facts.get(key)!r} but "
                    f"the build has {value!r}: {REBUILD_HINT}"
                )
        return float(facts.get("bm25_k1", 1.5))

    def _call(self, method: str, **kwargs):
        """One search; any failure to reach Milvus is BackendUnavailable, and the
        next call connects afresh."""
        from pymilvus.exceptions import MilvusException

        try:
            client = self._connected()
            return getattr(client, method)(
                self.collection, timeout=settings.MILVUS_TIMEOUT, **kwargs
            )
        except (MilvusException, milvus.MilvusUnavailable, OSError) as exc:
            with self._lock:
                if self._client is not None:
                    milvus.close(self._client)
                self._client = self._pid = None
            raise BackendUnavailable(
                f"Milvus at {self.shown} failed: {milvus.one_line(exc)}"
            ) from None

    # -- the backend interface ---------------------------------------------------

    @staticmethod
    def _filter(sources: list[str] | None, ids: np.ndarray | None = None) -> str:
        parts = []
        if sources is not None:
            parts.append(f"{milvus.DOC_ID} in {json.dumps(list(sources), ensure_ascii=False)}")
        if ids is not None:
            parts.append(f"{milvus.ID} in {json.dumps([int(i) for i in ids])}")
        return " and ".join(parts)

    def dense_top(self, vector, depth, mask, sources):
        limit = min(self.n if score_everything(self.n) else min(depth, self.n), MAX_LIMIT)
        params = {"metric_type": "IP"}
        if self.hnsw:
            params["params"] = {"ef": max(settings.DENSE_HNSW_EF_SEARCH, limit)}
        hits = self._call(
            "search",
            data=[np.asarray(vector, dtype=np.float32).reshape(-1).tolist()],
            anns_field=milvus.VECTOR,
            limit=limit,
            filter=self._filter(sources),
            search_params=params,
            output_fields=[milvus.ID],  # nothing else: no vectors back
        )[0]
        ids = np.fromiter((h["id"] for h in hits), dtype=np.int64, count=len(hits))
        scores = np.fromiter((h["distance"] for h in hits), dtype=np.float32, count=len(hits))
        return ids, scores

    def _bm25(self, text: str, limit: int, expression: str):
        hits = self._call(
            "search",
            data=[text],
            anns_field=milvus.SPARSE,
            limit=min(limit, MAX_LIMIT),
            filter=expression,
            search_params={"metric_type": "BM25"},
            output_fields=[milvus.ID],  # nothing else: no vectors back
        )[0]
        ids = np.fromiter((h["id"] for h in hits), dtype=np.int64, count=len(hits))
        # Milvus's BM25 carries Robertson's (k1 + 1) factor, Lucene's (bm25s) does not;
        # Milvus Lite reports the score as a negative distance, a server as a positive score.
        raw = np.fromiter((h["distance"] for h in hits), dtype=np.float64, count=len(hits))
        return ids, (np.abs(raw) / (self.k1 + 1.0)).astype(np.float32)

    def lexical_scores(self, tokens, depth, sources, also):
        scores = np.zeros(self.n, dtype=np.float32)
        if not tokens:
            return scores
        text = " ".join(tokens)
        every = score_everything(self.n)
        ids, values = self._bm25(text, self.n if every else depth, self._filter(sources))
        scores[ids] = values
        if not every and also is not None and len(also):
            known = np.setdiff1d(also, ids)
            if len(known):
                more, values = self._bm25(text, len(known), self._filter(sources, known))
                scores[more] = values
        return scores

    def describe(self) -> dict:
        return {
            "name": self.name,
            "uri": self.shown,
            "collection": self.collection,
            "alias": settings.MILVUS_COLLECTION,
        }
