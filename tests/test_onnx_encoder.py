"""The query encoder: ONNX Runtime, the same vectors as sentence-transformers, no torch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest

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
