"""Markdown: ATX and setext headings make the path; markup is read, not quoted."""

import re

import pytest
from ingest_samples import MARKDOWN_CHROME, MARKDOWN_DOC, MARKDOWN_TITLE, make_corpus, write_samples

from indexer.manifest import load_manifest
from indexer.sources import cut, passages
from indexer.structure import markdown as md_reader


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("md")
    samples = write_samples(root / "in")
    return make_corpus(root / "corpus", [("living-well", samples["markdown"], MARKDOWN_TITLE)])


@pytest.fixture(scope="module")
def doc_passages(corpus):
    (doc,) = load_manifest(corpus)
    layout, found = passages(doc)
    assert layout == "markdown"
    return doc, found


def test_atx_and_setext_headings_make_the_section_paths(doc_passages):
    _, found = doc_passages
    paths = []
    for p in found:
        if p.section not in paths:
            paths.append(p.section)
    assert paths == [
        (),  # under the setext title, which is the document's own title
        ("Eating well",),  # setext level 2
        ("Exercise",),  # ATX with closing hashes
        ("Exercise", "Looking after your bones"),
        ("Feelings and support",),  # a later level-1 heading
    ]


def test_markup_is_taken_out_and_words_kept(doc_passages):
    _, found = doc_passages
    everything = "\n".join(p.text for p in found)
    for chrome in MARKDOWN_CHROME:
        assert chrome not in everything, chrome
    assert "with multiple myeloma. Looking after" in everything
    assert "See the NHS guide\nfor more." in everything  # link text kept, target dropped
    assert "fish, eggs & beans" in everything  # entity decoded
    assert "can reduce tiredness and keep" in everything
    assert "snake_case_notes" in everything  # intraword underscores are not emphasis
    assert "Take the bone-strengthening medicine" in everything  # list marker gone
    assert "Feeling anxious or low" in everything and "> " not in everything  # quote marker gone


def test_every_passage_is_an_exact_slice_of_the_stored_text_layer(corpus, doc_passages):
    doc, found = doc_passages
    layer = (corpus / doc.text_file).read_bytes().decode("utf-8")
    for p in found:
        assert layer[p.start : p.end] == p.text, p.id


def test_original_offsets_cover_the_same_words_in_the_markdown_file(doc_passages):
    _, found = doc_passages
    assert found
    for p in found:
        raw = MARKDOWN_DOC[p.original_start : p.original_end]
        words = re.findall(r"[A-Za-z0-9']+", p.text)
        assert re.findall(r"[A-Za-z0-9']+", raw)[:1] == words[:1], p.id
        position = 0
        for word in words:  # every word of the passage, in order, in the original span
            position = raw.index(word, position) + len(word)
        assert raw.rstrip().endswith(p.text.rstrip()[-1]), p.id


def test_no_passage_runs_across_a_code_block(doc_passages):
    _, found = doc_passages
    for p in found:
        assert not ("weaken the bones" in p.text and "Swimming and cycling" in p.text), p.id


def test_setext_underline_needs_a_paragraph_and_rules_are_not_headings():
    text = "Intro line one.\n\n---\n\nA paragraph after a rule.\n\nTitle here\n---\n\nBody text.\n"
    rendering = md_reader.render(text, "")
    assert [s.path for s in rendering.sections] == [(), ("Title here",)]
    found = cut("doc", rendering)
    assert [p.text for p in found] == ["Intro line one.\n\nA paragraph after a rule.", "Body text."]
