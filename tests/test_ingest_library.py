"""python -m indexer add / remove / list, on a temporary corpus (never the real one)."""

import json

import pytest
from ingest_samples import (
    EMPTY_HTML,
    HTML_TITLE,
    PDF_TITLE,
    TINY_MARKDOWN,
    make_corpus,
    write_samples,
)

from indexer import library
from indexer.__main__ import main


@pytest.fixture(scope="module")
def samples(tmp_path_factory):
    directory = tmp_path_factory.mktemp("samples")
    (directory / "fatigue.md").write_text(TINY_MARKDOWN, encoding="utf-8")
    return {**write_samples(directory), "markdown": directory / "fatigue.md"}


@pytest.fixture(scope="module")
def shared_out(tmp_path_factory):
    """One index directory for the module: builds re-use each other's vectors (see incremental.py)."""
    return tmp_path_factory.mktemp("index")


@pytest.fixture()
def corpus(tmp_path, samples, shared_out):
    corpus = make_corpus(tmp_path / "corpus", [("living-well", samples["markdown"], "Fatigue")])
    (tmp_path / "index").symlink_to(shared_out, target_is_directory=True)
    return corpus


def run(capsys, *argv):
    code = main(list(map(str, argv)))
    out, err = capsys.readouterr()
    return code, out, err


def add_args(path, corpus, *extra, title=HTML_TITLE, updated="2024-03-01"):
    return (
        "add",
        path,
        "--title",
        title,
        "--publisher",
        "Example Cancer Charity",
        "--url",
        "https://example.org/kidneys",
        "--updated",
        updated,
        "--corpus",
        corpus,
        "--out",
        corpus.parent / "index",
        *extra,
    )


def manifest(corpus) -> list[dict]:
    return json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))["documents"]


def indexed(corpus) -> tuple[set[str], list[dict]]:
    current = corpus.parent / "index" / "current"
    docs = {d["id"] for d in json.loads((current / "documents.json").read_text())}
    rows = [json.loads(line) for line in (current / "passages.jsonl").read_text().splitlines()]
    return docs, rows


@pytest.mark.integration
def test_add_copies_the_file_records_it_and_rebuilds(capsys, corpus, samples):
    code, out, err = run(capsys, *add_args(samples["html"], corpus))
    assert code == 0, err
    assert "added kidneys" in out and "2 documents" in out
    assert (corpus / "kidneys.html").read_bytes() == samples["html"].read_bytes()
    entry = manifest(corpus)[-1]
    assert entry == {
        "id": "kidneys",
        "file": "kidneys.html",
        "title": HTML_TITLE,
        "publisher": "Example Cancer Charity",
        "url": "https://example.org/kidneys",
        "updated": "2024-03-01",
        "text_file": "kidneys.html.txt",
        "citation": "Example Cancer Charity. Kidney Problems in Multiple Myeloma. Updated "
        "{updated}. Available at: https://example.org/kidneys. Accessed {accessed}.",
    }
    docs, rows = indexed(corpus)
    assert docs == {"living-well", "kidneys"}
    layer = (corpus / "kidneys.html.txt").read_text(encoding="utf-8")
    mine = [r for r in rows if r["doc_id"] == "kidneys"]
    assert mine and all(r["source_file"] == "kidneys.html.txt" for r in mine)
    assert all(layer[r["start"] : r["end"]] == r["text"] for r in mine)


@pytest.mark.integration
def test_add_list_and_remove_a_pdf(capsys, corpus, samples):
    code, _, err = run(
        capsys, *add_args(samples["pdf"], corpus, "--id", "infections-sheet", title=PDF_TITLE)
    )
    assert code == 0, err
    code, out, _ = run(capsys, "list", "--corpus", corpus, "--out", corpus.parent / "index")
    assert code == 0
    lines = out.strip().splitlines()
    assert lines[0].split()[:4] == ["ID", "FORMAT", "UPDATED", "PASSAGES"]
    _, rows = indexed(corpus)
    for doc_id, kind in (("living-well", "markdown"), ("infections-sheet", "pdf")):
        count = sum(r["doc_id"] == doc_id for r in rows)
        assert count > 0
        assert any(
            line.split()[:4] == [doc_id, kind, line.split()[2], str(count)] for line in lines[1:]
        ), (doc_id, out)
    pdf_rows = [r for r in rows if r["doc_id"] == "infections-sheet"]
    assert all(isinstance(r["page"], int) for r in pdf_rows)

    code, out, err = run(
        capsys, "remove", "infections-sheet", "--corpus", corpus, "--out", corpus.parent / "index"
    )
    assert code == 0, err
    assert "removed infections-sheet" in out
    assert [e["id"] for e in manifest(corpus)] == ["living-well"]
    assert not (corpus / "infections-sheet.pdf").exists()
    assert not (corpus / "infections-sheet.pdf.txt").exists()
    docs, rows = indexed(corpus)
    assert docs == {"living-well"} and {r["doc_id"] for r in rows} == {"living-well"}


