"""A passage and its neighbours in the same section, from the index alone.

Serving must not need the corpus directory, so the text around a passage is
the previous and next passages of its section: the index keeps passages in
document order, each with its doc_id and section path.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class InContext:
    before: dict | None
    passage: dict
    after: dict | None


def positions(passages: list[dict]) -> dict[str, int]:
    return {p["id"]: n for n, p in enumerate(passages)}


def _same_section(a: dict, b: dict) -> bool:
    return a["doc_id"] == b["doc_id"] and list(a["section"]) == list(b["section"])


def in_context(passages: list[dict], where: dict[str, int], passage_id: str) -> InContext | None:
    """None when the id is unknown."""
    n = where.get(passage_id)
    if n is None:
        return None
    passage = passages[n]
    before = passages[n - 1] if n > 0 and _same_section(passages[n - 1], passage) else None
    after = (
        passages[n + 1]
        if n + 1 < len(passages) and _same_section(passages[n + 1], passage)
        else None
    )
    return InContext(before, passage, after)
