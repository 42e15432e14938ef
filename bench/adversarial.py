"""What the costliest questions an attacker can send cost, next to ordinary ones.

`python -m bench.adversarial [--index DIR] [--reference]`: in-process, with
the real Searcher and one torch thread (as a server worker has), every query
first goes through the API's own check (`analysis.clean_query`: normalise,
then the length and word limits); a refused one costs only that check, an
accepted one a full search with every cache cleared first. Each query's cost
is its process CPU time, the least of a few repeats (other work on the
machine only ever adds to it). The ratio is to the median cost of ordinary
questions (gold questions); the target is that no query within the limits
costs more than 5 times that median. Writes results/adversarial.{json,md}
(docs/results/ with --reference).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

TARGET_RATIO = 5.0
REPO = Path(__file__).resolve().parent.parent


def _random_words(rng: random.Random, count: int, length: int) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(length)) for _ in range(count)]


def _misspelled(word: str, rng: random.Random) -> str:
    """Two edits: a swap of neighbours and a dropped letter."""
    i = rng.randrange(1, len(word) - 2)
    word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    j = rng.randrange(1, len(word) - 1)
    return word[:j] + word[j + 1 :]


MEDICAL = (
    "myeloma plasmacytoma transplant dexamethasone lenalidomide bortezomib thalidomide "
    "amyloidosis macroglobulinemia hypercalcemia creatinine chemotherapy radiation infection "
    "bisphosphonate kyphoplasty vertebroplasty plasmapheresis immunoglobulin monoclonal "
    "daratumumab carfilzomib pomalidomide melphalan cyclophosphamide neuropathy anemia "
    "smoldering refractory relapsed remission maintenance autologous allogeneic"
).split()
SCRIPTS = [
    "миелома",  # Cyrillic
    "μυέλωμα",  # Greek
    "ورم",  # Arabic
    "מיאלומה",  # Hebrew
    "骨髓瘤",  # CJK
    "मायलोमा",  # Devanagari
    "myélome",  # Latin with accents
    "骨髄腫",  # Japanese
    "골수종",  # Hangul
    "ไมอีโลมา",  # Thai
]


def most_that_fit(unit: str, sep: str, max_chars: int, max_words: int) -> str:
    """`unit` repeated as often as the API's limits allow (normalised)."""
    from core import analysis

    n = 1
    while True:
        try:
            analysis.clean_query(sep.join([unit] * (n + 1)), max_chars, max_words)
        except analysis.QueryRefused:
            return sep.join([unit] * n)
        n += 1


