"""Links that open the publisher's page scrolled to the passage.

A text fragment (`#:~:text=start,end`, https://web.dev/articles/text-fragments)
makes a supporting browser find and highlight the passage; others just open the
page. Only a few words from each end are used: a long fragment breaks on any
difference between our copy and the live page, and a short one still pins the
passage down.
"""

from __future__ import annotations

from urllib.parse import quote


def _encode(words: list[str]) -> str:
    # quote() leaves '-' alone, but in a fragment it separates prefix/suffix
    # context, so it must be escaped too (',' and '&' are escaped by safe="").
    return quote(" ".join(words), safe="").replace("-", "%2D")


# Punctuation that text extraction sometimes detached from its word ("marrow .");
# the live page has no space there, so a fragment must not span it.
_DETACHABLE = set(".,;:!?)]")


def _is_detached(token: str) -> bool:
    return all(ch in _DETACHABLE for ch in token)


def _leading(tokens: list[str], n: int) -> list[int]:
    """Positions of up to n tokens from the start, skipping detached marks at
    the very start and stopping at the next one."""
    out: list[int] = []
    for i, token in enumerate(tokens):
        if _is_detached(token):
            if out:
                break
            continue
        out.append(i)
        if len(out) == n:
            break
    return out


def fragment(text: str, words: int) -> str:
    """`#:~:text=...` for a passage: its first and last few words."""
    tokens = text.split()
    if len(tokens) <= 2 * words and not any(_is_detached(t) for t in tokens):
        return "#:~:text=" + _encode(tokens) if tokens else ""
    start = _leading(tokens, words)
    end = sorted(len(tokens) - 1 - i for i in _leading(tokens[::-1], words))
    if not start:
        return ""
    head = _encode([tokens[i] for i in start])
    if not end or end[0] <= start[-1]:
        return "#:~:text=" + head
    return f"#:~:text={head},{_encode([tokens[i] for i in end])}"


def link(url: str, text: str, words: int) -> str:
    """The source URL with a text fragment for the passage."""
    return url.split("#", 1)[0] + fragment(text, words)
