"""The evaluation harness: gold set validity, relevance by evidence, metrics, calibration."""

import json
import subprocess
import sys
from types import SimpleNamespace

import pytest
from conftest import CORPUS_DIR, REPO_ROOT

from eval.calibrate import calibrate
from eval.compare import compare
from eval.gold import BLIND_FILES, BLIND_STYLES, STYLES, judge, load_gold, quote_spans
from eval.harness import run_configs
from retrieval.search import Pipeline


@pytest.fixture(scope="module")
def gold():
    return load_gold()


def test_every_quote_is_an_exact_substring_of_its_file(gold, source_texts):
    for q in gold:
        for file, quote in q.evidence:
            assert quote in source_texts[file], (q.id, quote[:60])


def test_gold_set_shape(gold):
    answerable = [q for q in gold if q.answerable]
    oos = [q for q in gold if not q.answerable]
    assert len(answerable) >= 100 and len(oos) >= 15
    assert {q.style for q in answerable} == set(STYLES)
    assert all(q.evidence for q in answerable) and not any(q.evidence for q in oos)
    assert len({q.id for q in gold}) == len(gold)
    assert {q.split for q in gold} == {"dev", "test"}


def test_gold_checker_script_passes():
    done = subprocess.run(
        [sys.executable, "eval/check_gold.py", "--corpus", str(CORPUS_DIR)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_answerable_question_has_a_relevant_passage(gold, index, source_texts):
    qrels = judge(gold, index.passages, source_texts)
    assert set(qrels) == {q.id for q in gold if q.answerable}
    assert all(qrels.values())


def _passage(pid, start, end):
    return {"id": pid, "source_file": "f.txt", "start": start, "end": end}


def test_relevance_needs_most_of_a_quote():
    text = "aaaa " * 10 + "the quoted sentence is right here." + " bbbb" * 10
    quote = "the quoted sentence is right here."
    qs, qe = quote_spans(text, quote)[0]
    q = SimpleNamespace(id="q", answerable=True, evidence=(("f.txt", quote),))
    passages = [
        _passage("holds-all", qs - 5, qe + 5),
        _passage("holds-most", qs + 4, qe + 10),  # misses "the "
        _passage("holds-little", qe - 6, qe + 20),
        _passage("elsewhere", 0, qs - 1),
    ]
    assert judge([q], passages, {"f.txt": text}) == {"q": {"holds-all": 1, "holds-most": 1}}


def test_missing_quote_is_a_gold_error():
    q = SimpleNamespace(id="q", answerable=True, evidence=(("f.txt", "not there"),))
    with pytest.raises(ValueError, match="quote not found"):
        judge([q], [], {"f.txt": "some text"})


class FakeSearcher:
    """Returns a fixed ranking, so the harness's arithmetic can be checked."""

    def __init__(self, rankings, confident, index, answers=None):
        self.rankings, self.confident, self.index = rankings, confident, index
        self.answers = answers or {}

    def clear_cache(self):
        pass

    def search(self, question, k, pipeline=None):
        ranking, confident = self.rankings.get(question, []), self.confident.get(question, False)
        hits = [
            SimpleNamespace(passage={"id": pid, "source_file": "f.txt"}, score=1.0)
            for pid in ranking[:k]
        ]
        answer = self.answers.get(question) if confident else None
        return SimpleNamespace(
            hits=hits,
            confident=confident,
            corrected_query=None,
            details={"confidence": {"top_sentence": 0.9 if confident else 0.1}},
            reason=None if confident else "no_clear_answer",
            answer=(
                SimpleNamespace(passage_id=ranking[0], start=answer[0], end=answer[1])
                if answer
                else None
            ),
        )


def test_harness_metrics_on_a_known_ranking():
    text = "first answer here. second answer here. nothing relevant at all here."
    passages = [_passage("p1", 0, 18), _passage("p2", 19, 38), _passage("p3", 39, len(text))]
    gold = [
        SimpleNamespace(
            id="a",
            question="qa",
            style="patient",
            answerable=True,
            evidence=(("f.txt", "first answer here."),),
        ),
        SimpleNamespace(
            id="b",
            question="qb",
            style="staff",
            answerable=True,
            evidence=(("f.txt", "second answer here."),),
        ),
        SimpleNamespace(
            id="c", question="qc", style="staff", answerable=False, evidence=(), kind="decision"
        ),
        SimpleNamespace(
            id="d", question="qd", style="staff", answerable=False, evidence=(), kind="passing"
        ),
    ]
    searcher = FakeSearcher(
        {"qa": ["p1", "p3"], "qb": ["p3", "p1", "p2"], "qc": ["p3"], "qd": ["p3"]},
        {"qa": True, "qb": False, "qc": False, "qd": True},
        SimpleNamespace(passages=passages),
        # qa's answer: "answer here." of "first answer here.", 12 of its 18 characters
        {"qa": (6, 18)},
    )
    results = run_configs(searcher, gold, {"f.txt": text}, {"x": Pipeline()})
    x = results["configs"]["x"]
    assert x["overall"]["hit_rate@1"] == 0.5
    assert x["overall"]["mrr@10"] == pytest.approx((1 + 1 / 3) / 2, abs=1e-4)
    assert x["by_style"]["staff"]["mrr@10"] == pytest.approx(1 / 3, abs=1e-4)
    assert x["overall"]["recall@10"] == 1.0
    # Flagged: qb (answerable) and qc (out of scope); qd, out of scope, was answered.
    assert x["abstention"] == {
        "precision": 0.5,
        "recall": 0.5,
        "answerable_flagged": 0.5,
        "by_kind": {"decision": 1.0, "passing": 0.0},
    }
    # qa's answer lies inside its quote; qb was not confident, so it has none.
    assert x["answers"] == {"answered": 1, "right": 1.0}


def test_an_answer_is_right_when_a_quote_covers_half_of_it_or_it_covers_half_of_a_quote():
    from eval.harness import answer_right

    text = "aaaa bbbb cccc dddd eeee ffff gggg hhhh."
    q = SimpleNamespace(evidence=(("f.txt", "cccc dddd eeee ffff"),))  # [10, 29)

    def right(start, end, file="f.txt"):
        return answer_right({"start": start, "end": end, "file": file}, q, {"f.txt": text})

    assert right(15, 19)  # inside the quote
    assert right(0, 20)  # half of it is quote
    assert right(10, 40)  # covers the whole quote
    assert not right(0, 12)  # 2 of 12 characters quoted, 2 of 19 of the quote covered
    assert not right(30, 40)  # beside it
    assert not right(15, 19, "other.txt")  # same offsets, another file


def test_calibration_separates_the_two_groups():
    gold = [SimpleNamespace(question=f"in{i}", answerable=True) for i in range(20)] + [
        SimpleNamespace(question=f"out{i}", answerable=False) for i in range(10)
    ]
    scores = {f"in{i}": 0.5 + i / 100 for i in range(20)} | {
        f"out{i}": 0.1 + i / 100 for i in range(10)
    }
    searcher = SimpleNamespace(
        search=lambda q, k: SimpleNamespace(
            details={"confidence": {"s": scores[q], "useless": 0.5}}
        )
    )
    result = calibrate(searcher, gold)
    assert result["feature"] == "s"
    assert (
        0.19 < result["threshold"] < 0.5
    )  # above every out-of-scope score, below every answerable
    assert result["oos_recall"] == 1.0 and result["answerable_flagged"] == 0.0


def test_calibration_respects_the_answerable_cap():
    # Overlapping groups: flagging all out-of-scope would flag too many answerable.
    gold = [SimpleNamespace(question=f"in{i}", answerable=True) for i in range(100)] + [
        SimpleNamespace(question=f"out{i}", answerable=False) for i in range(10)
    ]
    scores = {f"in{i}": 0.3 + i / 200 for i in range(100)} | {
        f"out{i}": 0.2 + i / 50 for i in range(10)
    }
    searcher = SimpleNamespace(
        search=lambda q, k: SimpleNamespace(details={"confidence": {"s": scores[q]}})
    )
    result = calibrate(searcher, gold, cap=0.03)
    assert result["answerable_flagged"] <= 0.03
    assert 0.5 <= result["oos_recall"] < 1.0


def test_calibration_mixes_complementary_signals_and_only_the_named_ones():
    # Signal a misses the first half of the out-of-scope questions, b the second;
    # only their mix flags all of them.
    gold = [SimpleNamespace(question=f"in{i}", answerable=True) for i in range(40)] + [
        SimpleNamespace(question=f"out{i}", answerable=False) for i in range(10)
    ]
    signals = {
        f"in{i}": {"a": 0.6 + i / 400, "b": 0.6 + (39 - i) / 400, "noise": i % 3} for i in range(40)
    }
    signals |= {
        f"out{i}": {"a": 0.65 if i < 5 else 0.1, "b": 0.1 if i < 5 else 0.65, "noise": i % 3}
        for i in range(10)
    }
    searcher = SimpleNamespace(
        search=lambda q, k: SimpleNamespace(details={"confidence": signals[q]})
    )
    result = calibrate(searcher, gold, mix=("a", "b"))
    assert result["feature"] == "combined"
    assert set(result["weights"]) == {"a", "b"}
    assert result["oos_recall"] == 1.0 and result["answerable_flagged"] <= 0.03
    alone = calibrate(searcher, gold, mix=("a",))  # nothing to mix: the best single signal
    assert alone["feature"] in {"a", "b"} and alone["oos_recall"] == 0.5


def test_compare_reports_wins_losses_and_a_paired_test(tmp_path):
    def result(values):
        return {
            "configs": {"service": {"per_question": {q: {"mrr@10": v} for q, v in values.items()}}}
        }

    a = {f"q{i}": 0.5 for i in range(12)}
    b = dict(a, q0=1.0, q1=1.0, q2=1.0, q3=1.0, q4=0.0)
    (tmp_path / "a.json").write_text(json.dumps(result(a)))
    (tmp_path / "b.json").write_text(json.dumps(result(b)))
    text = compare(tmp_path / "a.json", tmp_path / "b.json")
    assert "B wins 4, loses 1, ties 7" in text
    assert "Wilcoxon" in text and "win  q0: 0.500 -> 1.000" in text and "loss q4" in text


def test_logistic_mix_learns_which_signal_matters():
    from eval.calibrate import fit_logistic

    rows = [{"useful": i / 10, "noise": (i * 7 % 10) / 10} for i in range(10)]
    labels = [i >= 5 for i in range(10)]
    weights, bias = fit_logistic(rows, labels, ["useful", "noise"], l2=0.1)
    assert weights["useful"] > 0 and abs(weights["noise"]) < weights["useful"]

    def score(r):
        return bias + sum(w * r[f] for f, w in weights.items())

    assert min(score(r) for r, ok in zip(rows, labels) if ok) > max(
        score(r) for r, ok in zip(rows, labels) if not ok
    )


def test_coverage_counts_the_query_words_the_passages_hold(app):
    searcher = app.extensions["searcher"]
    lexical = searcher.parts.lexical
    ids = list(searcher.parts.passage_ids)
    plasma = [
        ids.index(p["id"]) for p in searcher.index.passages if "plasmapheresis" in p["text"].lower()
    ]
    assert lexical.coverage(["plasmapheresi"], plasma) == 1.0
    assert (
        lexical.coverage(["plasmapheresi", "zzzunknown"], plasma) < 0.5
    )  # the unknown word is rarer
    assert lexical.coverage([], plasma) == 0.0


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def _example_keys() -> set[str]:
    """The labelled scope examples' questions, folded."""
    from core import settings

    examples = (CORPUS_DIR / settings.SCOPE_EXAMPLES_NAME).read_text(encoding="utf-8")
    return {_key(json.loads(line)["question"]) for line in examples.splitlines() if line.strip()}


def test_the_fresh_questions_are_valid_and_apart_from_gold_and_examples(source_texts):
    """eval/fresh.jsonl was written blind after the last change: it measures, nobody tunes on it."""
    from eval.gold import GOLD_FILE

    fresh = load_gold(GOLD_FILE.parent / "fresh.jsonl")
    assert len(fresh) >= 90 and {q.style for q in fresh} == set(STYLES)
    for q in fresh:
        assert all(quote in source_texts[file] for file, quote in q.evidence), q.id
        assert bool(q.evidence) == q.answerable, q.id

    taken = {_key(q.question) for q in load_gold()} | _example_keys()
    assert not taken & {_key(q.question) for q in fresh}
    assert not {q.id for q in load_gold()} & {q.id for q in fresh}


@pytest.mark.parametrize("path", BLIND_FILES, ids=lambda p: p.name)
def test_the_blind_sets_are_valid_split_and_apart_from_the_examples(source_texts, path):
    """The blind sets are scored and calibrated on; the labelled scope examples the
    vote uses must hold none of their questions, or the vote would know the answer."""

    questions = load_gold(path)
    assert len(questions) >= 150 and {q.style for q in questions} == set(BLIND_STYLES)
    assert {q.split for q in questions} == {"dev", "test"}
    for q in questions:
        assert all(quote in source_texts[file] for file, quote in q.evidence), q.id
        assert bool(q.evidence) == q.answerable, q.id

    assert not _example_keys() & {_key(q.question) for q in questions}


def test_the_answer_scorer_learns_which_candidate_is_right():
    """Questions where the right sentence holds the question's words but is a little
    less near: the fitted scorer picks it over the nearest one."""
    from eval.calibrate import fit_answer_model
    from retrieval import answer

    rows = []
    for q in range(30):
        base = {f: 0.0 for f in answer.FEATURES}
        rows.append(({**base, "cosine": 0.6, "coverage": 0.9}, True, f"q{q}"))
        rows.append(({**base, "cosine": 0.65, "coverage": 0.1}, False, f"q{q}"))
        rows.append(({**base, "cosine": 0.3, "coverage": 0.2}, False, f"q{q}"))
    model = fit_answer_model(rows)
    right, near, far = (answer.Candidate(0, 0, 1, f) for f, _, _ in rows[:3])
    assert answer.best([near, right, far], model) is right
    assert answer.best([near, far], model) is near
