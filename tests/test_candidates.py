"""The candidate-only request path ranks exactly as scoring, sorting and scanning everything does."""

from __future__ import annotations

import json

import numpy as np
import pytest

from core import settings
from eval.gold import load_gold
from retrieval import candidates, fusion
from retrieval.rerank import SentenceReranker
from retrieval.search import Pipeline


def reference_top(scores: np.ndarray, allowed: np.ndarray | None, m: int):
    """What the service did before: a stable argsort of every passage."""
    order = [i for i in np.argsort(-scores, kind="stable") if allowed is None or allowed[i]][:m]
    return np.array(order, dtype=np.int64), scores[order]


def bm25_like(rng, n: int) -> np.ndarray:
    """Mostly zeros, and many exact ties, as BM25 scores of a short query are."""
    lexical = np.zeros(n, dtype=np.float32)
    hit = rng.random(n) < 0.3
    lexical[hit] = rng.choice([1.5, 2.25, 3.0, 4.5, 7.0], hit.sum()) * rng.choice(
        [1, 1, 1.1], hit.sum()
    )
    return lexical


def test_ordered_matches_a_stable_sort_with_ties():
    rng = np.random.default_rng(0)
    for n, m in ((1, 1), (50, 5), (500, 40), (500, 499), (500, 600), (3000, 100)):
        scores = rng.choice([0.0, 0.25, 0.5, 0.75, 1.0], n).astype(np.float32)
        ids, top = candidates.ordered(np.arange(n), scores, m)
        ref_ids, ref_scores = reference_top(scores, None, m)
        assert ids.tolist() == ref_ids.tolist()
        assert top.tobytes() == ref_scores.tobytes()


@pytest.mark.parametrize("alpha", [0.7, 0.0, 1.0, 0.3])
@pytest.mark.parametrize("masked", [False, True])
def test_blend_candidates_rank_exactly_as_the_full_blend(alpha, masked):
    rng = np.random.default_rng(int(alpha * 10) + masked)
    n, depth = 4000, 100
    for trial in range(20):
        lexical = bm25_like(rng, n)
        if trial % 5 == 4:
            lexical[:] = 0.0  # a query sharing no word with the corpus
        dense_all = rng.uniform(-0.2, 0.8, n).astype(np.float32)
        if trial % 3 == 0:  # strong lexical passages far down the dense order
            lexical[np.argsort(dense_all)[:20]] = 9.0
        dense_ids = np.argsort(-dense_all, kind="stable")[:depth].astype(np.int64)
        dense_values = dense_all[dense_ids]
        allowed = rng.random(n) < 0.5 if masked else None

        full_dense = np.full(n, -1.0, dtype=np.float32)
        full_dense[dense_ids] = dense_values
        full = fusion.blend(full_dense, lexical, alpha).astype(np.float32)
        for m in (1, 10, 40, 150, 5000):  # past the candidates: the exact fallback
            stage = candidates.blend(dense_ids, dense_values, lexical, alpha, allowed)
            ids, scores, exhausted = stage.top(m)
            if alpha == 0.7 and m <= 40 and not masked:  # the service's blend: few candidates
                assert stage.everything is not None and len(stage.ids) < n / 10
            ref_ids, ref_scores = reference_top(full, allowed, m)
            assert ids.tolist() == ref_ids.tolist(), (trial, m)
            assert scores.tobytes() == ref_scores.tobytes()
            assert exhausted == (len(ref_ids) < m)


