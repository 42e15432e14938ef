"""HTML: headings h1-h4 make the path, chrome is left out, citations re-read exactly."""

import pytest
from ingest_samples import (
    HTML_CHROME,
    HTML_PAGE,
    HTML_TITLE,
    make_corpus,
    normalise,
    strip_markup,
    write_samples,
)

from indexer.manifest import load_manifest
from indexer.sources import cut, passages
from indexer.structure import html as html_reader


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("html")
    samples = write_samples(root / "in")
    return make_corpus(root / "corpus", [("kidneys", samples["html"], HTML_TITLE)])


@pytest.fixture(scope="module")
def doc_passages(corpus):
    (doc,) = load_manifest(corpus)
    layout, found = passages(doc)
    assert layout == "html"
    return doc, found


def test_section_paths_follow_h2_to_h4_under_the_title(doc_passages):
    _, found = doc_passages
    paths = [p.section for p in found]
    assert paths[0] == ()  # the h1 repeats the title, so the intro has no section of its own
    expected = [
        ("Signs of kidney damage",),
        ("Signs of kidney damage", "Blood and urine tests"),
        ("Signs of kidney damage", "Blood and urine tests", "Urine protein electrophoresis"),
        ("Treatment for kidney damage",),
    ]
    for path in expected:
        assert path in paths, path
    assert [paths.index(p) for p in expected] == sorted(paths.index(p) for p in expected)
    assert not any("Not a section heading" in part for path in paths for part in path)


def test_chrome_is_left_out(doc_passages):
    _, found = doc_passages
    everything = " ".join(p.text for p in found)
    for chrome in HTML_CHROME:
        assert chrome not in everything, chrome
    assert "Swelling in the legs, ankles or feet" in everything
    assert "Results are usually ready within a few days." in everything  # h5 body is content


def test_text_is_what_a_browser_shows(doc_passages):
    _, found = doc_passages
    first = found[0].text
    assert "damage the kidneys. Myeloma cells" in first  # inline link text kept, tag dropped
    assert "the kidneys' filters & harm them" in first  # entities decoded
    assert "can clog" in first and "can   clog" not in first  # whitespace collapsed
    everything = " ".join(p.text for p in found)
    assert "fluids\xa0helps" in everything  # &nbsp; stays a no-break space
    assert "Dialysis    3 times a week\nFluids" in everything  # <pre> keeps its spacing


def test_every_passage_is_an_exact_slice_of_the_stored_text_layer(corpus, doc_passages):
    doc, found = doc_passages
    layer = (corpus / doc.text_file).read_bytes().decode("utf-8")
    assert doc.text_file == "kidneys.html.txt"
    for p in found:
        assert layer[p.start : p.end] == p.text, p.id


def test_original_offsets_point_into_the_unchanged_html_file(corpus, doc_passages):
    doc, found = doc_passages
    original = (corpus / doc.file).read_bytes().decode("utf-8")
    assert original == HTML_PAGE  # stored byte for byte
    for p in found:
        raw = original[p.original_start : p.original_end]
        assert strip_markup(raw) == normalise(p.text), p.id


def test_no_passage_runs_across_left_out_content(doc_passages):
    _, found = doc_passages
    for p in found:
        assert not ("each day" in p.text and "over time" in p.text), p.id  # script between
    intro = [p for p in found if p.section == ()]
    assert any(p.text.startswith("Drinking plenty of fluids") for p in intro)


def test_only_main_content_is_read_when_the_page_marks_it():
    page = """<html><body><div class="promo"><p>PROMO-CHROME Donate today to our appeal.</p></div>
    <main><h2>Bone pain</h2><p>Myeloma can cause bone pain, most often in the back or ribs.</p></main>
    <aside><p>ASIDE-OUTSIDE-MAIN related links</p></aside></body></html>"""
    rendering = html_reader.render(page, "Bone health")
    found = cut("bones", rendering)
    assert [p.section for p in found] == [("Bone pain",)]
    assert found[0].text == "Myeloma can cause bone pain, most often in the back or ribs."
    assert "PROMO-CHROME" not in rendering.text and "ASIDE-OUTSIDE-MAIN" not in rendering.text


def test_unclosed_paragraphs_and_list_items_still_split_into_blocks():
    page = "<h2>Side effects</h2><p>First paragraph here.<p>Second paragraph here.<ul><li>One<li>Two</ul>"
    rendering = html_reader.render(page, "")
    (section,) = rendering.sections
    blocks = [rendering.text[s:e] for s, e in section.blocks]
    assert blocks == ["First paragraph here.", "Second paragraph here.", "One", "Two"]
    for s, e in section.blocks:
        os_, oe = rendering.original_span(s, e)
        assert strip_markup(page[os_:oe]) == rendering.text[s:e]
