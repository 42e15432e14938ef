"""GET /api/sources and the source= filter, over the real index and a mixed-format one."""

import hashlib
import json
from pathlib import Path

import pytest
from ingest_samples import (
    HTML_TITLE,
    MARKDOWN_TITLE,
    PDF_TITLE,
    make_corpus,
    normalise,
    strip_markup,
    write_samples,
)

NCI = "nci-pdq-plasma-cell-neoplasms"
ACS = "acs-multiple-myeloma-treatment-options"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """An app over HTML, Markdown and PDF documents, and the corpus they came from."""
    from indexer.build import build
    from search_app import create_app

    root = tmp_path_factory.mktemp("mixed")
    samples = write_samples(root / "in")
    corpus = make_corpus(
        root / "corpus",
        [
            ("kidneys", samples["html"], HTML_TITLE),
            ("living-well", samples["markdown"], MARKDOWN_TITLE),
            ("infections", samples["pdf"], PDF_TITLE),
        ],
    )
    build(corpus, root / "index", progress=False)
    app = create_app(
        {
            "INDEX_DIR": str(root / "index"),
            "CORPUS_DIR": str(corpus),
            "TESTING": True,
            "RATELIMIT_ENABLED": False,
        }
    )
    return app.test_client(), corpus


def test_sources_lists_documents_with_metadata_and_passage_counts(client, index):
    r = client.get("/api/sources")
    assert r.status_code == 200 and r.is_json
    sources = r.get_json()["sources"]
    assert [s["id"] for s in sources] == [NCI, ACS]
    for s in sources:
        doc = index.documents[s["id"]]
        for field in ("title", "publisher", "url", "updated", "citation", "file"):
            assert s[field] == doc[field], field
        assert s["passages"] == sum(p["doc_id"] == s["id"] for p in index.passages) > 0
    assert sum(s["passages"] for s in sources) == len(index.passages)


@pytest.mark.parametrize("source", [ACS, NCI])
def test_search_filtered_to_one_source(client, source):
    body = client.get(
        "/api/search", query_string={"q": "treatment of myeloma", "k": 8, "source": source}
    ).get_json()
    assert len(body["results"]) == 8
    assert {r["id"].rsplit("-", 1)[0] for r in body["results"]} == {source}


def test_several_sources_comma_separated_or_repeated(client):
    both = client.get(f"/api/search?q=kidney+damage&k=20&source={ACS},{NCI}").get_json()
    repeated = client.get(f"/api/search?q=kidney+damage&k=20&source={ACS}&source={NCI}").get_json()
    unfiltered = client.get("/api/search?q=kidney+damage&k=20").get_json()
    ids = [r["id"] for r in unfiltered["results"]]
    assert [r["id"] for r in both["results"]] == ids == [r["id"] for r in repeated["results"]]


@pytest.mark.parametrize(
    "url, code",
    [
        ("/api/search?q=myeloma&source=no-such-doc", "unknown_source"),
        (f"/api/search?q=myeloma&source={ACS},no-such-doc", "unknown_source"),
        ("/api/search?q=myeloma&source=", "invalid_source"),
        (f"/api/search?q=myeloma&source={ACS},,{NCI}", "invalid_source"),
        ("/api/search?q=myeloma&source=%3Cscript%3Ealert(1)%3C/script%3E", "unknown_source"),
        ("/api/search?q=myeloma&source=" + ",".join(["x"] * 101), "invalid_source"),
    ],
)
def test_bad_source_is_a_json_400(client, url, code):
    r = client.get(url)
    assert r.status_code == 400 and r.is_json
    assert r.get_json()["error"]["code"] == code
    assert "Traceback" not in r.get_data(as_text=True)


@pytest.mark.integration
def test_mixed_formats_are_listed_and_searchable(mixed):
    client, corpus = mixed
    sources = {s["id"]: s for s in client.get("/api/sources").get_json()["sources"]}
    assert set(sources) == {"kidneys", "living-well", "infections"}
    assert sources["infections"]["file"] == "infections.pdf"
    assert sources["infections"]["text_file"] == "infections.pdf.txt"
    assert all(s["passages"] > 0 for s in sources.values())
    for source, query in [
        ("kidneys", "can myeloma damage my kidneys"),
        ("living-well", "is walking good for tiredness"),
        ("infections", "should I get a flu jab"),
    ]:
        body = client.get("/api/search", query_string={"q": query, "k": 1}).get_json()
        assert body["results"][0]["id"].startswith(source), (query, body["results"][0])


def test_every_citation_re_reads_from_its_files(mixed):
    client, corpus = mixed
    seen = set()
    for q in ("kidneys and infections", "exercise, bones and vaccines"):
        for r in client.get("/api/search", query_string={"q": q, "k": 30}).get_json()["results"]:
            layer = Path(r["source_file"]).read_bytes().decode("utf-8")
            assert layer[r["start"] : r["end"]] == r["text"], r["id"]
            doc = r["id"].rsplit("-", 1)[0]
            seen.add(doc)
            if doc == "kidneys":
                original = Path(r["original_file"]).read_bytes().decode("utf-8")
                raw = original[r["original_start"] : r["original_end"]]
                assert strip_markup(raw) == normalise(r["text"]), r["id"]
            if doc == "infections":
                assert r["page"] in (1, 2) and "original_file" not in r
            if doc == "living-well":
                assert Path(r["original_file"]).name == "living-well.md"
    assert seen == {"kidneys", "living-well", "infections"}


def test_index_records_the_originals_not_their_text_layers(mixed):
    client, corpus = mixed
    recorded = client.get("/api/health").get_json()["index"]["corpus"]
    assert set(recorded) == {"kidneys.html", "living-well.md", "infections.pdf"}
    for name, digest in recorded.items():
        assert hashlib.sha256((corpus / name).read_bytes()).hexdigest() == digest
    manifest = json.loads((corpus / "manifest.json").read_text())
    assert {d["file"] for d in manifest["documents"]} == set(recorded)
