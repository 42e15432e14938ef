"""Questions that ask for a decision about one's own care.

"Should my mother do the transplant or wait?" is on the library's topic, and
passages come close to it, but general information cannot decide a person's
care: the service says so and points to the care team. The forms of asking are
a readable file (lexicon/decisions.txt).
"""

from __future__ import annotations

import re
from pathlib import Path

DECISIONS_FILE = Path(__file__).parent / "lexicon" / "decisions.txt"


def load(path: Path = DECISIONS_FILE) -> list[re.Pattern]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [
        re.compile(line.strip(), re.IGNORECASE)
        for line in lines
        if line.strip() and not line.lstrip().startswith("#")
    ]


def asks_decision(patterns: list[re.Pattern], question: str) -> bool:
    return any(p.search(question) for p in patterns)
