"""Questions that ask for a decision about one's own care.

"Should my mother do the transplant or wait?" is on the library's topic, and
passages come close to it, but general information cannot decide a person's
care: the service says so and points to the care team. The forms of asking are
a readable file (lexicon/decisions.txt).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

DECISIONS_FILE = Path(__file__).parent / "lexicon" / "decisions.txt"


@dataclass(frozen=True)
class DecisionForms:
    forms: list[re.Pattern]  # any one of them asks for a decision
    asker: re.Pattern | None  # the asker or a relative is named ...
    judgement: re.Pattern | None  # ... and a question sentence weighs a choice or a chance


def load(path: Path = DECISIONS_FILE) -> DecisionForms:
    forms, named = [], {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, pattern = line.partition(": ")
        if sep and name in ("asker", "judgement"):
            named[name] = re.compile(pattern, re.IGNORECASE)
        else:
            forms.append(re.compile(line, re.IGNORECASE))
    return DecisionForms(forms, named.get("asker"), named.get("judgement"))


def asks_decision(rules: DecisionForms, question: str) -> bool:
    if any(p.search(question) for p in rules.forms):
        return True
    if rules.asker is None or rules.judgement is None or not rules.asker.search(question):
        return False
    return any(rules.judgement.search(s) for s in _question_sentences(question))


def _question_sentences(text: str) -> list[str]:
    """The sentences that ask (end in "?"); the whole text when none does."""
    asked = [s for s in re.findall(r"[^.?!]*\?", text) if s.strip()]
    return asked or [text]
