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

from core import settings
from search_app import citation, textfragment
from search_app.display import readable
from search_app.highlight import highlight, passage_html, query_stems

NCI = "nci-pdq-plasma-cell-neoplasms"
NOTICE = "General information, not medical advice."


def soup(response) -> BeautifulSoup:
    assert response.mimetype == "text/html"
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def visible_text(node) -> str:
    return " ".join(node.get_text(" ").split())


def solid(text: str) -> str:
    """Text without its whitespace: what display repairs never change."""
    return "".join(text.split())


def quoted_text(article) -> str:
    """The passage as quoted in a result, folded lead-in included, without the
    control that unfolds it."""
    quote = BeautifulSoup(str(article.select_one("blockquote.passage")), "html.parser")
    for summary in quote.select("summary"):
        summary.decompose()
    return quote.get_text()


@pytest.fixture()
def searcher(app):
    return app.extensions["searcher"]


def patch_result(monkeypatch, searcher, **changes):
    """Real hits from the real searcher, with some fields of the result forced."""
    real = searcher.search

    def search(query, k=10, sources=None, **kwargs):
        return dataclasses.replace(real(query, k, sources, **kwargs), **changes)

    monkeypatch.setattr(searcher, "search", search)


# --- every page ------------------------------------------------------------


@pytest.mark.parametrize("url", ["/", "/search?q=myeloma", f"/passages/{NCI}-002", "/no-such-page"])
def test_every_page_has_landmarks_notice_and_only_local_resources(client, url):
    r = client.get(url)
    page = soup(r)
    for landmark in ("header", "main", "footer"):
        assert page.find(landmark) is not None, landmark
    assert page.find("a", class_="skip-link")["href"] == "#main" and page.find(id="main")
    notice = " ".join(page.find("aside", class_="notice").get_text().split())
    assert NOTICE in notice and "Talk to your care team" in notice
    assert "National Cancer Institute (updated November 17, 2023)" in notice
    assert "American Cancer Society (updated April 8, 2024)" in notice
    # Landmarks of one kind each have a name of their own.
    named = page.select("nav, aside, form[role=search], section[aria-label]")
    names = [n.get("aria-label") for n in named]
    assert all(names) and len(names) == len(set(names)), names
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


def _passage(index, article):
    context = article.select_one("a.context-link")["href"]
    passage_id = context.split("/")[2].split("?")[0]
    return next(p for p in index.passages if p["id"] == passage_id)


def test_results_show_headings_marks_source_and_date(client, index):
    page = soup(client.get("/search", query_string={"q": "can myeloma damage my kidneys"}))
    results = page.select("ol.results > li > article.result")
    assert len(results) == 10
    assert visible_text(page.select_one("p.count")) == "10 passages, best first"
    marked = {m.get_text().lower() for m in page.select("article.result mark.term")}
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
        passage = _passage(index, article)
        doc = index.documents[passage["doc_id"]]
        # Each result is named by its own heading: the section path.
        heading = article.select_one("h2.result-title")
        assert article["aria-labelledby"] == heading["id"]
        assert visible_text(heading.select_one(".leaf")) == passage["section"][-1]
        parents = [visible_text(heading)] if passage["section"][:-1] else []
        assert all(all(h in p for h in passage["section"]) for p in parents)
        assert article.select_one("a.source-link")["href"].startswith(doc["url"] + "#:~:text=")
        source = visible_text(article.select_one(".source"))
        assert doc["publisher"] in source and doc["title"] in source
        assert article.select_one(".source time")["datetime"] == doc["updated"]
        # The quoted text is the passage: the same characters, whitespace repaired.
        shown = quoted_text(article)
        assert solid(shown) == solid(passage["text"])
        assert " ." not in " ".join(shown.split())


def test_the_answer_is_marked_in_the_first_result(client, index):
    q = {"q": "what is smoldering myeloma"}
    body = client.get("/api/search", query_string=q).get_json()
    assert body["confident"] and body["answer"]
    page = soup(client.get("/search", query_string=q))
    first = page.select("article.result")[0]
    assert "has-answer" in first["class"] and len(page.select("article.has-answer")) == 1
    assert first.select_one("h2 .badge").get_text() == "Answer:"
    marks = first.select("mark.answer")
    assert marks and page.select("mark.answer") == marks  # only in the first result
    assert solid("".join(m.get_text() for m in marks)) == solid(body["answer"]["text"])
    # Query words are marked only inside the answer there, and nowhere else in it.
    assert all(m.find_parent("mark", class_="answer") for m in first.select("mark.term"))
    assert _passage(index, first)["id"] == body["answer"]["id"]


