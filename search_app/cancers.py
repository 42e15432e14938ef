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
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

CANCERS_FILE = Path(__file__).parent / "lexicon" / "cancers.txt"


@dataclass(frozen=True)
class CancerNames:
    pattern: re.Pattern  # every name; the longest at a position wins
    condition_of: dict[str, int]  # name, lowercased and single-spaced -> condition

    def named(self, text: str) -> set[int]:
        """Conditions the text names."""
        return {self.condition_of[_key(m.group(0))] for m in self.pattern.finditer(text)}

    def subjects(self, texts: list[str], min_mentions: int) -> frozenset[int]:
        """Conditions named at least `min_mentions` times over `texts`."""
        counts = Counter(self.condition_of[_key(m.group(0))]
                         for text in texts for m in self.pattern.finditer(text))
        return frozenset(c for c, n in counts.items() if n >= min_mentions)

    def other_cancer(self, question: str, subjects: frozenset[int]) -> bool:
        """True when the question names cancers and none of them is a subject."""
        named = self.named(question)
        return bool(named) and not (named & subjects)


def _key(name: str) -> str:
    return " ".join(name.lower().split())


def parse(lines: list[str]) -> CancerNames:
    rows = [line.strip() for line in lines]
    rows = [row for row in rows if row and not row.startswith("#")]
    condition_of = {_key(name): n for n, row in enumerate(rows)
                    for name in row.split("|") if name.strip()}
    names = sorted(condition_of, key=len, reverse=True)
    alternatives = "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in names)
    # A whole word, and not the tail of a hyphenated one ("non-Hodgkin"); it may
    # head one ("myeloma-related").
    pattern = re.compile(r"(?i)(?<![\w-])(?:" + alternatives + r")(?!\w)" if names else r"(?!)")
    return CancerNames(pattern, condition_of)


def load(path: Path = CANCERS_FILE) -> CancerNames:
    return parse(path.read_text(encoding="utf-8").splitlines())
