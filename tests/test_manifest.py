import json

import pytest
from conftest import CORPUS_DIR

from indexer.manifest import ManifestError, load_manifest

GOOD = {
    "id": "doc-one",
    "file": "doc.txt",
    "title": "A title",
    "publisher": "A publisher",
    "url": "https://example.org/doc",
    "updated": "2024-01-31",
    "citation": "A publisher. A title. Accessed {accessed}.",
}


def write(tmp_path, entries, make_file=True):
    if make_file:
        (tmp_path / "doc.txt").write_text("Heading\n\nSome text here.\n", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({"documents": entries}), encoding="utf-8")
    return tmp_path


def test_real_manifest_is_complete():
    docs = load_manifest(CORPUS_DIR)
    assert {d.id for d in docs} == {
        "nci-pdq-plasma-cell-neoplasms",
        "acs-multiple-myeloma-treatment-options",
    }
    nci = next(d for d in docs if d.publisher.startswith("National Cancer Institute"))
    assert nci.updated == "2023-11-17"
    assert "PMID: 26389437" in nci.citation and "{accessed}" in nci.citation


@pytest.mark.parametrize(
    "field", ["id", "file", "title", "publisher", "url", "updated", "citation"]
)
def test_missing_field_is_refused_and_named(tmp_path, field):
    entry = {k: v for k, v in GOOD.items() if k != field}
    with pytest.raises(ManifestError) as err:
        load_manifest(write(tmp_path, [GOOD | {"id": "fine"}, entry]))
    assert f"missing field '{field}'" in str(err.value)
    assert "entry 2" in str(err.value)
    if field != "id":
        assert "doc-one" in str(err.value)


def test_blank_field_counts_as_missing(tmp_path):
    with pytest.raises(ManifestError, match="'title'"):
        load_manifest(write(tmp_path, [GOOD | {"title": "   "}]))


def test_missing_file_is_refused_and_named(tmp_path):
    with pytest.raises(ManifestError, match=r"'doc-one'.*file not found: nowhere.txt"):
        load_manifest(write(tmp_path, [GOOD | {"file": "nowhere.txt"}]))


def test_bad_date_and_duplicate_id(tmp_path):
    with pytest.raises(ManifestError, match="ISO date"):
        load_manifest(write(tmp_path, [GOOD | {"updated": "17/11/2023"}]))
    with pytest.raises(ManifestError, match="duplicate id"):
        load_manifest(write(tmp_path, [GOOD, GOOD]))


def test_file_outside_corpus_is_refused(tmp_path):
    with pytest.raises(ManifestError, match="inside the corpus"):
        load_manifest(write(tmp_path, [GOOD | {"file": "../etc/passwd"}]))


def test_indexer_cli_reports_bad_manifest(tmp_path, capsys):
    from indexer.__main__ import main

    write(tmp_path, [GOOD | {"publisher": ""}])
    assert (
        main(["build", "--corpus", str(tmp_path), "--out", str(tmp_path / "idx"), "--quiet"]) == 2
    )
    assert "missing field 'publisher'" in capsys.readouterr().err
    assert not (tmp_path / "idx" / "current").exists()
