"""The vocabulary bridge: query words the corpus lacks reach the corpus words they mean."""

import json

import numpy as np
import pytest

from search_app.bridging import VocabularyBridge, WordVectorCache


def test_index_holds_a_vector_for_each_corpus_content_word(index):
    words = json.loads((index.path / "bridge_words.json").read_text(encoding="utf-8"))
    vectors = np.load(index.path / "bridge_vectors.npy")
    assert len(words) == len(vectors) == len(set(words))
    assert {"urine", "bacteria", "solitary"} <= set(words)
    assert not {"the", "what", "my"} & set(words)  # stopwords are never targets
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)


@pytest.fixture()
def searcher(app):
    return app.extensions["searcher"]


@pytest.mark.parametrize("word, corpus_word", [
    ("illness", "diseas"),  # disease
    ("skeleton", "bone"),
    ("lone", "solitari"),   # solitary
])
def test_unknown_lay_words_bridge_to_corpus_words(searcher, word, corpus_word):
    plan = searcher.plan(f"what about the {word}", searcher.pipeline)
    assert corpus_word in plan.expansion
    assert corpus_word in plan.tokens


def test_words_the_corpus_has_are_not_bridged(searcher):
    bridge = searcher.bridge
    assert bridge.unknown_words("myeloma kidneys the what") == []
    assert bridge.unknown_words("my pee and my pee germs") == ["pee", "germs"]


def test_the_bridge_is_a_pipeline_switch(searcher):
    off = searcher.plan("a lone tumour", searcher.pipeline.replace(bridge=False))
    on = searcher.plan("a lone tumour", searcher.pipeline)
    assert "solitari" not in off.tokens and "solitari" in on.tokens


def test_bridge_keeps_only_neighbours_above_the_threshold():
    vectors = np.eye(3, dtype=np.float32)
    bridge = VocabularyBridge(["alpha", "beta", "gamma"], vectors, {}, 0.5, 2)
    query = np.array([[0.9, 0.3, 0.0]], dtype=np.float32)
    assert bridge.expand(query, []) == ["alpha"]  # beta is 0.3 away from the bar
    assert bridge.expand(query, ["alpha"]) == []  # nothing the query already has


def test_word_cache_embeds_each_word_once_and_forgets_the_oldest():
    calls = []

    def embed(words):
        calls.append(list(words))
        return np.array([[len(w), 1.0] for w in words], dtype=np.float32)

    cache = WordVectorCache(embed, size=2)
    assert cache.vectors(["ab", "abc"]).tolist() == [[2.0, 1.0], [3.0, 1.0]]
    cache.vectors(["abc", "ab"])
    assert calls == [["ab", "abc"]]
    cache.vectors(["abcd"])  # evicts the least recently used: "abc"
    cache.vectors(["ab", "abc"])
    assert calls[-1] == ["abc"]
