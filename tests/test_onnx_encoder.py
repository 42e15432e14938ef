"""The query encoder: ONNX Runtime, the same vectors as sentence-transformers, no torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import hypothesis
import numpy as np
import pytest
from hypothesis import strategies as st

from core import index_files, models, settings
from eval.gold import GOLD_FILE

REPO = Path(__file__).resolve().parent.parent


def gold_questions() -> list[str]:
    with open(GOLD_FILE, encoding="utf-8") as fh:
        return [json.loads(line)["question"] for line in fh if line.strip()]


@pytest.fixture(scope="module")
def onnx_model(index_dir):
    return models.load_query_embedder(settings.EMBED_MODEL, index_dir / index_files.CURRENT)


def test_the_build_carries_and_records_its_onnx_encoder(index):
    record = index.meta["query_encoder"]
    assert record["file"] == index_files.QUERY_ENCODER
    assert (index.path / index_files.QUERY_ENCODER).is_file()
    assert record["max_length"] == 256 and len(record["weights_sha256"]) == 64


def test_every_gold_question_matches_sentence_transformers(onnx_model):
    questions = gold_questions()
    reference = models.embed(models.load_embedder(settings.EMBED_MODEL), questions)
    ours = models.embed(onnx_model, questions)
    cosines = (reference * ours).sum(axis=1)
    assert len(questions) > 300 and cosines.min() >= 0.9999


def test_long_texts_are_cut_where_sentence_transformers_cuts_them(onnx_model):
    text = (REPO / "corpus" / "acs-multiple-myeloma-treatment-options.txt").read_text()[:6000]
    assert len(onnx_model.tokenizer.encode(text).ids) == 256
    reference = models.embed(models.load_embedder(settings.EMBED_MODEL), [text])
    assert float((reference * models.embed(onnx_model, [text])).sum()) >= 0.9999


def test_concurrent_queries_each_get_their_own_vector(app):
    """Through the micro-batcher, as request threads call it; compared with one at a time."""
    encoder = app.extensions["searcher"].encoder
    questions = gold_questions()[:24]
    alone = {q: models.embed(encoder.model, [q])[0] for q in questions}
    got: dict[str, np.ndarray] = {}
    start = threading.Barrier(len(questions))

    def ask(q: str) -> None:
        start.wait()
        got[q] = encoder.batcher.embed([q])[0]

    threads = [threading.Thread(target=ask, args=(q,)) for q in questions]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert got.keys() == alone.keys()
    for q in questions:
        assert float(got[q] @ alone[q]) >= 0.99999, q
    assert max(encoder.batcher.batch_sizes) > 1  # they did share model calls


NO_TORCH = """
import sys
from search_app import create_app
app = create_app({"INDEX_DIR": sys.argv[1], "TESTING": True, "RATELIMIT_ENABLED": False})
r = app.test_client().get("/api/search", query_string={"q": "can myeloma hurt my kidneys"})
assert r.status_code == 200 and r.get_json()["results"], r.status_code
print("torch" in sys.modules)
"""


def test_the_serving_process_never_imports_torch(index_dir):
    out = subprocess.run(
        [sys.executable, "-c", NO_TORCH, str(index_dir)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_a_build_without_the_onnx_encoder_is_refused_with_the_rebuild_hint(index_dir, tmp_path):
    from retrieval.index import IndexUnavailable
    from search_app import create_app

    old = tmp_path / "old"
    shutil.copytree(index_dir / index_files.CURRENT, old)
    (old / index_files.QUERY_ENCODER).unlink()
    meta = json.loads((old / index_files.META).read_text())
    del meta["query_encoder"]
    (old / index_files.META).write_text(json.dumps(meta))
    with pytest.raises(IndexUnavailable) as refused:
        create_app({"INDEX_DIR": str(old), "TESTING": True})
    message = str(refused.value)
    assert "\n" not in message and "python -m indexer build" in message
    assert index_files.QUERY_ENCODER in message


def test_texts_of_mixed_lengths_get_their_own_vectors_in_length_groups(onnx_model):
    """One call's texts run in groups of similar length; each vector is the text's own."""
    texts = gold_questions()[:12] + ["germs", "zzqxv", "a much longer question " * 6]
    together = models.embed(onnx_model, texts, batch_size=len(texts))
    for text, vector in zip(texts, together):
        alone = models.embed(onnx_model, [text])[0]
        assert float(vector @ alone) >= 0.99999, text
    assert np.allclose(models.embed(onnx_model, texts, batch_size=4), together, atol=1e-6)


@pytest.mark.unit
def test_length_groups_cover_every_text_once_and_trade_calls_for_padding():
    from core.onnx_embedder import groups

    assert groups([], 16) == []
    assert groups([16], 16) == [slice(0, 1)]
    # A word beside a question costs less in its call than in a call of its own ...
    assert groups([4, 16], 16, call_cost=22) == [slice(0, 2)]
    # ... several short words beside a long question go apart.
    assert groups([3, 4, 5, 30], 16, call_cost=22) == [slice(0, 3), slice(3, 4)]
    lengths = sorted([10, 12, 13, 15, 16, 18, 22, 27, 31, 9, 40, 41])
    for limit in (1, 3, 16):
        cut = groups(lengths, limit)
        assert [i for s in cut for i in range(s.start, s.stop)] == list(range(len(lengths)))
        assert all(s.stop - s.start <= limit for s in cut)
    # Free calls: every length alone; very dear calls: as few as the limit allows.
    assert len(groups(lengths, 16, call_cost=0)) == len(set(lengths))
    assert groups(lengths, 16, call_cost=10_000) == [slice(0, len(lengths))]


@pytest.fixture(scope="module")
def tokenizer():
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(models.model_path(settings.EMBED_MODEL) / "tokenizer.json"))
    tokenizer.no_padding()  # as the encoder counts: one text, its own length
    tokenizer.no_truncation()
    tokenizer.enable_truncation(256)
    return tokenizer


@pytest.mark.unit
@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(text=st.text(alphabet=st.characters(max_codepoint=127), max_size=120))
def test_a_short_ascii_text_is_kept_without_counting_its_word_pieces(tokenizer, text):
    """clip skips the tokenizer for an ASCII text that cannot exceed the limit; what
    it returns is what counting the pieces gives."""
    from retrieval.encoder import clip, clip_by_counting

    for limit in (12, 96):
        encoding = tokenizer.encode(text)
        if text.isascii() and len(text) + 2 <= limit:
            assert len(encoding.ids) <= limit  # so the count would have kept it too
        assert clip(tokenizer, text, limit) == clip_by_counting(tokenizer, text, limit)
