"""Mark the query's words in a passage, safely.

The passage is cut into word and non-word pieces; every piece is escaped and
only then wrapped in <mark>, so neither the passage nor anything the user typed
can reach the page as markup. Words match on their stem, so "kidneys" marks
"kidney" and "treating" marks "treatment" only where the stems agree.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from core import analysis

_WORD = re.compile(r"\w+(?:['’]\w+)*")

# The search's own stopwords and stemmer, so the words marked are the words
# the lexical ranking matched on; a highlight should point at the topic.
STOPWORDS = frozenset(analysis.STOPWORDS)


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
    """The passage as safe HTML with matching words in <mark>."""
    out: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        out.append(str(escape(text[position : match.start()])))
        word = escape(match.group())
        if _stem(match.group()) in stems and match.group().lower() not in STOPWORDS:
            out.append(f"<mark>{word}</mark>")
        else:
            out.append(str(word))
        position = match.end()
    out.append(str(escape(text[position:])))
    return Markup("".join(out))
