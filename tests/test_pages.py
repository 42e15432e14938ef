"""The HTML pages, through Flask's test client: what a browser without
JavaScript gets (see tests/browser/ for the real browser)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from html import unescape
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import given
from hypothesis import strategies as st

from search_app import citation, textfragment
from search_app.highlight import highlight, query_stems

NCI = "nci-pdq-plasma-cell-neoplasms"
NOTICE = "General information, not medical advice."


def soup(response) -> BeautifulSoup:
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def visible_text(node) -> str:
    return " ".join(node.get_text(" ").split())


@pytest.fixture()
def searcher(app):
    return app.extensions["searcher"]


def patch_result(monkeypatch, searcher, **changes):
    """Real hits from the real searcher, with some fields of the result forced."""
    real = searcher.search

    def search(query, k=10, sources=None):
        return dataclasses.replace(real(query, k, sources), **changes)

    monkeypatch.setattr(searcher, "search", search)


# --- every page ------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/search?q=myeloma", f"/passages/{NCI}-002", "/no-such-page"])
def test_every_page_has_landmarks_notice_and_only_local_resources(client, url):
    r = client.get(url)
    page = soup(r)
    for landmark in ("header", "main", "footer"):
        assert page.find(landmark) is not None, landmark
    assert page.find("a", class_="skip-link")["href"] == "#main" and page.find(id="main")
    notice = visible_text(page.find("aside", class_="notice"))
    assert NOTICE in notice and "Talk to your care team" in notice
    assert "National Cancer Institute" in notice and "American Cancer Society" in notice
    label = page.find("label", attrs={"for": "q"})
    assert label and page.find("input", id="q")["name"] == "q"
    assert page.find("form", role="search")["action"] == "/search"
    for tag in page.find_all(["script", "link", "img"]):
        ref = tag.get("src") or tag.get("href")
        assert ref is None or ref.startswith("/static/"), ref
    assert "'self'" in r.headers["Content-Security-Policy"]
    assert "http" not in r.headers["Content-Security-Policy"]


def test_static_files_are_served_by_the_app(client):
    assert client.get("/static/site.css").mimetype == "text/css"
    assert b"clipboard" in client.get("/static/copy.js").data


# --- results -----------------------------------------------------------------


def test_results_show_highlights_breadcrumbs_source_and_date(client, index):
    page = soup(client.get("/search", query_string={"q": "can myeloma damage my kidneys"}))
    results = page.select("ol.results > li > article.result")
    assert len(results) == 10
    marked = {m.get_text().lower() for m in page.select("article.result mark")}
    assert {"kidneys", "myeloma"} <= marked
    assert marked <= {
        "myeloma",
        "myelomas",
        "kidney",
        "kidneys",
        "damage",
        "damaged",
        "damages",
        "damaging",
    }
    for article in results:
        crumbs = [visible_text(li) for li in article.select("nav.breadcrumb li")]
        text_link = article.select_one("a.source-link")["href"]
        doc = next(
            d for d in index.documents.values() if text_link.startswith(d["url"] + "#:~:text=")
        )
        assert crumbs[0] == doc["title"] and len(crumbs) >= 2
        source = visible_text(article.select_one(".source"))
        assert doc["publisher"] in source and doc["title"] in source
        assert article.select_one(".source time")["datetime"] == doc["updated"]
        context = article.select_one("a.context-link")["href"]
        passage = index.passages[
            [p["id"] for p in index.passages].index(context.split("/")[2].split("?")[0])
        ]
        assert crumbs[1:] == list(passage["section"])
        # The quoted text is the passage, character for character.
        assert article.select_one("blockquote.passage p").get_text() == passage["text"]


def test_query_markup_is_shown_as_text(client):
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)> myeloma &amp;'
    r = client.get("/search", query_string={"q": evil})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<script>alert" not in html and "<img src=x" not in html
    page = soup(r)
    assert page.select_one("q.user-query").get_text() == evil
    assert page.find("input", id="q")["value"] == evil
    assert evil in page.title.get_text()
    assert not page.find("img") and all(s.get("src") for s in page.find_all("script"))


def test_not_confident_warns_and_still_offers_passages(client, searcher, monkeypatch):
    patch_result(monkeypatch, searcher, confident=False)
    page = soup(client.get("/search?q=myeloma"))
    warning = visible_text(page.select_one(".message.warning"))
    assert "Nothing in the library clearly answers this question" in warning
    assert "rephras" in warning.lower()
    assert len(page.select("article.result")) == 10


def test_confident_results_carry_no_warning(client, searcher, monkeypatch):
    patch_result(monkeypatch, searcher, confident=True)
    page = soup(client.get("/search?q=myeloma"))
    assert page.select_one(".message.warning") is None and page.select("article.result")


def test_spelling_correction_is_announced_and_highlighted(client, searcher, monkeypatch):
    patch_result(monkeypatch, searcher, corrected_query="myeloma <kidney>")
    page = soup(client.get("/search?q=mylema kidny"))
    said = visible_text(page.select_one(".corrected"))
    assert said == "Showing results for myeloma <kidney> ."
    assert page.select_one("q.user-query").get_text() == "mylema kidny"
    assert "myeloma" in {m.get_text().lower() for m in page.select("mark")}


def test_no_correction_no_announcement(client, searcher, monkeypatch):
    patch_result(monkeypatch, searcher, corrected_query=None)
    assert soup(client.get("/search?q=myeloma")).select_one(".corrected") is None


def test_copy_citation_text(client, index):
    before = dt.date.today()
    page = soup(client.get("/search?q=what is multiple myeloma"))
    after = dt.date.today()
    article = next(
        a
        for a in page.select("article.result")
        if a.select_one("a.source-link")["href"].startswith("https://www.cancer.gov/")
    )
    box = article.select_one("textarea.citation")
    button = article.select_one("button.copy-button")
    assert button["data-copy-target"] == box["id"]
    assert page.find("label", attrs={"for": box["id"]}) is not None
    text = box.get_text()
    passage_text = article.select_one("blockquote.passage p").get_text()
    assert text.startswith("\u201c" + passage_text + "\u201d\n")
    accessed = {d.strftime("%m/%d/%Y") for d in (before, after)}
    assert any(
        text.endswith(
            "PDQ® Adult Treatment Editorial Board. PDQ Plasma Cell Neoplasms (Including Multiple "
            "Myeloma) Treatment. Bethesda, MD: National Cancer Institute. Updated 11/17/2023. "
            "Available at: https://www.cancer.gov/types/myeloma/patient/myeloma-treatment-pdq. "
            f"Accessed {a}. [PMID: 26389437]"
        )
        for a in accessed
    )


# --- friendly errors ----------------------------------------------------------


@pytest.mark.parametrize(
    "url, says",
    [
        ("/search", "Please type a question"),
        ("/search?q=", "Please type a question"),
        ("/search?q=%20%20%09", "Please type a question"),
        ("/search?q=" + "a" * 1001, "longer than 1,000 characters"),
        ("/search?q=a%00b", "could not read"),
        ("/search?q=%ff%fe", "could not read"),
    ],
)
def test_bad_queries_get_a_friendly_page(client, url, says):
    r = client.get(url)
    assert r.status_code == 400 and not r.is_json
    page = soup(r)
    assert says in visible_text(page.select_one("[role=alert]"))
    assert page.select("article.result") == []
    assert "Traceback" not in r.get_data(as_text=True)


def test_a_too_long_query_is_given_back_to_edit(client):
    page = soup(client.get("/search?q=" + "b" * 1001))
    assert page.find("input", id="q")["value"] == "b" * 1001


@pytest.mark.parametrize("url", ["/passages/no-such-passage", "/nothing/here", "/passages/"])
def test_unknown_page_is_a_friendly_404(client, url):
    r = client.get(url)
    assert r.status_code == 404 and not r.is_json
    assert "could not find" in visible_text(soup(r).find("main"))


def test_wrong_method_on_a_page_is_html_405(client):
    r = client.post("/search?q=myeloma")
    assert r.status_code == 405 and not r.is_json and "GET" in r.headers["Allow"]


def test_api_errors_stay_json(client):
    assert client.get("/api/search?q=").get_json()["error"]["code"] == "missing_query"
    assert client.get("/api/nope").get_json()["error"]["code"] == "not_found"


# --- a passage in context ------------------------------------------------------


def _same_section(a, b):
    return a["doc_id"] == b["doc_id"] and a["section"] == b["section"]


def test_passage_page_shows_the_text_around_it(client, index):
    ps = index.passages
    n = next(
        i
        for i in range(1, len(ps) - 1)
        if _same_section(ps[i - 1], ps[i]) and _same_section(ps[i], ps[i + 1])
    )
    page = soup(client.get(f"/passages/{ps[n]['id']}?q=treatment"))
    assert page.select_one(".context-before p").get_text() == ps[n - 1]["text"]
    assert page.select_one(".context-after p").get_text() == ps[n + 1]["text"]
    assert page.select_one("blockquote.passage p").get_text() == ps[n]["text"]
    crumbs = [visible_text(li) for li in page.select("nav.breadcrumb li")]
    assert crumbs[1:] == ps[n]["section"]
    assert page.select_one("textarea.citation").get_text().startswith("\u201c" + ps[n]["text"])
    back = page.select_one("a.back-link")
    assert back["href"] == "/search?q=treatment" and "treatment" in visible_text(back)


def test_passage_page_never_borrows_from_another_section(client, index):
    ps = index.passages
    n = next(i for i in range(1, len(ps)) if not _same_section(ps[i - 1], ps[i]))
    page = soup(client.get(f"/passages/{ps[n]['id']}"))
    assert page.select_one(".context-before") is None
    assert page.select_one("blockquote.passage p").get_text() == ps[n]["text"]


# --- the pieces ------------------------------------------------------------------


def test_highlight_escapes_before_marking():
    html = highlight('a <b>kidney</b> & "the" kidneys\'', query_stems("the Kidney"))
    assert str(html) == (
        "a &lt;b&gt;<mark>kidney</mark>&lt;/b&gt; &amp; &#34;the&#34; <mark>kidneys</mark>&#39;"
    )


def test_highlight_marks_stems_but_not_stopwords():
    stems = query_stems("what is the treatment for myeloma?")
    html = str(highlight("The treatments for multiple myeloma: treating it.", stems))
    assert html == ("The <mark>treatments</mark> for multiple <mark>myeloma</mark>: treating it.")


@given(st.text(max_size=200), st.text(max_size=40))
def test_highlight_never_lets_markup_through(text, query):
    html = str(highlight(text, query_stems(query)))
    stripped = html.replace("<mark>", "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert unescape(stripped) == text


def test_nci_citation_in_its_own_format(index):
    doc = index.documents[NCI]
    text = citation.citation(doc, "%m/%d/%Y", dt.date(2026, 3, 4))
    assert "Updated 11/17/2023." in text and "Accessed 03/04/2026." in text
    assert "{" not in text and text.startswith("PDQ® Adult Treatment Editorial Board.")


def test_text_fragment_escapes_dashes_commas_and_ampersands():
    frag = textfragment.fragment(
        "Non-Hodgkin, lymphoma & more words here and then the end-of-it.", 3
    )
    start, end = frag.removeprefix("#:~:text=").split(",")
    assert start == "Non%2DHodgkin%2C%20lymphoma%20%26"  # a lone "&" is real text
    assert end == "then%20the%20end%2Dof%2Dit."


def test_text_fragment_skips_detached_punctuation():
    frag = textfragment.fragment(
        ". bone marrow . Normally the B cells change into plasma cells .", 4
    )
    start, end = frag.removeprefix("#:~:text=").split(",")
    assert unquote(start) == "bone marrow" and unquote(end) == "change into plasma cells"


@given(
    st.lists(st.from_regex(r"[A-Za-z][A-Za-z,&.-]{0,8}", fullmatch=True), min_size=1, max_size=30)
)
def test_text_fragment_is_the_passage_ends(words):
    text = " ".join(words)
    frag = textfragment.fragment(text, 4)
    parts = frag.removeprefix("#:~:text=").split(",")
    assert all(re.fullmatch(r"[A-Za-z0-9%._~]+", p) for p in parts)  # nothing unescaped
    decoded = [unquote(p) for p in parts]
    assert text.startswith(decoded[0])
    assert text.endswith(decoded[-1])


def test_source_link_keeps_the_url(index):
    p = index.passages[0]
    doc = index.documents[p["doc_id"]]
    link = textfragment.link(doc["url"], p["text"], 4)
    assert urlsplit(link)._replace(fragment="").geturl() == doc["url"]
    assert urlsplit(link).fragment.startswith(":~:text=")
