"""Incremental builds: unchanged documents are not embedded again, and the result is the same."""

import json

import faiss
import numpy as np
import pytest
from ingest_samples import (
    PDF_TITLE,
    TINY_HTML,
    TINY_MARKDOWN,
    make_corpus,
    manifest_entry,
    write_samples,
)

from core import models, settings
from indexer.build import build
from indexer.embed import embedding_input
from indexer.manifest import load_manifest
from indexer.sources import passages


class CountingModel:
    """The real model, noting every text that reaches it."""

    def __init__(self, model):
        self.model, self.texts = model, []

    def encode(self, sentences, **kwargs):
        self.texts.extend(sentences)
        return self.model.encode(sentences, **kwargs)


@pytest.fixture()
def counting(monkeypatch):
    real = models.load_embedder(settings.EMBED_MODEL)
    counter = CountingModel(real)
    monkeypatch.setattr(models, "load_embedder", lambda name: counter)
    return counter


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    directory = tmp_path_factory.mktemp("samples")
    found = write_samples(directory)
    (directory / "fatigue.md").write_text(TINY_MARKDOWN, encoding="utf-8")
    (directory / "hair.html").write_text(TINY_HTML, encoding="utf-8")
    return {**found, "markdown": directory / "fatigue.md", "html": directory / "hair.html"}


def passage_inputs(corpus, doc_id) -> set[str]:
    doc = next(d for d in load_manifest(corpus) if d.id == doc_id)
    return {embedding_input(p, settings.EMBED_SECTION_PATH) for p in passages(doc)[1]}


def add_to_manifest(corpus, doc_id, path, title):
    (corpus / path.name).write_bytes(path.read_bytes())
    data = json.loads((corpus / "manifest.json").read_text())
    data["documents"].append(manifest_entry(doc_id, path.name, title))
    (corpus / "manifest.json").write_text(json.dumps(data))


def read_build(out):
    current = out / "current"
    meta = json.loads((current / "meta.json").read_text())
    dense = faiss.read_index(str(current / "dense.faiss"))
    return {
        "meta": {k: v for k, v in meta.items() if k not in ("version", "built_at")},
        "documents": json.loads((current / "documents.json").read_text()),
        "passages": (current / "passages.jsonl").read_text(),
        "vectors": dense.reconstruct_n(0, dense.ntotal),
        "sentences": np.load(current / "sentences.npy"),
        "sentence_owner": np.load(current / "sentence_owner.npy"),
        "files": sorted(p.name for p in current.iterdir()),
    }


@pytest.mark.integration
def test_only_new_and_changed_documents_reach_the_model(tmp_path, samples, counting):
    corpus = make_corpus(
        tmp_path / "corpus",
        [
            ("living-well", samples["markdown"], "Fatigue"),
            ("kidneys", samples["html"], "Hair loss"),
        ],
    )
    out = tmp_path / "index"
    first = build(corpus, out, progress=False)
    md_inputs, html_inputs = (
        passage_inputs(corpus, "living-well"),
        passage_inputs(corpus, "kidneys"),
    )
    assert md_inputs | html_inputs <= set(counting.texts)
    assert len(counting.texts) == len(set(counting.texts)) == first.embedded

    counting.texts.clear()
    again = build(corpus, out, progress=False)
    assert counting.texts == []  # nothing changed: not one passage or sentence re-embedded
    assert again.embedded == 0 and again.reused >= again.passages

    add_to_manifest(corpus, "infections", samples["pdf"], PDF_TITLE)
    added = build(corpus, out, progress=False)
    pdf_inputs = passage_inputs(corpus, "infections")
    sent = set(counting.texts)
    assert pdf_inputs <= sent  # the new document's passages were embedded ...
    assert not (md_inputs | html_inputs) & sent  # ... and the unchanged ones' were not
    assert len([t for t in counting.texts if t in pdf_inputs]) == len(pdf_inputs)
    assert added.embedded == len(counting.texts) and added.reused > 0

    # A full rebuild, with no earlier build to draw on, gives the same index.
    full = build(corpus, tmp_path / "full", progress=False)
    assert full.reused < added.reused
    a, b = read_build(out), read_build(tmp_path / "full")
    assert a["files"] == b["files"]
    assert a["meta"] == b["meta"]
    assert a["documents"] == b["documents"]
    assert a["passages"] == b["passages"]
    assert np.array_equal(a["sentence_owner"], b["sentence_owner"])
    # Batches differ between the two builds, so floats may differ in the last bits.
    np.testing.assert_allclose(a["vectors"], b["vectors"], rtol=0, atol=1e-5)
    np.testing.assert_allclose(a["sentences"], b["sentences"], rtol=0, atol=1e-5)

    counting.texts.clear()
    md_file = corpus / samples["markdown"].name
    md_file.write_bytes(
        md_file.read_bytes().replace(
            b"A balanced diet gives you energy.", b"A balanced diet gives you strength."
        )
    )
    build(corpus, out, progress=False)
    now = passage_inputs(corpus, "living-well")
    changed = now - md_inputs
    assert changed and changed <= set(counting.texts)  # the edited passage went to the model
    assert now & md_inputs and not now & md_inputs & set(counting.texts)  # its neighbour did not
    assert not (html_inputs | pdf_inputs) & set(counting.texts)
    assert len([t for t in counting.texts if t in changed]) == len(changed)


def test_vectors_are_reused_only_for_the_same_model_and_input(tmp_path, counting):
    from indexer import incremental

    texts = ["Myeloma can damage the kidneys.", "Drink plenty of fluids."]
    first = incremental.CachedEmbedder(lambda: counting, "model A", {})
    vectors = first.encode(texts, normalize_embeddings=True, batch_size=8)
    first.save(tmp_path)
    assert counting.texts == texts

    same = incremental.CachedEmbedder(
        lambda: counting, "model A", incremental._load(tmp_path, "model A")
    )
    again = same.encode(texts + ["A new sentence."], normalize_embeddings=True, batch_size=8)
    assert counting.texts == texts + ["A new sentence."]  # only the unseen input was embedded
    assert np.array_equal(again[:2], vectors) and (same.sent, same.reused) == (1, 2)
    assert incremental._load(tmp_path, "model B") == {}  # another model's vectors are not used
    unnormalised = same.encode(texts[:1], normalize_embeddings=False, batch_size=8)
    assert counting.texts[-1] == texts[0] and unnormalised.shape == (1, vectors.shape[1])
