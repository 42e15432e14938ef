"""The JSON API contract and every bad input."""

import pytest

from search_app.display import explains

FIELDS = {
    "id": str,
    "rank": int,
    "score": float,
    "text": str,
    "display_text": str,
    "title": str,
    "section": list,
    "publisher": str,
    "url": str,
    "updated": str,
    "source_file": str,
    "start": int,
    "end": int,
}


def test_search_contract(client, source_texts):
    r = client.get("/api/search", query_string={"q": "what is multiple myeloma", "k": 5})
    assert r.status_code == 200 and r.is_json
    body = r.get_json()
    assert set(body) >= {"query", "results", "confident", "took_ms"}
    assert body["query"] == "what is multiple myeloma"
    assert isinstance(body["confident"], bool) and isinstance(body["took_ms"], (int, float))
    assert len(body["results"]) == 5
    for n, res in enumerate(body["results"], start=1):
        for field, kind in FIELDS.items():
            assert isinstance(res[field], kind), field
        assert res["rank"] == n
        assert all(isinstance(h, str) and h for h in res["section"])
        assert res["source_file"].startswith("corpus/")
        name = res["source_file"].removeprefix("corpus/")
        assert source_texts[name][res["start"] : res["end"]] == res["text"]
        assert explains(res["display_text"], res["text"])
        assert res["updated"] in ("2023-11-17", "2024-04-08")
    scores = [res["score"] for res in body["results"]]
    assert scores == sorted(scores, reverse=True)


@pytest.mark.parametrize("k", [1, 3, 17, 50])
def test_k_is_honoured(client, k):
    body = client.get("/api/search", query_string={"q": "stem cell transplant", "k": k}).get_json()
    assert len(body["results"]) == k
    assert len({r["id"] for r in body["results"]}) == k


def test_default_k_is_ten(client):
    assert len(client.get("/api/search?q=chemotherapy").get_json()["results"]) == 10


def test_health_reports_index_metadata(client):
    body = client.get("/api/health").get_json()
    assert body["status"] == "ok"
    assert body["index"]["model"]["name"] == "all-MiniLM-L6-v2"
    assert body["index"]["passage_count"] > 50


@pytest.mark.parametrize(
    "url, code",
    [
        ("/api/search", "missing_query"),
        ("/api/search?q=", "missing_query"),
        ("/api/search?q=%20%20%09", "missing_query"),
        ("/api/search?k=3", "missing_query"),
        ("/api/search?q=" + "a" * 1001, "query_too_long"),
        ("/api/search?q=myeloma&k=0", "invalid_k"),
        ("/api/search?q=myeloma&k=51", "invalid_k"),
        ("/api/search?q=myeloma&k=-1", "invalid_k"),
        ("/api/search?q=myeloma&k=2.5", "invalid_k"),
        ("/api/search?q=myeloma&k=ten", "invalid_k"),
        ("/api/search?q=myeloma&k=%EF%BC%95", "invalid_k"),  # fullwidth digit
        ("/api/search?q=a%00b", "invalid_query"),
        ("/api/search?q=%ff%fe", "invalid_encoding"),
        ("/api/search?q=caf%C3", "invalid_encoding"),
    ],
)
def test_bad_input_gets_json_400(client, url, code):
    r = client.get(url)
    assert r.status_code == 400 and r.is_json
    err = r.get_json()["error"]
    assert err["code"] == code and isinstance(err["message"], str) and err["message"]
    assert "Traceback" not in r.get_data(as_text=True)


def test_query_at_the_length_limit_is_accepted(client):
    assert client.get("/api/search?q=" + "a" * 1000).status_code == 200


def test_unicode_query_is_fine(client):
    r = client.get("/api/search", query_string={"q": "mieloma múltiple ¿qué es? 🩺"})
    assert r.status_code == 200
    assert r.get_json()["query"] == "mieloma múltiple ¿qué es? 🩺"


def test_unknown_path_is_json_404(client):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "not_found"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_wrong_method_is_json_405(client, method):
    r = getattr(client, method)("/api/search?q=myeloma")
    assert r.status_code == 405 and r.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in r.headers["Allow"]


def test_oversized_body_is_413(client):
    r = client.post("/api/search", data=b"x" * (64 * 1024))
    assert r.status_code in (405, 413) and r.is_json


def test_model_and_index_load_once(app, client, monkeypatch):
    from core import models

    searcher = app.extensions["searcher"]
    calls = []
    monkeypatch.setattr(models, "load_embedder", lambda *a: calls.append(a))
    monkeypatch.setattr("retrieval.index.load_index", lambda *a: calls.append(a))
    for q in ("myeloma", "kidney", "bone pain"):
        assert client.get("/api/search", query_string={"q": q}).status_code == 200
    assert calls == [] and app.extensions["searcher"] is searcher


@pytest.mark.parametrize(
    "query",
    [
        "what is multiple myeloma",
        "wat does refractory mean",
        "ABVD regimen for Hodgkin lymphoma",
        "should my mother do the transplant or wait?",
        "café naïve “quoted” \u2028 tab\there",
    ],
)
def test_search_body_is_byte_for_byte_what_jsonify_writes(client, query):
    import json

    r = client.get("/api/search", query_string={"q": query, "k": 10})
    body = r.get_json()
    expected = json.dumps(body, ensure_ascii=False, separators=(",", ":")) + "\n"
    assert r.data == expected.encode("utf-8")
    assert r.mimetype == "application/json"
