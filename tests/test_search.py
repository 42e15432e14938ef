"""The ranking pipeline: stages, dedupe, source filter, second stage, cache."""

import numpy as np
import pytest

from retrieval.search import Pipeline, Searcher


@pytest.fixture(scope="module")
def searcher(app):
    return app.extensions["searcher"]


def test_spelling_correction_is_reported(client):
    body = client.get("/api/search", query_string={"q": "wat is smoldering myloma"}).get_json()
    assert body["corrected_query"] == "wat is smoldering myeloma"
    assert any("smoldering" in r["text"].lower() for r in body["results"][:3])
    plain = client.get("/api/search", query_string={"q": "smoldering myeloma"}).get_json()
    assert "corrected_query" not in plain


def test_every_stage_can_be_switched_off(searcher):
    query = "how are bones protected during myeloma treatment"
    for pipeline in (
        Pipeline(dense=False, rerank="none"),
        Pipeline(lexical=False),
        Pipeline(rerank="none"),
        Pipeline(fusion="blend"),
        Pipeline(),
    ):
        hits = searcher.search(query, 5, pipeline=pipeline).hits
        assert 0 < len(hits) <= 5
        assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_bm25_alone_returns_only_passages_sharing_a_word(searcher):
    hits = searcher.search("plasmapheresis", 10, pipeline=Pipeline(dense=False, rerank="none")).hits
    assert hits and all(
        "plasmapheresis" in (h.passage["text"] + " ".join(h.passage["section"])).lower()
        for h in hits
    )


def test_no_result_list_repeats_text(searcher):
    for query in ("clinical trial search", "skeletal bone survey x-rays", "multiple myeloma"):
        texts = [" ".join(h.passage["text"].split()) for h in searcher.search(query, 50).hits]
        assert len(texts) == len(set(texts))
        for a in texts:
            assert not any(a != b and a in b for b in texts)


def test_duplicate_text_is_dropped_but_kept_without_dedupe(searcher):
    query = "skeletal bone survey x-rays of all the bones"
    with_dupes = searcher.search(query, 50, pipeline=Pipeline(dedupe=False)).hits
    texts = [" ".join(h.passage["text"].split()) for h in with_dupes]
    # The corpus repeats this description in two sections; dedupe keeps one.
    repeated = [t for t in texts if "In a skeletal bone survey, x-rays of all the bones" in t]
    deduped = [
        h
        for h in searcher.search(query, 50).hits
        if "In a skeletal bone survey, x-rays of all the bones"
        in " ".join(h.passage["text"].split())
    ]
    assert len(deduped) <= len(repeated)


def test_source_filter_restricts_documents(searcher, client):
    acs = "acs-multiple-myeloma-treatment-options"
    hits = searcher.search("stem cell transplant", 10, sources={acs}).hits
    assert hits and {h.passage["doc_id"] for h in hits} == {acs}


def test_repeated_query_skips_the_model(searcher, monkeypatch):
    searcher.search("does myeloma run in families", 3)
    calls = []
    original = searcher.model.encode
    monkeypatch.setattr(
        searcher.model, "encode", lambda *a, **k: calls.append(a) or original(*a, **k)
    )
    searcher.search("does myeloma run in families", 3)
    assert calls == []
    searcher.search("a different question about myeloma", 3)
    assert len(calls) == 1


def test_confidence_separates_nonsense_from_questions(searcher):
    assert searcher.search("what is smoldering multiple myeloma", 5).confident
    for query in (
        "best pizza recipe with pineapple",
        "xqzv blorf wibble",
        "weather tomorrow in paris",
    ):
        assert not searcher.search(query, 5).confident, query


def test_every_signal_calibration_may_mix_is_reported(searcher):
    from core import settings

    short = searcher.search("myeloma kidneys", 5).details["confidence"]
    long = searcher.search(
        "how does the protein made by myeloma cells harm the kidneys", 5
    ).details["confidence"]
    assert set(settings.CONFIDENCE_FEATURES) <= short.keys()
    assert short["query_length"] < long["query_length"]
    # The best sentence leads the next passages' best: never negative.
    assert short["sentence_lead"] >= 0 and long["sentence_lead"] >= 0


def _tiny_cross_encoder(path):
    """A randomly initialised one-layer BERT, saved as a CrossEncoder directory."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    words = [
        "[PAD]",
        "[UNK]",
        "[CLS]",
        "[SEP]",
        "[MASK]",
        *sorted(
            set(
                "myeloma kidney kidneys bone marrow plasma cell cells stem transplant the a of and is".split()
            )
        ),
    ]
    (path / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(path / "vocab.txt"))
    config = BertConfig(
        vocab_size=len(words),
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=32,
        num_labels=1,
        max_position_embeddings=512,
    )
    model = BertForSequenceClassification(config)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_configured_cross_encoder_orders_the_head(index, tmp_path):
    from sentence_transformers import CrossEncoder

    model_dir = _tiny_cross_encoder(tmp_path)
    searcher = Searcher(
        index,
        pipeline=Pipeline(rerank="cross-encoder", rerank_depth=8),
        cross_encoder_dir=str(model_dir),
    )
    query = "myeloma kidney damage"
    hits = searcher.search(query, 8).hits
    direct = CrossEncoder(str(model_dir), device="cpu").predict(
        [(query, h.passage["text"]) for h in hits], show_progress_bar=False
    )
    assert np.allclose([h.score for h in hits], direct, atol=1e-4)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