def test_list_says_when_there_is_no_index(capsys, corpus):
    code, out, _ = run(capsys, "list", "--corpus", corpus, "--out", corpus.parent / "none")
    assert code == 0 and "living-well" in out and "not indexed" in out


@pytest.mark.parametrize(
    "case, words",
    [
        ("missing file", "no such file"),
        ("duplicate id", "duplicate id 'living-well'"),
        ("duplicate file", "already in the corpus as 'living-well'"),
        ("bad date", "bad date '03/01/2024'"),
        ("impossible date", "bad date '2024-02-30'"),
        ("future date", "in the future"),
        ("unsupported format", "unsupported format '.docx'"),
        ("empty document", "empty document"),
        ("bad url", "bad url"),
        ("bad citation", "unknown placeholder {year}"),
        ("bad id", "bad id"),
    ],
)
def test_add_refuses_with_one_clear_line(capsys, tmp_path, corpus, samples, case, words):
    path, extra, updated = samples["html"], [], "2024-03-01"
    if case == "missing file":
        path = tmp_path / "nowhere.html"
    elif case == "duplicate id":
        extra = ["--id", "living-well"]
    elif case == "duplicate file":
        path = tmp_path / "copy.md"
        path.write_bytes(samples["markdown"].read_bytes())
    elif case == "bad date":
        updated = "03/01/2024"
    elif case == "impossible date":
        updated = "2024-02-30"
    elif case == "future date":
        updated = "2999-01-01"
    elif case == "unsupported format":
        path = tmp_path / "leaflet.docx"
        path.write_bytes(b"PK\x03\x04 not really a docx")
    elif case == "empty document":
        path = tmp_path / "empty.html"
        path.write_text(EMPTY_HTML, encoding="utf-8")
    elif case == "bad url":
        extra = ["--url", "example.org/no-scheme"]
    elif case == "bad citation":
        extra = ["--citation", "Example. Kidneys. {year}. Accessed {accessed}."]
    elif case == "bad id":
        extra = ["--id", "Not An Id"]
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}
    code, out, err = run(capsys, *add_args(path, corpus, *extra, updated=updated))
    assert code == 2
    assert err.startswith("indexer: error: ") and err.count("\n") == 1, err
    assert words in err, err
    assert "Traceback" not in err and out == ""
    after = {p.name: p.read_bytes() for p in corpus.iterdir() if p.name != library.LOCK_NAME}
    assert after == before  # nothing was copied or recorded


@pytest.mark.parametrize(
    "doc_id, words",
    [
        ("no-such-doc", "no document with id 'no-such-doc'"),
        ("living-well", "it is the only document"),
    ],
)
def test_remove_refuses_with_one_clear_line(capsys, corpus, doc_id, words):
    code, _, err = run(capsys, "remove", doc_id, "--corpus", corpus, "--out", corpus.parent / "i")
    assert code == 2 and err.count("\n") == 1 and words in err, err
    assert [e["id"] for e in manifest(corpus)] == ["living-well"]


def test_a_failed_build_puts_the_corpus_back(monkeypatch, corpus, samples):
    before = {p.name: p.read_bytes() for p in corpus.iterdir()}

    def broken_build(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(library, "_build", broken_build)
    with pytest.raises(RuntimeError, match="disk full"):
        library.add(
            samples["html"],
            title=HTML_TITLE,
            publisher="Example",
            url="https://e.org/k",
            updated="2024-03-01",
            corpus_dir=corpus,
            out_dir=corpus.parent / "index",
        )
    after = {p.name: p.read_bytes() for p in corpus.iterdir() if p.name != library.LOCK_NAME}
    assert after == before


def test_add_plain_text_without_building_cites_the_file_itself(capsys, tmp_path, corpus):
    from indexer.manifest import load_manifest
    from indexer.sources import passages

    leaflet = tmp_path / "Mouth Care Leaflet.TXT"
    leaflet.write_bytes(
        b"Mouth care during treatment\n\nMouth sores\n\nChemotherapy can cause "
        b"painful sores in the mouth. Rinse with salt water four times a day.\r\n"
    )
    code, out, err = run(
        capsys, *add_args(leaflet, corpus, "--no-build", title="Mouth care during treatment")
    )
    assert code == 0, err
    assert "added mouth-care-leaflet" in out and "built index" not in out
    entry = manifest(corpus)[-1]
    assert entry["file"] == "mouth-care-leaflet.txt" and "text_file" not in entry
    doc = next(d for d in load_manifest(corpus) if d.id == "mouth-care-leaflet")
    layout, found = passages(doc)
    assert layout == "plain-text" and doc.cited_file == "mouth-care-leaflet.txt"
    assert [p.section for p in found] == [("Mouth sores",)]
    source = (corpus / doc.file).read_bytes().decode("utf-8")
    assert source == leaflet.read_bytes().decode("utf-8")  # copied byte for byte, CRLF and all
    assert all(source[p.start : p.end] == p.text for p in found)
    assert not (corpus / "mouth-care-leaflet.txt.txt").exists()
