"""The real index: every citation slices back to its text; builds are atomic."""

import json

import pytest

from indexer import store
from indexer.sentences import sentence_spans


def test_every_passage_is_its_exact_source_span(index, source_texts):
    assert len(index.passages) == index.meta["passage_count"] > 50
    for p in index.passages:
        assert source_texts[p["source_file"]][p["start"] : p["end"]] == p["text"], p["id"]


def test_passages_are_readable_and_free_of_chrome(index):
    for p in index.passages:
        assert p["section"], p["id"]
        assert len(p["text"].split()) <= 180, p["id"]
        for chrome in (
            "Skip to main content",
            "On This Page",
            "Key Points",
            "Enlarge ",
            "Last Revised",
            "editorial content team",
            "Sign up",
        ):
            assert chrome not in p["text"], (p["id"], chrome)
    words = sorted(len(p["text"].split()) for p in index.passages)
    assert words[len(words) // 2] >= 40  # most passages stand on their own


def test_passages_start_and_end_at_sentence_boundaries(index, source_texts):
    for p in index.passages:
        spans = sentence_spans(p["text"])
        assert spans and spans[0][0] == 0 and spans[-1][1] == len(p["text"]), p["id"]


def test_passages_never_cross_sections(index):
    by_doc = {}
    for p in index.passages:
        by_doc.setdefault(p["doc_id"], []).append(p)
    for passages in by_doc.values():
        ordered = sorted(passages, key=lambda p: p["start"])
        for a, b in zip(ordered, ordered[1:]):
            assert a["end"] <= b["start"], (a["id"], b["id"])


def test_sentence_splitter_knows_medical_abbreviations():
    text = "Drugs, e.g. bortezomib, are used vs. older ones, i.e. melphalan. Dr. Lee agrees."
    assert len(sentence_spans(text)) == 2


def test_metadata_records_model_versions_and_checksums(index, source_texts):
    meta = index.meta
    assert meta["model"] == {
        "name": "all-MiniLM-L6-v2",
        "dimension": 384,
        "normalized": True,
        "embed_section_path": meta["model"]["embed_section_path"],
    }
    assert set(meta["corpus"]) == set(source_texts)
    assert all(len(v) == 64 for v in meta["corpus"].values())
    assert meta["packages"]["faiss-cpu"] and meta["packages"]["sentence-transformers"]
    assert meta["built_at"] and meta["version"]
    assert index.dense.ntotal == meta["passage_count"]


def test_failed_build_leaves_previous_index_in_place(tmp_path):
    def good(d):
        store.write_json(d / "meta.json", {"version": "v1"})

    store.write_build(tmp_path, "v1", good)

    def crash(d):
        store.write_json(d / "meta.json", {"version": "v2"})
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        store.write_build(tmp_path, "v2", crash)
    assert json.loads((tmp_path / "current" / "meta.json").read_text())["version"] == "v1"
    leftovers = [p.name for p in (tmp_path / "builds").iterdir()]
    assert leftovers == ["v1"]


def test_new_build_replaces_current(tmp_path):
    for version in ("v1", "v2"):
        store.write_build(
            tmp_path,
            version,
            lambda d, v=version: store.write_json(d / "meta.json", {"version": v}),
        )
    assert json.loads((tmp_path / "current" / "meta.json").read_text())["version"] == "v2"


def test_a_list_items_label_starts_the_passage_that_describes_it(index):
    """'Consolidation therapy : This is the second phase of treatment.' heads the
    consolidation passage instead of closing the induction one."""
    texts = [p["text"] for p in index.passages]
    assert any(t.startswith("Consolidation therapy : This is the second phase") for t in texts)
    assert not any(t.rstrip().endswith("This is the second phase of treatment.") for t in texts)
    assert index.meta["chunking"]["item_tail_share"] > 0
