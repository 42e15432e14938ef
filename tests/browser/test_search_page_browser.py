"""The search page in headless Chromium: what a patient or a staff member does.

Each step waits for the next page by what is on it, never by a clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from urllib.parse import unquote, urlencode, urlsplit
from urllib.request import urlopen

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

QUESTION = "can myeloma damage my kidneys"
# Two questions the library answers; the second is the one in docs/ screenshots.
ANSWERED = [QUESTION, "what happens in a stem cell transplant"]
NCI_URL = "https://www.cancer.gov/types/myeloma/patient/myeloma-treatment-pdq"
WAIT = 120  # an upper bound for a slow shared machine; nothing asserts on time


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def text_of(element) -> str:
    return element.get_attribute("textContent")


def next_page(driver, act) -> None:
    """Do `act`, then wait until a new document has replaced the current one, or
    the browser has brought an earlier one back from its back/forward cache."""
    driver.execute_script(
        "document.documentElement.dataset.stale = '1';"
        "addEventListener('pageshow', e => {"
        "  if (e.persisted) delete document.documentElement.dataset.stale; });"
    )
    act()
    WebDriverWait(driver, WAIT).until(
        lambda d: d.execute_script(
            "return document.readyState === 'complete' && !document.documentElement.dataset.stale"
        ),
        "the next page never loaded",
    )


def type_and_submit(driver, text: str) -> None:
    box = driver.find_element(By.ID, "q")
    box.clear()
    box.send_keys(text)
    next_page(driver, lambda: box.send_keys(Keys.ENTER))


def capture_clipboard(driver) -> None:
    """Record what the page writes to the clipboard, instead of the OS clipboard."""
    driver.execute_script(
        "window.__copied = [];"
        "Object.defineProperty(navigator.clipboard, 'writeText', {configurable: true,"
        " value: function (t) { window.__copied.push(t); return Promise.resolve(); }});"
    )


def today_range(before: dt.date, after: dt.date) -> set[str]:
    return {d.strftime("%m/%d/%Y") for d in (before, after)}


@pytest.fixture()
def home(browser, live_url):
    browser.get(live_url + "/")
    return browser


@pytest.fixture()
def results(home):
    type_and_submit(home, QUESTION)
    return home


def test_typing_a_question_shows_results(home, output_dir, index):
    assert home.switch_to.active_element.get_attribute("id") == "q"  # autofocus
    assert home.find_element(By.CSS_SELECTOR, "label[for=q]").is_displayed()
    type_and_submit(home, QUESTION)
    assert urlsplit(home.current_url).path == "/search"
    assert home.find_element(By.ID, "q").get_attribute("value") == QUESTION
    notice = home.find_element(By.CSS_SELECTOR, "aside.notice")
    assert notice.is_displayed()
    assert "not medical advice" in notice.text and "Talk to your care team" in notice.text
    assert "(updated November 17, 2023)" in notice.text

    articles = css(home, "ol.results article.result")
    assert len(articles) == 10 and all(a.is_displayed() for a in articles)
    assert home.find_element(By.CSS_SELECTOR, "p.count").text == "10 passages, best first"
    marks = {m.text.lower() for m in css(home, "blockquote.passage mark.term")}
    assert {"myeloma", "kidneys"} <= marks
    for article in articles:  # each result has a heading of its own, naming it
        heading = article.find_element(By.CSS_SELECTOR, "h2.result-title")
        assert heading.is_displayed() and heading.text
        assert article.get_attribute("aria-labelledby") == heading.get_attribute("id")
    first = articles[0]
    source = first.find_element(By.CSS_SELECTOR, "p.source").text
    assert re.search(r"Last updated \w+ \d{1,2}, \d{4}\.", source)
    link = first.find_element(By.CSS_SELECTOR, "a.source-link").get_attribute("href")
    assert "#:~:text=" in link and link.split("#")[0] in {
        d["url"] for d in index.documents.values()
    }


def api(driver, live_url, query: str, **params) -> dict:
    """What /api/search says for the same question (fetched here: the page's own
    Content Security Policy allows it no fetches)."""
    url = live_url + "/api/search?" + urlencode({"q": query, **params})
    with urlopen(url, timeout=WAIT) as response:
        return json.load(response)


def passage_of(index, article) -> dict:
    href = article.find_element(By.CSS_SELECTOR, "a.context-link").get_attribute("href")
    passage_id = urlsplit(href).path.rsplit("/", 1)[1]
    return next(p for p in index.passages if p["id"] == passage_id)


@pytest.mark.parametrize("question", ANSWERED)
def test_the_answer_is_highlighted_and_is_the_apis_answer(
    browser, live_url, index, output_dir, question
):
    results = browser
    results.get(live_url + "/search?" + urlencode({"q": question}))
    body = api(results, live_url, question)
    assert body["confident"] and body["answer"], "the example question has an answer"
    first = css(results, "article.result")[0]
    assert "has-answer" in first.get_attribute("class")
    assert text_of(first.find_element(By.CSS_SELECTOR, "h2 .badge")) == "Answer:"
    marks = first.find_elements(By.CSS_SELECTOR, "mark.answer")
    assert marks and all(m.is_displayed() for m in marks)
    assert css(results, "mark.answer") == marks  # the answer is in the first result only
    shown = "".join(text_of(m) for m in marks)
    answer = body["answer"]
    passage = passage_of(index, first)
    assert passage["id"] == answer["id"] == body["results"][0]["id"]
    # The marked words are the API's span of the cited file, whitespace repaired.
    span = passage["text"][answer["start"] - passage["start"] : answer["end"] - passage["start"]]
    assert span == answer["text"]
    assert "".join(shown.split()) == "".join(span.split())
    background = results.execute_script(
        "return getComputedStyle(arguments[0]).backgroundColor", marks[0]
    )
    assert background not in ("transparent", "rgba(0, 0, 0, 0)")
    # Query words are marked in the answer only, not all over the passage.
    terms = first.find_elements(By.CSS_SELECTOR, "mark.term")
    assert all(
        results.execute_script("return !!arguments[0].closest('mark.answer')", t) for t in terms
    )
    if question == ANSWERED[-1]:
        shot = output_dir / "results.png"
        assert results.save_screenshot(str(shot))
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_display_text_is_readable_and_exact(browser, live_url, index):
    """A passage with a flattened list shows its items on lines of their own,
    and puts back no character that the source does not have."""
    query = "amyloidosis symptoms"
    browser.get(live_url + "/search?" + urlencode({"q": query}))
    body = api(browser, live_url, query)
    by_id = {r["id"]: r for r in body["results"]}
    articles = css(browser, "article.result")
    listed = [a for a in articles if a.find_elements(By.CSS_SELECTOR, "ul.items li")]
    assert listed, "a passage with a list"
    for article in articles:
        result = by_id[passage_of(index, article)["id"]]
        quote = article.find_element(By.CSS_SELECTOR, "blockquote.passage")
        shown = browser.execute_script(
            "const q = arguments[0].cloneNode(true);"
            "q.querySelectorAll('summary').forEach(s => s.remove());"
            "return q.textContent;",
            quote,
        )
        assert "".join(shown.split()) == "".join(result["display_text"].split())
        assert "".join(result["display_text"].split()) == "".join(result["text"].split())
        assert " ." not in " ".join(shown.split()) and " ," not in " ".join(shown.split())
    items = listed[0].find_elements(By.CSS_SELECTOR, "ul.items li")
    tops = [item.rect["y"] for item in items if item.is_displayed()]
    assert len(tops) >= 2 and tops == sorted(set(tops))  # one line each, in order


def test_copy_citation_puts_quote_and_citation_on_the_clipboard(results, live_url, index):
    article = next(
        a
        for a in css(results, "article.result")
        if a.find_element(By.CSS_SELECTOR, "a.source-link")
        .get_attribute("href")
        .startswith(NCI_URL)
    )
    button = article.find_element(By.CSS_SELECTOR, "button.copy-button")
    assert button.is_displayed()  # the script revealed it
    capture_clipboard(results)
    before = dt.date.today()
    button.click()
    status = article.find_element(By.CSS_SELECTOR, ".copy-status")
    WebDriverWait(results, WAIT).until(lambda d: status.text == "Citation copied.")
    after = dt.date.today()
    copied = results.execute_script("return window.__copied")
    box = article.find_element(By.CSS_SELECTOR, "textarea.citation")
    assert copied == [box.get_attribute("value")]
    passage = passage_of(index, article)
    result = next(
        r for r in api(results, live_url, QUESTION)["results"] if r["id"] == passage["id"]
    )
    text = copied[0]
    # The readable text is quoted; the link finds the exact words at the source.
    assert text.startswith("\u201c" + result["display_text"] + "\u201d\n")
    link = article.find_element(By.CSS_SELECTOR, "a.source-link").get_attribute("href")
    assert "\nPassage at the source: " + link + "\n" in text
    start, _, end = unquote(urlsplit(link).fragment.removeprefix(":~:text=")).partition(",")
    assert passage["text"].startswith(start) and end in passage["text"][-len(end) - 5 :]
    assert "National Cancer Institute. Updated 11/17/2023." in text
    assert any(f"Accessed {d}. [PMID: 26389437]" in text for d in today_range(before, after))


def solid(text: str) -> str:
    return "".join(text.split())


def test_following_a_passage_link_shows_it_in_context(results, index):
    first = css(results, "article.result")[1]
    passage = text_of(first.find_element(By.CSS_SELECTOR, "blockquote.passage"))
    link = first.find_element(By.CSS_SELECTOR, "a.context-link")
    next_page(results, link.click)
    path = urlsplit(results.current_url).path
    assert path.startswith("/passages/")
    shown = results.find_element(By.CSS_SELECTOR, "blockquote.passage")
    assert solid(text_of(shown)) == solid(passage) and shown.is_displayed()
    assert css(results, "blockquote.passage mark.term")  # the question's words are still marked
    ps = index.passages
    n = [p["id"] for p in ps].index(path.rsplit("/", 1)[1])
    same = lambda a, b: a["doc_id"] == b["doc_id"] and a["section"] == b["section"]  # noqa: E731
    before = css(results, ".context-before")
    after = css(results, ".context-after")
    assert [solid(text_of(e)) for e in before] == (
        [solid(ps[n - 1]["text"])] if n and same(ps[n - 1], ps[n]) else []
    )
    assert [solid(text_of(e)) for e in after] == (
        [solid(ps[n + 1]["text"])] if n + 1 < len(ps) and same(ps[n], ps[n + 1]) else []
    )
    assert results.find_element(By.CSS_SELECTOR, "aside.notice").is_displayed()
    next_page(results, results.find_element(By.CSS_SELECTOR, "a.back-link").click)
    assert results.find_element(By.ID, "q").get_attribute("value") == QUESTION


def test_a_query_with_markup_is_shown_as_text(home):
    typed = "<img src=x onerror=\"document.title='pwned'\"><b>bold</b> myeloma"
    type_and_submit(home, typed)
    assert text_of(home.find_element(By.CSS_SELECTOR, "q.user-query")) == typed
    assert home.find_element(By.ID, "q").get_attribute("value") == typed
    assert css(home, "main img, main b, header b") == []
    assert home.title != "pwned" and typed in home.title


def test_empty_question_gets_a_friendly_message(home):
    type_and_submit(home, "   ")
    alert = home.find_element(By.CSS_SELECTOR, "[role=alert]")
    assert alert.is_displayed() and "Please type a question" in alert.text
    assert css(home, "article.result") == []
    assert '"error"' not in home.page_source


@pytest.fixture()
def not_sure(browser, app, monkeypatch):
    """The app answers every question with "not confident, ask your care team"."""
    searcher = app.extensions["searcher"]
    real = searcher.search
    monkeypatch.setattr(
        searcher,
        "search",
        lambda q, k=10, sources=None, **kw: dataclasses.replace(
            real(q, k, sources, **kw), confident=False, answer=None, reason="care_team"
        ),
    )
    return browser


def test_not_confident_says_so_kindly_with_next_steps(not_sure, live_url, output_dir):
    not_sure.get(live_url + "/search?q=should+I+stop+my+treatment")
    warning = not_sure.find_element(By.CSS_SELECTOR, ".message.not-sure")
    assert warning.is_displayed()
    assert "This is a question for your care team" in warning.text
    for step in ("1-800-4-CANCER (1-800-422-6237)", "LiveHelp", "1-800-227-2345"):
        assert step in warning.text
    assert {a.get_attribute("href") for a in warning.find_elements(By.TAG_NAME, "a")} >= {
        "tel:+18004226237",
        "tel:+18002272345",
        "https://livehelp.cancer.gov/",
    }
    assert not_sure.find_element(By.CSS_SELECTOR, "aside.notice").is_displayed()
    # The closest passages are there, folded away until asked for.
    articles = css(not_sure, "details.closest article.result")
    assert len(articles) == 10 and not any(a.is_displayed() for a in articles)
    assert css(not_sure, "mark.answer") == []
    assert not_sure.save_screenshot(str(output_dir / "not-sure.png"))
    summary = not_sure.find_element(By.CSS_SELECTOR, "details.closest > summary")
    assert summary.text == "Show the closest passages (10)"
    summary.click()
    assert all(a.is_displayed() for a in articles)
    _assert_contrast(not_sure, [".not-sure p", ".not-sure h2", ".not-sure a", ".closest > summary"])


def test_search_instead_runs_the_question_as_typed(browser, live_url):
    typed = "mylema kidny damige"
    browser.get(live_url + "/search?" + urlencode({"q": typed}))
    corrected = browser.find_element(By.CSS_SELECTOR, "h1 q.corrected-query").text
    assert corrected and corrected != typed
    assert browser.find_element(By.ID, "q").get_attribute("value") == typed
    instead = browser.find_element(By.CSS_SELECTOR, "a.search-instead")
    assert text_of(instead.find_element(By.CSS_SELECTOR, "q.user-query")) == typed
    next_page(browser, instead.click)
    assert css(browser, ".corrected") == []
    assert text_of(browser.find_element(By.CSS_SELECTOR, "h1 q.user-query")) == typed
    assert browser.find_element(By.ID, "q").get_attribute("value") == typed
    assert "corrected_query" not in api(browser, live_url, typed, spell="0")


def test_the_source_filter_narrows_results(results, index):
    acs = next(d for d in index.documents.values() if d["publisher"] == "American Cancer Society")
    links = css(results, "nav.source-filter a")
    assert [a.text for a in links] == [
        "All sources",
        "National Cancer Institute",
        "American Cancer Society",
    ]
    everything = {passage_of(index, a)["doc_id"] for a in css(results, "article.result")}
    assert len(everything) == 2
    next_page(results, links[2].click)
    current = results.find_element(By.CSS_SELECTOR, "nav.source-filter a[aria-current=page]")
    assert current.text == "American Cancer Society"
    docs = {passage_of(index, a)["doc_id"] for a in css(results, "article.result")}
    assert docs == {acs["id"]}
    assert results.find_element(By.ID, "q").get_attribute("value") == QUESTION
    # A next question keeps the filter; "All sources" lifts it.
    type_and_submit(results, "stem cell transplant")
    assert {passage_of(index, a)["doc_id"] for a in css(results, "article.result")} == docs
    next_page(results, css(results, "nav.source-filter a")[0].click)
    assert len({passage_of(index, a)["doc_id"] for a in css(results, "article.result")}) == 2


def _shown(driver) -> tuple[str, str]:
    """The question in the box and the question the results on screen are for."""
    box = driver.find_element(By.ID, "q").get_attribute("value")
    return box, text_of(driver.find_element(By.CSS_SELECTOR, "h1 q"))


def test_back_and_forward_keep_the_box_and_the_results_in_step(home):
    type_and_submit(home, "what is smoldering myeloma")
    type_and_submit(home, "stem cell transplant")
    next_page(home, home.back)
    assert _shown(home) == ("what is smoldering myeloma",) * 2
    next_page(home, home.forward)
    assert _shown(home) == ("stem cell transplant",) * 2
    # Typed but not searched, then away and back: the box shows the results' question.
    box = home.find_element(By.ID, "q")
    box.clear()
    box.send_keys("something never searched")
    next_page(home, css(home, "a.context-link")[0].click)
    next_page(home, home.back)
    assert _shown(home) == ("stem cell transplant",) * 2


def test_keyboard_only(results):
    body = results.find_element(By.TAG_NAME, "body")
    results.execute_script("document.activeElement.blur(); window.scrollTo(0, 0)")
    body.send_keys(Keys.TAB)
    skip = results.switch_to.active_element
    assert skip.get_attribute("class") == "skip-link" and skip.is_displayed()
    _assert_visible_focus(results)
    skip.send_keys(Keys.ENTER)
    assert results.switch_to.active_element.get_attribute("id") == "main"
    capture_clipboard(results)
    actions = ActionChains(results)
    for _ in range(40):  # keyboard alone reaches the first "Copy citation"
        actions.send_keys(Keys.TAB).perform()
        if "copy-button" in (results.switch_to.active_element.get_attribute("class") or ""):
            break
        _assert_visible_focus(results)
    button = results.switch_to.active_element
    assert "copy-button" in button.get_attribute("class")
    _assert_visible_focus(results)
    button.send_keys(Keys.ENTER)
    WebDriverWait(results, WAIT).until(
        lambda d: d.execute_script("return window.__copied.length") == 1
    )


def test_contrast_meets_wcag_aa(results):
    _assert_contrast(
        results,
        [
            "body",
            "blockquote.passage p",
            "mark.answer",
            "mark.term",
            "h2.result-title .parents",
            "h2.result-title .badge",
            "p.count",
            "nav.source-filter a",
            ".lead-in summary",
            "p.source",
            "a.source-link",
            "a.context-link",
            "aside.notice p",
            ".site-header label",
            ".site-header .hint",
            "button.copy-button",
            ".cite-box summary",
            ".site-footer p",
            ".site-footer a",
            "h1 q.user-query",
        ],
    )


@pytest.fixture()
def phone(browser, desktop_size):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        browser.set_window_size(*desktop_size)


def _rect(driver, element) -> dict:
    return driver.execute_script("return arguments[0].getBoundingClientRect().toJSON()", element)


@pytest.mark.parametrize("question", ANSWERED)
def test_phone_sized_screen(phone, live_url, output_dir, question):
    phone.get(live_url + "/search?" + urlencode({"q": question}))
    width = phone.execute_script("return window.innerWidth")
    assert width == 390
    overflow = phone.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    for selector in (
        "#q",
        ".search-form button",
        "aside.notice",
        "blockquote.passage",
        "h2.result-title",
        "nav.source-filter",
        "button.copy-button",
    ):
        rect = _rect(phone, css(phone, selector)[0])
        assert rect["left"] >= 0 and rect["right"] <= width, selector
    font = phone.execute_script(
        "return parseFloat(getComputedStyle(document.querySelector('blockquote.passage p')).fontSize)"
    )
    assert font >= 16
    # The answer is on the first screen, whole, without scrolling.
    assert phone.execute_script("return window.scrollY") == 0
    marks = css(phone, "mark.answer")
    assert marks and all(m.is_displayed() for m in marks)
    assert _rect(phone, marks[0])["top"] >= 0
    assert _rect(phone, marks[-1])["bottom"] <= 844
    assert phone.find_element(By.CSS_SELECTOR, "aside.notice").is_displayed()
    if question == ANSWERED[-1]:
        assert phone.save_screenshot(str(output_dir / "results-phone.png"))


def test_not_sure_on_a_phone(not_sure, phone, live_url, output_dir):
    phone.get(live_url + "/search?q=should+I+stop+my+treatment")
    # The reason and the numbers to call are on the first screen.
    for selector in (
        ".not-sure .reason",
        'a[href="tel:+18004226237"]',
        'a[href="tel:+18002272345"]',
    ):
        assert _rect(phone, phone.find_element(By.CSS_SELECTOR, selector))["bottom"] <= 844
    assert phone.save_screenshot(str(output_dir / "not-sure-phone.png"))


def test_works_without_javascript(browser, live_url):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(live_url + "/")
        type_and_submit(browser, QUESTION)
        assert css(browser, "article.result") and css(browser, "blockquote.passage mark")
        details = (
            browser.find_element(By.CSS_SELECTOR, "details.lead-in")
            if css(browser, "details.lead-in")
            else None
        )
        if details is not None:  # a folded lead-in opens without JavaScript
            details.find_element(By.TAG_NAME, "summary").click()
            assert details.find_element(By.TAG_NAME, "p").is_displayed()
        article = css(browser, "article.result")[0]
        assert not article.find_element(By.CSS_SELECTOR, "button.copy-button").is_displayed()
        article.find_element(By.CSS_SELECTOR, ".cite-box summary").click()
        box = article.find_element(By.CSS_SELECTOR, "textarea.citation")
        assert box.is_displayed() and "Accessed" in box.get_attribute("value")
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


# --- accessibility checks ---------------------------------------------------------


def _assert_visible_focus(driver) -> None:
    style = driver.execute_script(
        "const s = getComputedStyle(document.activeElement);"
        "return [s.outlineStyle, parseFloat(s.outlineWidth)];"
    )
    assert style[0] != "none" and style[1] >= 2, style


_COLOURS = """
const el = arguments[0];
let bg = null;
for (let n = el; n && !bg; n = n.parentElement) {
  const c = getComputedStyle(n).backgroundColor;
  if (c && c !== 'transparent' && c !== 'rgba(0, 0, 0, 0)') bg = c;
}
return [getComputedStyle(el).color, bg || 'rgb(255, 255, 255)'];
"""


def _luminance(colour: str) -> float:
    r, g, b = (int(float(v)) for v in re.findall(r"[\d.]+", colour)[:3])

    def channel(v: int) -> float:
        v /= 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def _assert_contrast(driver, selectors) -> None:
    for selector in selectors:
        elements = css(driver, selector)
        assert elements, selector
        fg, bg = driver.execute_script(_COLOURS, elements[0])
        hi, lo = sorted((_luminance(fg), _luminance(bg)), reverse=True)
        ratio = (hi + 0.05) / (lo + 0.05)
        assert ratio >= 4.5, f"{selector}: {fg} on {bg} is {ratio:.2f}:1"


# --- axe, print ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "page",
    ["home", "results", "not-sure", "passage", "phone results"],
)
def test_axe_finds_no_violations(browser, live_url, axe, page, request):
    if page == "not-sure":
        request.getfixturevalue("not_sure")
    if page == "phone results":
        request.getfixturevalue("phone")
    url = {
        "home": "/",
        "results": "/search?" + urlencode({"q": QUESTION}),
        "phone results": "/search?" + urlencode({"q": QUESTION}),
        "not-sure": "/search?q=should+I+stop+my+treatment",
        "passage": "/passages/nci-pdq-plasma-cell-neoplasms-008?q=kidneys",
    }[page]
    browser.get(live_url + url)
    assert browser.find_element(By.CSS_SELECTOR, "aside.notice").is_displayed()
    for summary in css(browser, "details > summary"):  # folded content is checked too
        browser.execute_script("arguments[0].parentNode.open = true", summary)
    assert axe(browser) == []


def test_print_keeps_results_citations_and_notice(results):
    results.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not results.find_element(By.CSS_SELECTOR, "form[role=search]").is_displayed()
        assert not css(results, "button.copy-button")[0].is_displayed()
        assert results.find_element(By.CSS_SELECTOR, "aside.notice").is_displayed()
        first = css(results, "article.result")[0]
        assert first.find_element(By.CSS_SELECTOR, "blockquote.passage").is_displayed()
        cite = first.find_element(By.CSS_SELECTOR, ".print-citation")
        assert cite.is_displayed() and "Cite as: PDQ" in cite.text and "#:~:text=" in cite.text
        assert first.find_element(By.CSS_SELECTOR, "p.source").is_displayed()
    finally:
        results.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert not css(results, ".print-citation")[0].is_displayed()  # on screen: the copy box
