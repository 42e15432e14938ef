"""A passage as safe HTML: its paragraphs and lists, the answer and the query's words marked.

The text is cut into word and non-word pieces; every piece is escaped and only
then wrapped in <mark>, so neither the passage nor anything the user typed can
reach the page as markup. Words match on their stem, so "kidneys" marks
"kidney" and "treating" marks "treatment" only where the stems agree.

The text given is a display text (display.py): blank lines separate
paragraphs, and the lines after a paragraph's first are its list items.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from core import analysis

_WORD = re.compile(r"\w+(?:['’]\w+)*")

# The search's own stopwords and stemmer, so the words marked are the words
# the lexical ranking matched on; a highlight should point at the topic.
STOPWORDS = frozenset(analysis.STOPWORDS)

Span = tuple[int, int]


def _stem(word: str) -> str:
    return analysis.stemmer().stemWord(word.lower().replace("’", "'"))


def query_stems(*queries: str | None) -> frozenset[str]:
    """Stems of the meaningful words of one or more queries (original, corrected)."""
    stems = set()
    for query in queries:
        for word in _WORD.findall(query or ""):
            if word.lower() not in STOPWORDS and not word.isdigit():
                stems.add(_stem(word))
    return frozenset(stems)


def highlight(text: str, stems: frozenset[str]) -> Markup:
    """Text as safe HTML with the words that match `stems` in <mark class="term">."""
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        out.append(str(escape(text[position : match.start()])))
        word = escape(match.group())
        if _stem(match.group()) in stems and match.group().lower() not in STOPWORDS:
            out.append(f'<mark class="term">{word}</mark>')
        else:
            out.append(str(word))
        position = match.end()
    out.append(str(escape(text[position:])))
    return Markup("".join(out))


def _inline(
    text: str, lo: int, hi: int, stems: frozenset[str], answer: Span | None, terms: Span | None
) -> str:
    """text[lo:hi] (one line) with the answer and the query's words marked."""
    cuts = {lo, hi}
    for edge in (answer or ()) + (terms or ()):
        if lo < edge < hi:
            cuts.add(edge)
    points = sorted(cuts)
    out = []
    for a, b in zip(points, points[1:]):
        marks_terms = terms is None or terms[0] <= a < terms[1]
        piece = str(highlight(text[a:b], stems if marks_terms else frozenset()))
        if answer and answer[0] <= a < answer[1]:
            piece = f'<mark class="answer">{piece}</mark>'
        out.append(piece)
    return "".join(out)


def _lines(text: str):
    """(line number in its paragraph, start, end) of every line."""
    position = 0
    for paragraph in text.split("\n\n"):
        start = position
        for n, line in enumerate(paragraph.split("\n")):
            yield n, start, start + len(line)
            start += len(line) + 1
        position += len(paragraph) + 2


def passage_html(
    text: str,
    stems: frozenset[str],
    answer: Span | None = None,
    terms: Span | None = None,
    lo: int = 0,
    hi: int | None = None,
) -> Markup:
    """text[lo:hi] as paragraphs (<p>) and list items (<ul><li>); the answer span in
    <mark class="answer">; query words marked only inside `terms` when it is given."""
    hi = len(text) if hi is None else hi
    out: list[str] = []
    open_list = False
    for line, start, end in _lines(text):
        a, b = max(start, lo), min(end, hi)
        if a >= b:
            continue
        html = _inline(text, a, b, stems, answer, terms)
        if line == 0:
            out.append(f"</ul><p>{html}</p>" if open_list else f"<p>{html}</p>")
            open_list = False
            continue
        if not open_list:
            out.append('<ul class="items">')
            open_list = True
        out.append(f"<li>{html}</li>")
    if open_list:
        out.append("</ul>")
    return Markup("".join(out))