def test_a_long_lead_in_is_folded_and_the_answer_stays_whole():
    display = readable(
        "First sentence here. " * 30 + "The answer is this sentence. And then more text."
    )
    start = display.index("The answer")
    span = (start, start + len("The answer is this sentence."))
    from search_app.views import LEAD_CHARS, lead_in_cut

    cut = lead_in_cut(display, span)
    assert 0 < cut <= start and start - cut <= LEAD_CHARS
    assert display[cut:].startswith("First sentence here.")  # at a sentence start
    shown = str(passage_html(display, frozenset(), answer=span, lo=cut))
    folded = str(passage_html(display, frozenset(), hi=cut))
    assert '<mark class="answer">The answer is this sentence.</mark>' in shown
    assert solid(BeautifulSoup(folded + shown, "html.parser").get_text()) == solid(display)
    assert lead_in_cut("Short. The answer.", (7, 18)) == 0  # nothing folded


def test_lists_are_lists_on_the_page():
    html = str(
        passage_html(
            readable("You may have the following: Bone pain. Fever. Then a sentence is here."),
            frozenset(),
        )
    )
    assert html == (
        "<p>You may have the following:</p>"
        '<ul class="items"><li>Bone pain.</li><li>Fever.</li></ul>'
        "<p>Then a sentence is here.</p>"
    )


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


NEXT_STEPS = ("care team", "1-800-4-CANCER (1-800-422-6237)", "LiveHelp", "1-800-227-2345")


@pytest.mark.parametrize(
    "reason, not_covered, says",
    [
        (None, [], "Nothing in them clearly answers your question."),
        ("no_clear_answer", [], "Nothing in them clearly answers your question."),
        ("care_team", [], "a question for your care team"),
        ("not_covered", ["breast cancer"], "They do not cover breast cancer"),
    ],
)
def test_not_confident_says_why_and_what_next(
    client, searcher, monkeypatch, reason, not_covered, says
):
    patch_result(
        monkeypatch, searcher, confident=False, answer=None, reason=reason, not_covered=not_covered
    )
    page = soup(client.get("/search?q=myeloma"))
    warning = visible_text(page.select_one(".message.not-sure"))
    assert says in warning
    assert all(step in warning for step in NEXT_STEPS)
    assert page.select_one('a[href="tel:+18004226237"]') and page.select_one(
        'a[href="tel:+18002272345"]'
    )
    closest = page.select_one("details.closest")
    assert closest is not None and closest.get("open") is None  # folded until asked for
    assert visible_text(closest.select_one("summary")) == "Show the closest passages (10)"
    assert len(closest.select("article.result")) == 10
    assert page.select("article.result") == closest.select("article.result")
    assert page.select_one("mark.answer") is None and page.select_one("p.count") is None


def test_confident_results_carry_no_warning(client, searcher, monkeypatch):
    patch_result(monkeypatch, searcher, confident=True)
    page = soup(client.get("/search?q=myeloma"))
    assert page.select_one(".message.warning") is None and page.select("article.result")


def test_spelling_correction_is_announced_with_the_way_back(client, searcher, monkeypatch):
    patch_result(monkeypatch, searcher, corrected_query="myeloma <kidney>")
    page = soup(client.get("/search?q=mylema kidny&source=" + NCI))
    assert visible_text(page.select_one("h1")) == "Results for myeloma <kidney>"
    assert visible_text(page.select_one(".corrected")).startswith("Spelling corrected.")
    instead = page.select_one("a.search-instead")
    assert instead.select_one("q.user-query").get_text() == "mylema kidny"
    assert instead["href"] == f"/search?q=mylema+kidny&spell=0&source={NCI}"
    assert "myeloma" in {m.get_text().lower() for m in page.select("mark")}


def test_spell_0_searches_as_typed(client):
    corrected = client.get("/api/search?q=mylema+kidny").get_json()
    assert corrected["corrected_query"]
    as_typed = client.get("/api/search?q=mylema+kidny&spell=0").get_json()
    assert "corrected_query" not in as_typed
    page = soup(client.get("/search?q=mylema+kidny&spell=0"))
    assert page.select_one(".corrected") is None
    assert page.select_one("q.user-query").get_text() == "mylema kidny"
    assert client.get("/api/search?q=x&spell=no").get_json()["error"]["code"] == "invalid_spell"