def attacks(max_chars: int, max_words: int) -> list[tuple[str, str, str]]:
    """(name, kind, query): the largest of each kind within the limits, and some beyond."""
    from core import analysis
    from retrieval.querying import MAX_WORD_CHARS

    rng = random.Random(19)
    fit = lambda unit, sep=" ": most_that_fit(unit, sep, max_chars, max_words)  # noqa: E731
    distinct = _random_words(rng, max_words, 8)
    longest = _random_words(rng, max_chars // (MAX_WORD_CHARS + 1), MAX_WORD_CHARS)
    misspelt = [_misspelled(w, rng) for w in (MEDICAL * 3)[:max_words]]
    mixed = [SCRIPTS[i % len(SCRIPTS)] for i in range(max_words)]
    while len(analysis.query_words(" ".join(mixed))) > max_words:
        mixed.pop()  # a word of some scripts is several runs (vowel signs split it)
    return [
        ("fdfa-890", "expanding", "\ufdfa" * 890),
        ("fdfa-most", "expanding", fit("\ufdfa", "")),
        ("ligature-ffi", "expanding", "\ufb03" * (max_chars // 3)),
        ("combining-marks", "expanding", "a" + "\u0301" * (max_chars - 1)),
        ("zero-width-in-words", "invisible", fit("mye\u200bloma")),
        ("zero-width-only", "invisible", "\u200b" * max_chars),
        ("words-100", "many words", " ".join(_random_words(rng, 100, 6))),
        ("distinct-words-most", "many words", " ".join(distinct)),
        ("digits-most", "many words", " ".join(str(i) for i in range(max_words))),
        ("one-long-word", "long words", "".join(_random_words(rng, 1, max_chars))),
        ("longest-words", "long words", " ".join(longest)),
        ("repeated-word", "long words", fit("myeloma")),
        ("misspellings-most", "misspellings", " ".join(misspelt)),
        ("mixed-scripts", "mixed scripts", " ".join(mixed)),
        ("cjk-run", "mixed scripts", "骨髓瘤" * (max_chars // 3)),
        ("punctuation", "no words", "?!" * (max_chars // 2)),
    ]


def cost(searcher, check, query: str, repeats: int) -> tuple[float, str]:
    """(least CPU seconds over `repeats`, outcome) of checking and searching `query`."""
    from core import analysis

    best, outcome = float("inf"), ""
    for _ in range(repeats):
        searcher.clear_cache()
        started = time.process_time()
        try:
            text = check(query)
        except analysis.QueryRefused as refused:
            outcome = f"400 {refused.code}"
        else:
            searcher.search(text, 10)
            outcome = "200"
        best = min(best, time.process_time() - started)
    return best, outcome


def run(index_dir: Path, baseline: int, repeats: int) -> dict:
    from core import analysis, settings
    from retrieval.index import load_index
    from retrieval.search import Searcher

    from .floor import gold_questions

    max_chars, max_words = settings.MAX_QUERY_CHARS, settings.MAX_QUERY_WORDS

    def check(q: str) -> str:
        return analysis.clean_query(q, max_chars, max_words)

    searcher = Searcher(load_index(index_dir))
    searcher.search("warm up the model and every table", 10)
    analysis.invisible()
    questions = gold_questions()
    step = max(len(questions) // baseline, 1)
    ordinary = [cost(searcher, check, q, repeats)[0] for q in questions[::step][:baseline]]
    median = statistics.median(ordinary)
    rows = []
    for name, kind, query in attacks(max_chars, max_words):
        seconds, outcome = cost(searcher, check, query, repeats)
        normalised = analysis.normalize(query)
        rows.append(
            {
                "name": name,
                "kind": kind,
                "typed_chars": len(query),
                "normalised_chars": len(normalised),
                "words": len(analysis.query_words(normalised)),
                "outcome": outcome,
                "cpu_ms": round(seconds * 1000, 2),
                "ratio": round(seconds / median, 2),
            }
        )
    accepted = [r for r in rows if r["outcome"] == "200"]
    worst = max(accepted, key=lambda r: r["ratio"])
    return {
        "when": time.strftime("%Y-%m-%d %H:%M"),
        "torch_threads": settings.TORCH_THREADS,
        "limits": {"max_query_chars": max_chars, "max_query_words": max_words},
        "baseline": {
            "questions": len(ordinary),
            "median_cpu_ms": round(median * 1000, 2),
            "max_cpu_ms": round(max(ordinary) * 1000, 2),
        },
        "repeats": repeats,
        "rows": rows,
        "worst": {"name": worst["name"], "ratio": worst["ratio"]},
        "target_ratio": TARGET_RATIO,
        "within_target": worst["ratio"] <= TARGET_RATIO,
    }


def markdown(result: dict) -> str:
    base = result["baseline"]
    lines = [
        f"{result['when']}, in-process, {result['torch_threads']} torch thread, "
        f"least CPU time of {result['repeats']} runs, caches cleared before each; "
        f"limits {result['limits']['max_query_chars']} characters and "
        f"{result['limits']['max_query_words']} words after normalisation. Ordinary questions: "
        f"{base['questions']} gold questions, median {base['median_cpu_ms']} ms CPU "
        f"(slowest {base['max_cpu_ms']} ms).",
        "",
        "| query | kind | typed chars | normalised chars | words | answer | CPU ms | x median |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in result["rows"]:
        lines.append(
            f"| `{r['name']}` | {r['kind']} | {r['typed_chars']:,} | {r['normalised_chars']:,} "
            f"| {r['words']} | {r['outcome']} | {r['cpu_ms']} | {r['ratio']} |"
        )
    worst = result["worst"]
    verdict = "within" if result["within_target"] else "OVER"
    lines += [
        "",
        f"Worst accepted query: `{worst['name']}`, {worst['ratio']} x the median "
        f"({verdict} the target of {result['target_ratio']} x).",
    ]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        prog="python -m bench.adversarial", description=__doc__.split("\n")[0]
    )
    p.add_argument("--index", type=Path, default=None, help="index directory (default: settings)")
    p.add_argument("--baseline", type=int, default=40, help="ordinary questions to time")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--reference", action="store_true", help="write docs/results/ instead")
    a = p.parse_args(argv)
    os.environ.setdefault("CANCER_SEARCH_TORCH_THREADS", "1")  # as a server worker
    from core import settings

    settings.check_or_exit("bench.adversarial")
    result = run(a.index or settings.INDEX_DIR, a.baseline, a.repeats)
    out = REPO / ("docs/results" if a.reference else "results")
    out.mkdir(parents=True, exist_ok=True)
    (out / "adversarial.json").write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    table = markdown(result)
    (out / "adversarial.md").write_text(table, encoding="utf-8")
    print(table)
    return 0 if result["within_target"] else 1


if __name__ == "__main__":
    sys.exit(main())
