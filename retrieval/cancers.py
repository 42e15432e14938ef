"""Other cancers: a question about a disease the library only mentions in passing.

"ABVD regimen for Hodgkin lymphoma", "diagnostic criteria for chronic
lymphocytic leukemia": the documents use these words once each (MGUS "can
become ... chronic lymphocytic leukemia"), so neither the foreign-word signal
nor the similarities see a question about another disease. A readable list of
cancer names (lexicon/cancers.txt) and the passages' own counts tell the
library's subjects from the rest. A question naming only other cancers is
not answered confidently (settings.OTHER_CANCER_ABSTAINS), and the signal
joins the calibrated mix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

CANCERS_FILE = Path(__file__).parent / "lexicon" / "cancers.txt"


@dataclass(frozen=True)
class CancerNames:
    pattern: re.Pattern  # every name; the longest at a position wins
    condition_of: dict[str, int]  # name, lowercased and single-spaced -> condition
    titles: tuple[str, ...]  # each condition's first name, as the list writes it

    def named(self, text: str) -> set[int]:
        """Conditions the text names."""
        return {self.condition_of[_key(m.group(0))] for m in self.pattern.finditer(text)}

    def mentions(self, texts: list[str], condition: int, enough: int | None = None) -> int:
        """How often `texts` (lowercased, single-spaced) name `condition`, longest
        names first, counting no further than `enough`. Only texts holding one of
        its names are scanned, so a rare condition costs a substring search."""
        names = [n for n, c in self.condition_of.items() if c == condition]
        found = (
            m
            for text in texts
            if any(n in text for n in names)
            for m in self.pattern.finditer(text)
            if self.condition_of[_key(m.group(0))] == condition
        )
        return sum(1 for _ in islice(found, enough))

    def other_cancers(self, question: str, subjects: Subjects) -> list[str]:
        """The cancers the question names, when none of them is a subject; else none."""
        named = self.named(question)
        if any(c in subjects for c in named):
            return []
        return [self.titles[c] for c in sorted(named)]


class Subjects:
    """The library's subjects: the conditions its passages name at least
    `min_mentions` times. Counted on first demand, once per condition: a
    question names few conditions, and the passages can be many."""

    def __init__(self, names: CancerNames, texts: list[str], min_mentions: int):
        self.names = names
        self.texts = texts  # lowercased, single-spaced
        self.min_mentions = min_mentions
        self._known: dict[int, bool] = {}

    def __contains__(self, condition: int) -> bool:
        if condition not in self._known:  # a race only counts twice
            count = self.names.mentions(self.texts, condition, self.min_mentions)
            self._known[condition] = count >= self.min_mentions
        return self._known[condition]


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def parse(lines: list[str]) -> CancerNames:
    rows = [line.strip() for line in lines]
    rows = [row for row in rows if row and not row.startswith("#")]
    condition_of = {
        _key(name): n for n, row in enumerate(rows) for name in row.split("|") if name.strip()
    }
    titles = tuple(row.split("|")[0].strip() for row in rows)
    names = sorted(condition_of, key=len, reverse=True)
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    # A whole word, and not the tail of a hyphenated one ("non-Hodgkin"); it may
    # head one ("myeloma-related").
    pattern = re.compile(r"(?i)(?<![\w-])(?:" + alternatives + r")(?!\w)" if names else r"(?!)")
    return CancerNames(pattern, condition_of, titles)


def load(path: Path = CANCERS_FILE) -> CancerNames:
    return parse(path.read_text(encoding="utf-8").splitlines())