def test_best_sentences_of_some_passages_equal_those_of_all():
    rng = np.random.default_rng(3)
    n = 300
    counts = rng.integers(0, 6, n)  # some passages have no sentence
    owner = np.repeat(np.arange(n), counts).astype(np.int32)
    vectors = rng.standard_normal((len(owner), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    query = vectors[7] + 0.1
    for shuffled in (False, True):
        rows = rng.permutation(len(owner)) if shuffled else np.arange(len(owner))
        reranker = SentenceReranker(vectors[rows], owner[rows], n)
        everything = reranker.best_sentence_scores(query)
        for passages in (
            np.arange(n),
            rng.choice(n, 40, replace=False),
            np.array([0]),
            np.flatnonzero(counts == 0)[:3],
            np.zeros(0, dtype=np.int64),
        ):
            some = reranker.best_sentence_scores(query, passages)
            # Equal up to the last bits: BLAS sums a row differently in a smaller matrix.
            np.testing.assert_allclose(some, everything[passages], rtol=0, atol=1e-6)
            assert (some[counts[passages] == 0] == -1.0).all()


def test_sentence_pairs_score_the_same_on_both_paths_and_never_across_passages():
    from indexer.embed import sentence_pair_norms

    rng = np.random.default_rng(5)
    n = 200
    counts = rng.integers(0, 6, n)
    owner = np.repeat(np.arange(n), counts).astype(np.int32)
    vectors = rng.standard_normal((len(owner), 384)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    norms = sentence_pair_norms(vectors, owner)
    last = np.r_[owner[1:] != owner[:-1], True]  # a passage's last sentence pairs with nothing
    assert (norms[last] == 0).all() and (norms[~last] > 0).all()
    pairs = SentenceReranker(vectors, owner, n, norms)
    single = SentenceReranker(vectors, owner, n)
    # A query halfway between two adjacent sentences matches the pair better than either.
    i = int(np.flatnonzero(~last)[10])
    query = (vectors[i] + vectors[i + 1]) / np.linalg.norm(vectors[i] + vectors[i + 1])
    everything = pairs.best_sentence_scores(query)
    assert everything[owner[i]] == pytest.approx(1.0, abs=1e-5)
    assert single.best_sentence_scores(query)[owner[i]] < 0.9
    # Elsewhere a pair can only add to what single sentences score.
    assert (everything >= single.best_sentence_scores(query) - 1e-6).all()
    for passages in (
        np.arange(n),
        rng.choice(n, 30, replace=False),
        np.array([owner[i], owner[i] + 1]),
    ):
        np.testing.assert_allclose(
            pairs.best_sentence_scores(query, passages), everything[passages], rtol=0, atol=1e-6
        )


@pytest.fixture()
def searcher_at_scale(app, monkeypatch):
    """The real searcher, told that its 72 passages are a big corpus."""
    searcher = app.extensions["searcher"]
    monkeypatch.setattr(settings, "SCORE_ALL_MAX_PASSAGES", 0)
    yield searcher
    searcher.exhaustive = False


@pytest.mark.parametrize(
    "pipeline",
    [
        Pipeline(candidates=12),
        Pipeline(candidates=40, rerank_depth=8),
        Pipeline(candidates=12, rerank="none"),
        Pipeline(candidates=12, lexical=False),
        Pipeline(candidates=12, dedupe=False),
    ],
)
def test_candidate_path_ranks_as_the_full_computation(
    searcher_at_scale, index, pipeline, monkeypatch
):
    searcher = searcher_at_scale
    scored = []
    best = SentenceReranker.best_sentence_scores

    def spy(self, vector, passages=None):
        scored.append(passages is None)
        return best(self, vector, passages)

    monkeypatch.setattr(SentenceReranker, "best_sentence_scores", spy)
    docs = sorted(index.documents)
    questions = [q.question for q in load_gold(split="all")][::3]
    for question in questions:
        for k, sources in ((10, None), (50, None), (5, {docs[0]})):
            searcher.exhaustive = True
            full = searcher.search(question, k, sources=sources, pipeline=pipeline)
            searcher.exhaustive = False
            scored.clear()
            fast = searcher.search(question, k, sources=sources, pipeline=pipeline)
            assert scored and not any(scored)  # never the scan of every sentence
            assert [h.passage["id"] for h in fast.hits] == [h.passage["id"] for h in full.hits]
            np.testing.assert_allclose(
                [h.score for h in fast.hits], [h.score for h in full.hits], rtol=0, atol=1e-6
            )
            a, b = fast.details["confidence"], full.details["confidence"]
            assert a.keys() == b.keys()
            for feature in a:
                if feature == "max_sentence":
                    # Over the candidates only: never above the maximum over everything.
                    assert a[feature] <= b[feature] + 1e-6
                elif feature == "sentence_lead":
                    # Over the candidates' sentences only: an estimate (the calibration
                    # of a corpus that large is fitted on the same estimate).
                    assert 0.0 <= a[feature] <= a["max_sentence"] + 1.0
                else:
                    assert a[feature] == pytest.approx(b[feature], abs=1e-6), feature


def test_passage_scores_index_like_the_full_array():
    full = np.array([0.5, -0.25, 0.75, 0.125, 1.0], dtype=np.float32)
    some = candidates.PassageScores(np.array([3, 0, 4]), full[[3, 0, 4]])
    assert some[np.array([4, 0])].tolist() == full[[4, 0]].tolist()
    assert some[3] == full[3] and some.max() == full[[3, 0, 4]].max()
    with pytest.raises(KeyError):
        some[np.array([1])]


def test_big_sentence_arrays_are_memory_mapped(tmp_path, monkeypatch):
    from retrieval.components import load_array as _load_array

    path = tmp_path / "sentences.npy"
    np.save(path, np.ones((50, 384), dtype=np.float32))
    monkeypatch.setattr(settings, "DENSE_MMAP_MIN_BYTES", path.stat().st_size + 1)
    assert not isinstance(_load_array(path), np.memmap)
    monkeypatch.setattr(settings, "DENSE_MMAP_MIN_BYTES", path.stat().st_size)
    mapped = _load_array(path)
    assert isinstance(mapped, np.memmap) and mapped.shape == (50, 384) and mapped.sum() == 50 * 384


def test_request_path_study_runs_both_ways_and_they_agree(index_dir, tmp_path):
    from bench.scale import path as scale_path

    code = scale_path.main(
        ["--sizes", "3000", "--queries", "3", "--index", str(index_dir), "--out", str(tmp_path)]
    )
    assert code == 0  # study() asserts that both ways order the inputs alike
    result = json.loads((tmp_path / "scale_path.json").read_text(encoding="utf-8"))
    (size,) = result["sizes"]
    assert size["passages"] == 3000 and size["sentences"] > 3000
    assert 0 < size["candidates_median"] <= size["candidates_max"] < 3000
    assert size["sentence_passages"] < 3000
    assert "3,000" in (tmp_path / "scale_path.md").read_text(encoding="utf-8")
