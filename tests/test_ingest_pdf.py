"""PDF: a PDF written by the test, read back with its headings, pages and citations."""

import io

import pypdf
import pytest
from ingest_samples import PDF_CHROME, PDF_TITLE, make_corpus, normalise, write_samples
from pdf_fixture import write_pdf

from indexer.manifest import load_manifest
from indexer.sources import cut, passages
from indexer.structure import pdf as pdf_reader


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    root = tmp_path_factory.mktemp("pdf")
    samples = write_samples(root / "in")
    return make_corpus(root / "corpus", [("infections", samples["pdf"], PDF_TITLE)])


@pytest.fixture(scope="module")
def doc_passages(corpus):
    (doc,) = load_manifest(corpus)
    layout, found = passages(doc)
    assert layout == "pdf"
    return doc, found


def page_texts(path) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(path).pages]


def test_headings_ranked_by_font_size(doc_passages):
    _, found = doc_passages
    assert [(p.section, p.page) for p in found] == [
        (("Why infections happen",), 1),
        (("Why infections happen", "Signs to look out for"), 1),  # bold at body size
        (("Preventing infections", "Vaccines"), 2),
        (("Preventing infections", "Everyday care"), 2),
    ]


def test_running_headers_and_page_numbers_are_left_out(doc_passages):
    _, found = doc_passages
    for p in found:
        for chrome in PDF_CHROME:
            assert chrome not in p.text
        assert not p.text.rstrip().endswith(("1", "2")), p.id


def test_text_layer_is_pypdfs_extraction_page_by_page(corpus, doc_passages):
    doc, found = doc_passages
    layer = (corpus / doc.text_file).read_bytes().decode("utf-8")
    assert doc.text_file == "infections.pdf.txt"
    assert layer == "\f".join(page_texts(corpus / doc.file))
    for p in found:
        assert layer[p.start : p.end] == p.text, p.id


def test_each_passage_is_on_the_page_it_cites(corpus, doc_passages):
    doc, found = doc_passages
    pages = [normalise(t) for t in page_texts(corpus / doc.file)]
    for p in found:
        assert normalise(p.text) in pages[p.page - 1], p.id
        assert all(
            normalise(p.text) not in other for n, other in enumerate(pages) if n != p.page - 1
        )
    assert "crowd them out of the bone marrow." in found[0].text


def test_a_paragraph_running_onto_the_next_page_cites_both(tmp_path):
    body = "Bisphosphonates strengthen the bones and lower calcium in the blood."
    path = write_pdf(
        tmp_path / "two.pdf",
        [
            [
                (16, "Bone medicines", True),
                (11, body, False),
                (11, "They are given as a drip", False),
            ],
            [(11, "every three to four weeks, in hospital or at home.", False)],
        ],
    )
    found = cut("two", pdf_reader.render(path.read_bytes(), "Bones"))
    assert len(found) == 1
    assert (found[0].page, found[0].page_end) == (1, 2)
    assert found[0].text.endswith("drip\fevery three to four weeks, in hospital or at home.")


def test_a_pdf_without_text_has_no_sections(tmp_path):
    path = write_pdf(tmp_path / "scan.pdf", [[(11, "", False)]])
    rendering = pdf_reader.render(path.read_bytes(), "Scan")
    assert rendering.sections == [] and cut("scan", rendering) == []


def test_a_broken_pdf_is_a_clear_error():
    with pytest.raises(ValueError, match="cannot read the PDF"):
        pdf_reader.render(b"%PDF-1.4 this is not really a PDF", "Broken")
    with pytest.raises(ValueError, match="cannot read the PDF"):
        pdf_reader.extract(io.BytesIO(b"").getvalue())