def test_the_source_filter_narrows_results(client, index):
    page = soup(client.get("/search?q=stem cell transplant"))
    choices = page.select("nav.source-filter a")
    labels = [visible_text(a) for a in choices]
    assert labels == ["All sources", "National Cancer Institute", "American Cancer Society"]
    assert choices[0]["aria-current"] == "page"
    acs = next(d for d in index.documents if d.startswith("acs-"))
    narrowed = soup(client.get(choices[2]["href"]))
    assert narrowed.select_one('nav.source-filter a[aria-current="page"]').get_text() == labels[2]
    results = narrowed.select("article.result")
    assert results and all(_passage(index, a)["doc_id"] == acs for a in results)
    # The box keeps the filter for the next question.
    assert narrowed.select_one("form[role=search] input[name=source]")["value"] == acs


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
    passage = _passage(index, article)
    # The readable text is quoted, and the link finds the exact passage at the source.
    assert text.startswith("\u201c" + readable(passage["text"]) + "\u201d\n")
    link = article.select_one("a.source-link")["href"]
    assert f"\nPassage at the source: {link}\n" in text
    assert link == textfragment.link(
        index.documents[NCI]["url"], passage["text"], settings.TEXT_FRAGMENT_WORDS
    )
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
    printed = visible_text(article.select_one(".print-citation"))
    assert printed.startswith("Cite as: PDQ® Adult Treatment Editorial Board.") and link in printed


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
        ("/search?q=myeloma&spell=2", "search again with the box"),
        ("/search?q=myeloma&source=nope", "not in the library"),
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
    assert solid(page.select_one(".context-before").get_text()) == solid(ps[n - 1]["text"])
    assert solid(page.select_one(".context-after").get_text()) == solid(ps[n + 1]["text"])
    assert solid(quoted_text(page.select_one("article.result"))) == solid(ps[n]["text"])
    assert visible_text(page.select_one("h2.result-title .leaf")) == ps[n]["section"][-1]
    quote = "\u201c" + readable(ps[n]["text"])
    assert page.select_one("textarea.citation").get_text().startswith(quote)
    back = page.select_one("a.back-link")
    assert back["href"] == "/search?q=treatment" and "treatment" in visible_text(back)


def test_passage_page_never_borrows_from_another_section(client, index):
    ps = index.passages
    n = next(i for i in range(1, len(ps)) if not _same_section(ps[i - 1], ps[i]))
    page = soup(client.get(f"/passages/{ps[n]['id']}"))
    assert page.select_one(".context-before") is None
    assert solid(quoted_text(page.select_one("article.result"))) == solid(ps[n]["text"])


# --- the pieces ------------------------------------------------------------------


def test_highlight_escapes_before_marking():
    html = highlight('a <b>kidney</b> & "the" kidneys\'', query_stems("the Kidney"))
    assert str(html) == (
        'a &lt;b&gt;<mark class="term">kidney</mark>&lt;/b&gt; &amp; &#34;the&#34; '
        '<mark class="term">kidneys</mark>&#39;'
    )


def test_highlight_marks_stems_but_not_stopwords():
    stems = query_stems("what is the treatment for myeloma?")
    html = str(highlight("The treatments for multiple myeloma: treating it.", stems))
    assert html == (
        'The <mark class="term">treatments</mark> for multiple '
        '<mark class="term">myeloma</mark>: treating it.'
    )


@given(st.text(max_size=200), st.text(max_size=40))
def test_highlight_never_lets_markup_through(text, query):
    html = str(highlight(text, query_stems(query)))
    stripped = html.replace('<mark class="term">', "").replace("</mark>", "")
    assert "<" not in stripped and ">" not in stripped
    assert unescape(stripped) == text


@given(st.text(max_size=120), st.text(max_size=20), st.data())
def test_passage_html_never_lets_markup_through(text, query, data):
    display = readable(text)
    start = data.draw(st.integers(0, len(display)))
    span = (start, data.draw(st.integers(start, len(display))))
    html = str(passage_html(display, query_stems(query), answer=span))
    stripped = re.sub(
        r'</?(?:p|ul|li)>|<ul class="items">|<mark class="(?:term|answer)">|</mark>', "", html
    )
    assert "<" not in stripped and ">" not in stripped
    assert solid(unescape(stripped)) == solid(display)


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
