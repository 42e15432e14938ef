"""The search page in headless Chromium: what a patient or a staff member does.

Each step waits for the next page by what is on it, never by a clock.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

QUESTION = "can myeloma damage my kidneys"
NCI_URL = "https://www.cancer.gov/types/myeloma/patient/myeloma-treatment-pdq"
WAIT = 120  # an upper bound for a slow shared machine; nothing asserts on time


def css(driver, selector):
    return driver.find_elements(By.CSS_SELECTOR, selector)


def text_of(element) -> str:
    return element.get_attribute("textContent")


def next_page(driver, act) -> None:
    """Do `act`, then wait until a new document has replaced the current one."""
    driver.execute_script("document.documentElement.dataset.stale = '1'")
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

    articles = css(home, "ol.results article.result")
    assert len(articles) == 10 and all(a.is_displayed() for a in articles)
    marks = {m.text.lower() for m in css(home, "blockquote.passage mark")}
    assert {"myeloma", "kidneys"} <= marks
    first = articles[0]
    crumbs = [
        text_of(li).strip() for li in first.find_elements(By.CSS_SELECTOR, "nav.breadcrumb li")
    ]
    assert len(crumbs) >= 2 and crumbs[0] in {d["title"] for d in index.documents.values()}
    assert first.find_element(By.CSS_SELECTOR, "nav.breadcrumb").is_displayed()
    source = first.find_element(By.CSS_SELECTOR, "p.source").text
    assert re.search(r"Last updated \w+ \d{1,2}, \d{4}\.", source)
    link = first.find_element(By.CSS_SELECTOR, "a.source-link").get_attribute("href")
    assert "#:~:text=" in link and link.split("#")[0] in {
        d["url"] for d in index.documents.values()
    }

    shot = output_dir / "results.png"
    assert home.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_copy_citation_puts_quote_and_citation_on_the_clipboard(results):
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
    passage = text_of(article.find_element(By.CSS_SELECTOR, "blockquote.passage p"))
    text = copied[0]
    assert text.startswith("\u201c" + passage + "\u201d\n")
    assert "National Cancer Institute. Updated 11/17/2023." in text
    assert any(f"Accessed {d}. [PMID: 26389437]" in text for d in today_range(before, after))


def test_following_a_passage_link_shows_it_in_context(results, index):
    first = css(results, "article.result")[0]
    passage = text_of(first.find_element(By.CSS_SELECTOR, "blockquote.passage p"))
    link = first.find_element(By.CSS_SELECTOR, "a.context-link")
    next_page(results, link.click)
    path = urlsplit(results.current_url).path
    assert path.startswith("/passages/")
    shown = results.find_element(By.CSS_SELECTOR, "blockquote.passage p")
    assert text_of(shown) == passage and shown.is_displayed()
    assert css(results, "blockquote.passage mark")  # the question's words are still marked
    ps = index.passages
    n = [p["id"] for p in ps].index(path.rsplit("/", 1)[1])
    same = lambda a, b: a["doc_id"] == b["doc_id"] and a["section"] == b["section"]  # noqa: E731
    before = css(results, ".context-before p")
    after = css(results, ".context-after p")
    assert [text_of(e) for e in before] == (
        [ps[n - 1]["text"]] if n and same(ps[n - 1], ps[n]) else []
    )
    assert [text_of(e) for e in after] == (
        [ps[n + 1]["text"]] if n + 1 < len(ps) and same(ps[n], ps[n + 1]) else []
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


def test_not_confident_results_are_flagged(browser, live_url, app, monkeypatch):
    searcher = app.extensions["searcher"]
    real = searcher.search
    monkeypatch.setattr(
        searcher,
        "search",
        lambda q, k=10, sources=None: dataclasses.replace(
            real(q, k, sources), confident=False, corrected_query="myeloma kidneys"
        ),
    )
    browser.get(live_url + "/search?q=mylema+kidnys")
    warning = browser.find_element(By.CSS_SELECTOR, ".message.warning")
    assert warning.is_displayed()
    assert "Nothing in the library clearly answers this question" in warning.text
    assert "rephras" in warning.text.lower()
    assert (
        browser.find_element(By.CSS_SELECTOR, ".corrected").text
        == "Showing results for myeloma kidneys."
    )
    assert css(browser, "article.result")  # the closest passages, under the warning
    _assert_contrast(browser, [".message.warning p", ".message.warning h2"])


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
            "blockquote.passage mark",
            "nav.breadcrumb li",
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
            "q.user-query",
        ],
    )


def test_phone_sized_screen(results, live_url, output_dir, desktop_size):
    results.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    try:
        results.get(live_url + "/search?q=" + QUESTION.replace(" ", "+"))
        width = results.execute_script("return window.innerWidth")
        assert width == 390
        overflow = results.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        for selector in (
            "#q",
            ".search-form button",
            "aside.notice",
            "blockquote.passage",
            "nav.breadcrumb",
            "button.copy-button",
        ):
            el = css(results, selector)[0]
            rect = results.execute_script(
                "return arguments[0].getBoundingClientRect().toJSON()", el
            )
            assert rect["left"] >= 0 and rect["right"] <= width, selector
        font = results.execute_script(
            "return parseFloat(getComputedStyle(document.querySelector('blockquote.passage p')).fontSize)"
        )
        assert font >= 16
        assert results.save_screenshot(str(output_dir / "results-phone.png"))
    finally:
        results.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        results.set_window_size(*desktop_size)


def test_works_without_javascript(browser, live_url):
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        browser.get(live_url + "/")
        type_and_submit(browser, QUESTION)
        assert css(browser, "article.result") and css(browser, "blockquote.passage mark")
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
