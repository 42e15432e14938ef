"""The scale study's parts: its synthetic world, its measures, and one tiny end-to-end run."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.scale import study as scale
from bench.scale.calibrate import cluster_neighbours, lid_mle
from bench.scale.data import BRANCHING, World


def test_world_gives_reproducible_unit_vectors():
    world = World(n_topics=30, seed=0)
    a, b = world.sample(500, seed=1), World(n_topics=30, seed=0).sample(500, seed=1)
    assert a.shape == (500, 384) and a.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-5)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, world.sample(500, seed=2))


def test_sibling_topics_sit_closer_than_unrelated_ones():
    # The nesting that graph search follows: topics under the same parent
    # share its direction, topics in different subtrees share less.
    topics = World(n_topics=BRANCHING**2, seed=0).topics
    sims = topics @ topics.T
    siblings = [sims[i, j] for i in range(BRANCHING) for j in range(BRANCHING) if i != j]
    strangers = [sims[i, j] for i in range(BRANCHING) for j in range(BRANCHING, 2 * BRANCHING)]
    assert np.mean(siblings) > np.mean(strangers) + 0.2


def test_lid_estimate_recovers_the_dimension_of_the_data():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((384, 6)))[0].T  # a 6-d subspace of 384-d space
    points = (rng.standard_normal((20_000, 6)) @ basis).astype(np.float32)
    queries = (rng.standard_normal((200, 6)) @ basis).astype(np.float32)

    # Unit vectors on a 6-d subspace lie on a 5-d sphere.
    def unit(x):
        return x / np.linalg.norm(x, axis=1, keepdims=True)

    assert 3.5 < lid_mle(unit(points), unit(queries)) < 7.0


def test_cluster_neighbours_see_nesting():
    nested = World(n_topics=100, seed=0).sample(5000, seed=1)
    profile = cluster_neighbours(nested, 50)
    assert profile["nearest"] > profile["fifth"] > profile["mean"]


def test_recall_counts_shared_neighbours_and_ignores_missing_slots():
    truth = np.array([[1, 2, 3, 4], [5, 6, 7, 8]])
    found = np.array([[4, 3, 9, -1], [5, 6, 7, 8]])
    assert scale.recall_at_k(found, truth) == pytest.approx((2 / 4 + 1) / 2)


def test_exact_limit_inverts_a_linear_fit():
    dense = [{"passages": n, "flat": {"query_ms": 0.5 + n / 10_000}} for n in (10_000, 100_000)]
    assert abs(scale.exact_limit(dense, budget_ms=3.0) - 25_000) <= 1


@pytest.mark.integration
def test_a_tiny_study_writes_its_tables_and_chart(tmp_path):
    assert (
        scale.main(
            ["--sizes", "1500,3000", "--queries", "20", "--floor-ms", "10", "--out", str(tmp_path)]
        )
        == 0
    )
    result = json.loads((tmp_path / "scale.json").read_text())
    assert [d["passages"] for d in result["dense"]] == [1500, 3000]
    for d in result["dense"]:
        assert d["flat"]["recall_at_10"] == 1.0
        assert 0.5 <= d["hnsw"]["recall_at_10"] <= 1.0
        assert d["flat"]["bytes"] >= d["passages"] * 384 * 4
    assert all(b["query_ms"] > 0 for b in result["bm25"])
    assert result["floor_ms"] == 10
    md = (tmp_path / "scale.md").read_text()
    assert "| 3,000 |" in md and "IndexFlatIP" in md
    assert (tmp_path / "scale.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
