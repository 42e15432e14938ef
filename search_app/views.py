"""What a page shows about one passage: its readable text with the answer
marked, its heading, where it comes from and its citation.

Kept apart from the routes so the pages differ only in what they choose to show.
"""

from __future__ import annotations

import datetime as dt
import re

from core import settings

from . import citation, textfragment
from .display import readable, span_to_display
from .highlight import passage_html

# How much text before the answer stays in view; more is folded away, so that
# the answer is on a phone's first screen.
LEAD_CHARS = 240
_SENTENCE_START = re.compile(r"[.!?:][\"”’)\]]*\s+|\n+")


def lead_in_cut(display: str, answer: tuple[int, int]) -> int:
    """Where the text shown before the answer begins: the earliest paragraph or
    sentence start within LEAD_CHARS of the answer (0: nothing folded away)."""
    start = answer[0]
    paragraph = display.rfind("\n\n", 0, start)
    paragraph = 0 if paragraph < 0 else paragraph + 2
    starts = [0, paragraph]
    starts += [m.end() for m in _SENTENCE_START.finditer(display, paragraph, start)]
    return next(c for c in [*starts, start] if start - c <= LEAD_CHARS)


def passage_view(
    passage: dict, document: dict, stems: frozenset[str], today: dt.date, answer=None
) -> dict:
    """Everything a page shows about one passage; `answer` (retrieval's Answer)
    when this passage holds the answer sentence."""
    text = passage["text"]
    display = readable(text)
    section = list(passage["section"])
    # The link finds the exact words of the source, so it is cut from the stored text.
    link = textfragment.link(document["url"], text, settings.TEXT_FRAGMENT_WORDS)
    view = {
        "id": passage["id"],
        "display_text": display,
        "html": passage_html(display, stems),
        "lead_html": None,
        "answer": None,
        "title": document["title"],
        "section": section,
        "heading": section[-1] if section else document["title"],
        "parents": section[:-1],
        "publisher": document["publisher"],
        "updated": dt.date.fromisoformat(document["updated"]),
        "url": document["url"],
        "source_link": link,
        "citation": citation.citation(document, settings.CITATION_DATE_FORMAT, today),
        "quotation": citation.quotation(
            passage, document, settings.CITATION_DATE_FORMAT, today, display, link
        ),
    }
    if answer is not None:
        offset = passage["start"]
        span = span_to_display(text, display, answer.start - offset, answer.end - offset)
        cut = lead_in_cut(display, span)
        view["answer"] = display[span[0] : span[1]]
        view["html"] = passage_html(display, stems, answer=span, terms=span, lo=cut)
        if cut:
            view["lead_html"] = passage_html(display, frozenset(), hi=cut)
    return view


def short_publisher(document: dict) -> str:
    """ "National Cancer Institute" for "National Cancer Institute (PDQ® ... Board)"."""
    return document["publisher"].split(" (", 1)[0]


def source_labels(documents: dict[str, dict]) -> dict[str, str]:
    """A short name for each document: its publisher's, or its title where a
    publisher has more than one."""
    names = {doc_id: short_publisher(doc) for doc_id, doc in documents.items()}
    counts = list(names.values())
    return {
        doc_id: name if counts.count(name) == 1 else documents[doc_id]["title"]
        for doc_id, name in names.items()
    }
