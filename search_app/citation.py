"""Citations in each publisher's own requested format.

Each document in the index carries the publisher's citation as a template with
{updated} and {accessed} placeholders (NCI states its format on every PDQ page
and writes dates as MM/DD/YYYY). Staff paste the passage verbatim as a
quotation followed by that citation, so the quote can be checked at its source.
"""

from __future__ import annotations

import datetime as dt


def format_date(day: dt.date, fmt: str) -> str:
    return day.strftime(fmt)


def citation(document: dict, date_format: str, today: dt.date | None = None) -> str:
    """The publisher's citation with the last-updated and access dates filled in."""
    updated = dt.date.fromisoformat(document["updated"])
    accessed = today or dt.date.today()
    return document["citation"].format(
        updated=format_date(updated, date_format),
        accessed=format_date(accessed, date_format),
    )


def quotation(
    passage: dict,
    document: dict,
    date_format: str,
    today: dt.date | None = None,
    text: str | None = None,
    link: str | None = None,
) -> str:
    """What "Copy citation" puts on the clipboard: the passage (its readable
    `text` when given: the same words, whitespace repaired), where it sits in
    the document, a `link` to it at the source when given, then the citation."""
    where = " > ".join([document["title"], *passage["section"]])
    quoted = passage["text"] if text is None else text
    at = f"\nPassage at the source: {link}" if link else ""
    return f"\u201c{quoted}\u201d\n({where}){at}\n\n{citation(document, date_format, today)}"
