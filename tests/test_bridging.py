"""The vocabulary bridge: query words the corpus lacks reach the corpus words they mean."""

import json

import numpy as np
import pytest

from retrieval.bridging import VocabularyBridge, WordVectorCache


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


@pytest.mark.parametrize(
    "word, corpus_word",
    [
        ("illness", "diseas"),  # disease
        ("skeleton", "bone"),
        ("lone", "solitari"),  # solitary
    ],
)
def test_unknown_lay_words_bridge_to_corpus_words(searcher, word, corpus_word):
    plan = searcher.plan(f"what about the {word}", searcher.pipeline)
    assert corpus_word in plan.expansion
    assert corpus_word in plan.tokens


def test_words_the_corpus_has_are_not_bridged(searcher):
    bridge = searcher.parts.bridge
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


def test_common_words_come_from_the_index_lexicon_without_the_model(searcher):
    bridge = searcher.parts.bridge
    assert "skeleton" in bridge.lexicon and "urine" in bridge.lexicon
    calls = []

    def embed(words):
        calls.append(list(words))
        return searcher.encoder.embed_words(words)

    vectors = bridge.word_vectors(["skeleton", "zzqxv"], embed)
    assert calls == [["zzqxv"]]  # only the word the lexicon lacks reaches the model
    fresh = searcher.encoder.embed_words(["skeleton"])[0]
    assert float(vectors[0] @ fresh) > 0.99  # float16 on disk, same vector


def test_unlisted_words_ride_in_the_query_model_call_with_the_same_vectors(searcher, monkeypatch):
    """A search embeds the query and the bridge's words the lexicon lacks in one
    model call; the vectors, and so the plan, are those of separate calls."""
    query = "does myeloma zzqxv the skeleton"
    searcher.clear_cache()
    calls = []
    model = searcher.encoder.batcher._run

    def counting(texts):
        calls.append(list(texts))
        return model(texts)

    monkeypatch.setattr(searcher.encoder.batcher, "_run", counting)
    together, vector = searcher._plan_and_embed(query, searcher.pipeline)
    assert calls == [[query, "zzqxv"]]  # "skeleton" comes from the lexicon
    assert together.unknown == ["zzqxv", "skeleton"]
    searcher.clear_cache()
    apart = searcher.plan(query, searcher.pipeline)
    alone = searcher.embed_query(query)
    assert calls[1:] == [["zzqxv"], [query]]  # the separate path: two calls
    assert np.allclose(together.unknown_vectors, apart.unknown_vectors, atol=1e-6)
    assert np.allclose(vector, alone, atol=1e-6)
    assert (together.tokens, together.expansion) == (apart.tokens, apart.expansion)
    searcher.clear_cache()


def test_cached_query_and_words_skip_the_model(searcher, monkeypatch):
    query = "does myeloma zzqxv the skeleton"
    searcher.clear_cache()
    first, _ = searcher._plan_and_embed(query, searcher.pipeline)

    def no_model(texts):
        raise AssertionError("cached: the model must not run")

    monkeypatch.setattr(searcher.encoder.batcher, "_run", no_model)
    again, vector = searcher._plan_and_embed(query, searcher.pipeline)
    assert np.array_equal(again.unknown_vectors, first.unknown_vectors)
    assert vector.shape == (1, first.unknown_vectors.shape[1])
    searcher.clear_cache()


@pytest.mark.integration
def test_lexicon_vectors_are_cached_per_model_and_reused(tmp_path, monkeypatch):
    from core import models
    from indexer import bridge

    first_words, first = bridge.lexicon_vectors("all-MiniLM-L6-v2", 50, tmp_path)
    assert len(first_words) == 50 == len(first) and len(list(tmp_path.iterdir())) == 1

    def no_model(*args, **kwargs):
        raise AssertionError("the cached lexicon must not call the model")

    monkeypatch.setattr(models, "embed", no_model)
    again_words, again = bridge.lexicon_vectors("all-MiniLM-L6-v2", 50, tmp_path)
    assert again_words == first_words and np.array_equal(again, first)


def test_foreignness_weighs_distance_from_the_corpus_by_rarity():
    corpus = np.eye(3, dtype=np.float32)
    lexicon = [f"common{i}" for i in range(999)] + ["rare"]  # the commonest first
    bridge = VocabularyBridge(["alpha", "beta", "gamma"], corpus, {}, 0.5, 2, lexicon, None)
    near, far = np.array([0.96, 0.28, 0.0]), np.array([0.0, 0.0, 0.0])
    assert bridge.foreignness([], np.zeros((0, 3))) == 0.0
    # A far word outweighs a near one; among far words, the rarer counts more.
    assert bridge.foreignness(["rare"], np.array([near])) < bridge.foreignness(
        ["rare"], np.array([far])
    )
    assert bridge.foreignness(["common0"], np.array([far])) < bridge.foreignness(
        ["rare"], np.array([far])
    )
    assert bridge.foreignness(["unheard"], np.array([far])) == pytest.approx(
        1.0
    )  # beyond the lexicon
    # Foreign words add up, as a share of the query's content words.
    one = bridge.foreignness(["unheard"], np.array([far]), n_words=4)
    both = bridge.foreignness(["common5", "unheard"], np.array([near, far]), n_words=4)
    assert one == pytest.approx(0.25)
    assert both == pytest.approx(one + bridge.foreignness(["common5"], np.array([near]), n_words=4))
    assert bridge.foreignness(["unheard"], np.array([far]), n_words=1) > one  # nothing else asked
    # Given the query's vector, a word counts as much as the query is about it.
    word = np.array([[0.0, 0.0, 0.0, 1.0]])
    wide = VocabularyBridge(["alpha"], np.array([[1.0, 0.0, 0.0, 0.0]]), {}, 0.5, 1)
    about = wide.foreignness(["unheard"], word, np.array([0.0, 0.0, 0.6, 0.8]))
    aside = wide.foreignness(["unheard"], word, np.array([0.0, 0.0, 0.98, 0.2]))
    assert about == pytest.approx(0.8) and aside == pytest.approx(0.2)


def test_one_similarity_pass_serves_expansion_and_foreignness():
    rng = np.random.default_rng(7)
    corpus = rng.standard_normal((50, 8)).astype(np.float32)
    corpus /= np.linalg.norm(corpus, axis=1, keepdims=True)
    words = [f"w{i}" for i in range(50)]
    bridge = VocabularyBridge(words, corpus, {}, 0.2, 3, ["common", "rare"], None)
    unknown = rng.standard_normal((3, 8)).astype(np.float32)
    unknown /= np.linalg.norm(unknown, axis=1, keepdims=True)
    sims = bridge.similarities(unknown)
    assert sims.shape == (3, 50)
    assert bridge.expand(unknown, [], sims) == bridge.expand(unknown, [])
    query = corpus[0]
    assert bridge.foreignness(["common", "x", "rare"], unknown, query, 5, sims) == (
        bridge.foreignness(["common", "x", "rare"], unknown, query, 5)
    )


def test_a_topic_the_corpus_lacks_is_foreign(searcher):
    def foreign(query):
        return searcher.search(query, 3).details["confidence"]["foreign"]

    assert foreign("myeloma kidneys") == 0.0  # no word the corpus lacks
    # "mess" is unknown but only a turn of phrase; "banana" is what the query is about.
    assert foreign("can myeloma mess up my kidneys") < 0.1 < foreign("best banana bread recipe")
