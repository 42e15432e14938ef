"""Properties over arbitrary input (Hypothesis): citations, escaping, odd Unicode.

The examples are derandomized (fixed per test), so a run is reproducible and
never flaky; the sizes are bounded to keep the file to a few seconds.
"""

from __future__ import annotations

import html
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core import analysis
from indexer.passages import cut_passages
from indexer.structure import flat_pdq, plain_text, read_sections
from indexer.structure.model import Section

FAST = settings(
    max_examples=60,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
WEB = settings(
    max_examples=8,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SLOW = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Characters that break naive text handling: controls, bidi overrides and
# marks, zero-width joiners, combining accents, NFKC-expanding ligatures, BOM,
# line/paragraph separators, emoji with modifiers, CJK, Arabic, Hebrew.
NASTY = list(
    "\x00\x01\x07\x08\x0b\x0c\x1b\x1c\x7f\x85\u00a0\u00ad\u0301\u0308\u034f"
    "\u200b\u200c\u200d\u200e\u200f\u2028\u2029\u202a\u202e\u2066\u2069"
    "\ufeff\ufb03\ufdfa\uff10\u2460\u3000"
) + [
    "🩺",
    "👩🏽‍⚕️",
    "🏳️‍🌈",
    "骨髓瘤",
    "ورم نقيي",
    "מיאלומה",
    "ﷺ",
    "𝔪𝔶𝔢𝔩𝔬𝔪𝔞",
    "e\u0301",
]
any_char = st.characters(exclude_categories=("Cs",))
unicode_text = st.one_of(
    st.text(any_char, max_size=300),
    st.lists(st.one_of(st.sampled_from(NASTY), st.text(any_char, max_size=8)), max_size=60).map(
        "".join
    ),
)
# 10,000 characters built by repetition: Hypothesis's own buffer is smaller.
long_text = st.text(any_char, min_size=1, max_size=40).map(
    lambda s: (s * (10_000 // len(s) + 1))[:10_000]
)
queries = st.one_of(unicode_text, long_text)


# --- citations: a passage is always its exact source span --------------------

word = st.text(
    st.characters(exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), min_size=1, max_size=10
)
sentence = st.tuples(
    st.lists(word, min_size=1, max_size=14).map(" ".join),
    st.sampled_from([".", "?", "!", ":", ";", "", ". e.g.", " Dr."]),
).map("".join)
paragraph = st.lists(sentence, min_size=1, max_size=6).map(" ".join)
heading = st.lists(word, min_size=1, max_size=5).map(" ".join)
blank = st.sampled_from(["\n\n", "\r\n\r\n", "\n \n", "\n\n\n", "\n\t\n", "\u2029\n\n"])
line_join = st.sampled_from(["\n", "\r\n", " \n"])
block = st.one_of(
    heading,
    paragraph,
    st.lists(paragraph, min_size=2, max_size=3).flatmap(
        lambda ps: line_join.map(lambda j: j.join(ps))
    ),
)


@st.composite
def plain_documents(draw):
    title = draw(heading)
    blocks = draw(st.lists(block, min_size=1, max_size=12))
    seps = draw(st.lists(blank, min_size=len(blocks), max_size=len(blocks)))
    head = draw(st.sampled_from(["", "Skip to main content\n\n", "  \n"]))
    body = "".join(b + s for b, s in zip(blocks, seps))
    return title, head + draw(st.sampled_from([title, "Other"])) + "\n\n" + body


sizes = st.tuples(st.integers(1, 30), st.integers(1, 60), st.integers(1, 120)).map(sorted)


def assert_exact_spans(text, sections, passages):
    body: dict[tuple, set[int]] = {}
    for s in sections:  # two sections may share a heading
        body.setdefault(s.path, set()).update(i for a, b in s.blocks for i in range(a, b))
    previous_end = 0
    for p in passages:
        assert 0 <= p.start < p.end <= len(text)
        assert text[p.start : p.end] == p.text
        assert p.text == p.text.strip()
        assert p.start >= previous_end  # in order, never overlapping
        previous_end = p.end
        # Only its own section's body text, joined by whitespace: never a heading,
        # never chrome cut out between two blocks.
        outside = [i for i in range(p.start, p.end) if i not in body[p.section]]
        assert all(text[i].isspace() for i in outside), (p, [text[i] for i in outside])


@FAST
@given(plain_documents(), sizes)
def test_plain_text_passages_slice_back_exactly(doc, size):
    title, text = doc
    sections = plain_text.read_sections(text, title=title)
    passages = cut_passages("doc", text, sections, *size)
    assert_exact_spans(text, sections, passages)
    for s in sections:  # headings are the source's own words
        assert all(h and h == " ".join(h.split()) for h in s.path)


@FAST
@given(unicode_text, st.text(max_size=20), sizes)
def test_any_text_yields_exact_spans_or_none(text, title, size):
    sections = read_sections(text, title, layout="plain-text")
    assert_exact_spans(text, sections, cut_passages("doc", text, sections, *size))


@st.composite
def flat_pdq_documents(draw):
    """A page flattened to one line: contents list, then sections with key points."""
    n = draw(st.integers(1, 4))
    titles = [f"Section{i} " + draw(heading) for i in range(n)]
    parts = ["Skip to main content Plasma Cell Neoplasms On This Page", *titles]
    for t in titles:
        key = [
            f"Point{draw(st.integers(0, 999))} " + draw(sentence).rstrip(" .") + "."
            for _ in range(draw(st.integers(0, 2)))
        ]
        parts.append(t)
        if key:
            parts += ["Key Points", *key]
            for k in key:
                parts += [k, draw(paragraph)]
        else:
            parts.append(draw(paragraph))
    parts += ["Enlarge", draw(paragraph), "Updated: November 17, 2023", "Footer text."]
    return draw(st.sampled_from([" ", "  ", " \u00a0"])).join(parts)


@FAST
@given(flat_pdq_documents(), sizes)
def test_flat_pdq_passages_slice_back_exactly(text, size):
    try:
        sections = flat_pdq.read_sections(text, title="")
    except ValueError:  # the reader refuses a page it cannot map; it never guesses
        assume(False)
    passages = cut_passages("doc", text, sections, *size)
    assert_exact_spans(text, sections, passages)
    footer = text.index("Updated: November 17, 2023")
    assert all(p.end <= footer for p in passages)


# --- the highlighter never emits user input unescaped -----------------------

markup = st.sampled_from(
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        '" onmouseover="x',
        "'><b>",
        "&lt;",
        "&amp;",
        "</mark>",
        "<mark>",
        "javascript:alert(1)",
        "]]>",
        "<!--",
        "`${x}`",
    ]
)
hostile = st.lists(
    st.one_of(
        markup,
        st.sampled_from(NASTY),
        st.text(any_char, max_size=10),
        st.sampled_from(["myeloma", "kidney", "kidneys", "treatment"]),
    ),
    max_size=12,
).map(" ".join)


@FAST
@given(hostile, hostile)
def test_highlighter_escapes_everything_it_marks(text, query):
    from search_app.highlight import highlight, query_stems

    out = str(highlight(text, query_stems(query)))
    bare = re.sub(r'<mark class="term">|</mark>', "", out)
    assert "<" not in bare and ">" not in bare and '"' not in bare and "'" not in bare
    assert html.unescape(bare) == text  # nothing added, nothing lost: only escaped
    for m in re.finditer(r'<mark class="term">(.*?)</mark>', out):
        assert "<" not in m.group(1)


ACTIVE_TAGS = ("<script", "<img", "<iframe", "<svg", "<object", "<b>")
_baseline: dict[str, str] = {}


@WEB
@given(hostile)
def test_search_page_never_reflects_markup(app, query):
    client = app.test_client()
    if "page" not in _baseline:  # the template's own tags, from a harmless query
        _baseline["page"] = client.get("/search?q=zzzz").get_data(as_text=True)
    baseline = _baseline["page"]
    r = client.get("/search", query_string={"q": query})
    assert r.status_code in (200, 400), r.status_code
    page = r.get_data(as_text=True)
    if "<" in query.strip() or '"' in query.strip():
        assert query.strip() not in page
    for tag in ACTIVE_TAGS:  # no element or handler beyond the template's own
        assert page.count(tag) == baseline.count(tag), tag


# --- query handling never raises on arbitrary Unicode -----------------------


@FAST
@given(queries)
def test_normalize_never_raises_and_leaves_no_controls(query):
    out = analysis.normalize(query)
    assert isinstance(out, str) and out == out.strip()
    assert not any(c < " " or c == "\x7f" for c in out)  # C0 controls and DEL are dropped
    assert analysis.bm25_tokens([query]) is not None
    assert isinstance(analysis.stems(query), list)


@SLOW
@given(queries)
def test_query_plan_and_spelling_never_raise(app, query):
    searcher = app.extensions["searcher"]
    plan = searcher.plan(query, searcher.pipeline)
    assert isinstance(plan.text, str) and all(isinstance(t, str) for t in plan.tokens)
    if plan.corrected is not None:
        assert plan.corrected == plan.text and plan.corrected
    corrected = searcher.parts.speller.correct(query)
    assert isinstance(corrected, str)


@WEB
@given(unicode_text.filter(lambda q: len(q) <= 1000))
def test_api_answers_any_unicode_with_json_and_no_5xx(app, query):
    r = app.test_client().get("/api/search", query_string={"q": query, "k": 3})
    assert r.status_code in (200, 400) and r.is_json, (r.status_code, query)
    if r.status_code == 200:  # the question as searched: normalised
        assert r.get_json()["query"] == analysis.normalize(query)
    else:
        assert r.get_json()["error"]["code"] in {
            "missing_query",
            "invalid_query",
            "query_too_long",
            "query_too_many_words",
        }


@st.composite
def labelled_lists(draw):
    """One section of sentences, some opening a list item: "Item3 : The ...".
    Returns (text, sections)."""
    parts = []
    for k in range(draw(st.integers(1, 12))):
        label = draw(
            st.sampled_from(["", f"Item{k} : ", f"Phase {k} therapy: ", "Drugs used include: "])
        )
        parts.append(label + draw(sentence))
    text = draw(st.sampled_from([" ", "  "])).join(parts)
    return text, [Section(path=("Treatment",), blocks=[(0, len(text))])]


@FAST
@given(labelled_lists(), sizes, st.sampled_from([0.25, 0.5, 1.0]))
def test_item_labels_moved_forward_still_slice_back_exactly(doc, size, share):
    text, sections = doc
    passages = cut_passages("doc", text, sections, *size, item_tail_share=share)
    assert_exact_spans(text, sections, passages)
