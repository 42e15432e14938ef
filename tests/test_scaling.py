"""At scale: the index type follows corpus size, big indexes are memory-mapped, repeats skip the model."""

from __future__ import annotations

import shutil
import uuid

import faiss
import numpy as np
import pytest

from core import settings
from indexer.dense_index import FLAT, HNSW, build_dense_index, choose_index_type, index_type_of
from retrieval.index import load_index, read_dense, resolve


def unit_vectors(n: int, dim: int = 384, seed: int = 0) -> np.ndarray:
    x = np.random.default_rng(seed).standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def mapped(path) -> bool:
    """Whether this process has `path` memory-mapped."""
    with open("/proc/self/maps", encoding="utf-8", errors="replace") as fh:
        return any(line.rstrip().endswith(str(path)) for line in fh)


def test_index_type_follows_corpus_size_at_the_documented_threshold():
    limit = settings.DENSE_EXACT_MAX_PASSAGES
    assert choose_index_type(72) == FLAT
    assert choose_index_type(limit) == FLAT
    assert choose_index_type(limit + 1) == HNSW
    assert choose_index_type(10, exact_max=9) == HNSW
    assert choose_index_type(9, exact_max=9) == FLAT


def test_the_real_index_was_built_with_the_chosen_type(index):
    assert index.meta["index_type"] == choose_index_type(index.meta["passage_count"]) == FLAT
    assert index_type_of(index.dense) == FLAT


def test_hnsw_index_finds_what_exact_search_finds():
    vectors = unit_vectors(1500)
    queries = unit_vectors(50, seed=1)
    hnsw = build_dense_index(vectors, HNSW)
    flat = build_dense_index(vectors, FLAT)
    assert index_type_of(hnsw) == HNSW and hnsw.ntotal == 1500
    assert hnsw.hnsw.efSearch == settings.DENSE_HNSW_EF_SEARCH
    _, exact = flat.search(queries, 10)
    _, approx = hnsw.search(queries, 10)
    recall = np.mean([len(set(a) & set(e)) / 10 for a, e in zip(approx, exact)])
    assert recall >= 0.95
    _, self_hit = hnsw.search(vectors[:20], 1)
    assert list(self_hit[:, 0]) == list(range(20))


def test_unknown_index_type_is_refused():
    with pytest.raises(ValueError, match="unknown dense index type"):
        build_dense_index(unit_vectors(5), "faiss.IndexLSH")


@pytest.mark.parametrize("kind", [FLAT, HNSW])
def test_big_index_files_are_memory_mapped_small_ones_read(tmp_path, monkeypatch, kind):
    vectors = unit_vectors(300)
    path = tmp_path / f"{uuid.uuid4().hex}.faiss"
    faiss.write_index(build_dense_index(vectors, kind), str(path))
    size = path.stat().st_size

    monkeypatch.setattr(settings, "DENSE_MMAP_MIN_BYTES", size + 1)
    read = read_dense(path)
    assert not mapped(path)

    monkeypatch.setattr(settings, "DENSE_MMAP_MIN_BYTES", size)
    monkeypatch.setattr(settings, "DENSE_HNSW_EF_SEARCH", 77)
    mm = read_dense(path)
    assert mapped(path)
    _, ids_read = read.search(vectors[:5], 3)
    _, ids_mm = mm.search(vectors[:5], 3)
    assert ids_mm.tolist() == ids_read.tolist()
    assert list(ids_mm[:, 0]) == [0, 1, 2, 3, 4]
    if kind == HNSW:  # a query-time knob, taken from settings without a rebuild
        assert mm.hnsw.efSearch == 77


def test_load_index_maps_the_dense_file_of_a_big_build(index_dir, tmp_path, monkeypatch):
    build = tmp_path / "build"
    shutil.copytree(resolve(index_dir), build)
    monkeypatch.setattr(settings, "DENSE_MMAP_MIN_BYTES", 0)
    loaded = load_index(build)
    assert mapped(build / "dense.faiss")
    assert loaded.dense.ntotal == loaded.meta["passage_count"]
    first = loaded.dense.reconstruct(0)
    assert np.isclose(float(np.linalg.norm(first)), 1.0, atol=1e-4)


def test_a_repeated_query_skips_the_model_and_returns_the_same_vector(app, monkeypatch):
    searcher = app.extensions["searcher"]
    calls = []
    real_model = searcher.model

    class CountingModel:
        def encode(self, texts, **kwargs):
            calls.append(list(texts))
            return real_model.encode(texts, **kwargs)

    monkeypatch.setattr(searcher.encoder, "model", CountingModel())
    text = f"does myeloma damage the kidneys {uuid.uuid4().hex}"
    first = searcher.embed_query(text)
    second = searcher.embed_query(text)
    assert calls == [[text]]
    assert np.array_equal(first, second)
    assert np.allclose(first, real_model.encode([text], normalize_embeddings=True), atol=1e-6)
    searcher.embed_query(text + " and bones")
    assert len(calls) == 2
    with pytest.raises(ValueError):  # shared between requests, so nobody may change it
        first[0, 0] = 1.0
