"""The labelled questions' vote on whether the library answers a query."""

import json

import numpy as np
import pytest
from conftest import CORPUS_DIR, REPO_ROOT

from core import analysis, settings
from indexer.scope import read_examples, write_scope
from retrieval.scope import ScopeVote

EXAMPLES = read_examples(CORPUS_DIR / settings.SCOPE_EXAMPLES_NAME)
# Our own gold set's styles and the forms other people use (eval/gold.py).
STYLES = {"patient", "staff", "paraphrase", "keyword", "consumer", "drug", "message"}


def unit(*rows):
    v = np.asarray(rows, dtype=np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


def test_the_nearest_examples_vote_by_label():
    vectors = unit([1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0.9, 0.1], [0.1, 0.9, 0])
    vote = ScopeVote(vectors, [True, True, False, False, False], neighbours=2)
    assert vote.vote(unit([1, 0.05, 0])[0]) > 0.5  # beside the answerable pair
    assert vote.vote(unit([0.05, 1, 0])[0]) < -0.5  # beside the out-of-scope ones
    assert abs(vote.vote(unit([1, 1, 0])[0])) < 0.1  # halfway: no opinion


def test_a_vote_hears_no_more_examples_than_a_label_has():
    vote = ScopeVote(unit([1, 0], [0, 1], [0.1, 1]), [True, False, False], neighbours=5)
    assert vote.vote(unit([1, 0])[0]) == pytest.approx(1.0 - (0.0 + unit([0.1, 1])[0][0]) / 2)


def test_no_vote_without_both_labels(tmp_path):
    assert ScopeVote.load(tmp_path, 3) is None  # a build without examples
    (tmp_path / "scope_examples.json").write_text(
        json.dumps([{"question": "a", "answerable": True}])
    )
    np.save(tmp_path / "scope_vectors.npy", unit([1, 0]))
    assert ScopeVote.load(tmp_path, 3) is None


def test_a_malformed_example_is_refused_with_its_line(tmp_path):
    path = tmp_path / "examples.jsonl"
    path.write_text('{"question": "ok?", "answerable": false}\n{"question": "no label"}\n')
    with pytest.raises(ValueError, match=":2:"):
        read_examples(path)
    assert read_examples(tmp_path / "absent.jsonl") == []


def test_the_index_embeds_the_examples_as_queries_are_embedded(index, app):
    labels = json.loads((index.path / "scope_examples.json").read_text(encoding="utf-8"))
    assert [r["question"] for r in labels] == [e["question"] for e in EXAMPLES]
    searcher = app.extensions["searcher"]
    example = next(e for e in EXAMPLES if not e["answerable"])
    vectors = np.load(index.path / "scope_vectors.npy")
    row = [e["question"] for e in EXAMPLES].index(example["question"])
    query = searcher.embed_query(analysis.normalize(example["question"])).reshape(-1)
    assert float(vectors[row] @ query) == pytest.approx(1.0, abs=1e-4)
    result = searcher.search(example["question"], 5)
    asked = searcher.embed_query(result.corrected_query or analysis.normalize(example["question"]))
    assert result.details["confidence"]["scope_vote"] == pytest.approx(
        searcher.parts.scope.vote(asked), abs=1e-5
    )


def test_write_scope_skips_a_corpus_without_examples(tmp_path):
    assert write_scope(None, tmp_path / "absent.jsonl", tmp_path, 8) == 0
    assert not (tmp_path / "scope_vectors.npy").exists()


# --- the curated file itself ---------------------------------------------------


def test_examples_have_both_labels_and_known_styles():
    assert sum(e["answerable"] for e in EXAMPLES) >= 50
    assert sum(not e["answerable"] for e in EXAMPLES) >= 50
    assert {e["style"] for e in EXAMPLES} == STYLES
    keys = [" ".join(e["question"].lower().split()) for e in EXAMPLES]
    assert len(keys) == len(set(keys))


def test_an_answerable_example_quotes_its_answer_and_an_unanswerable_one_says_why(source_texts):
    for e in EXAMPLES:
        if e["answerable"]:
            assert e["evidence"], e["question"]
            for quote in e["evidence"]:
                assert quote["quote"] in source_texts[quote["file"]], e["question"]
        else:
            assert not e.get("evidence") and e["why"].strip(), e["question"]


def test_no_example_is_a_gold_question():
    """The gold set measures the vote; a gold question among the examples would vote for itself."""
    gold = {
        " ".join(json.loads(line)["question"].lower().split())
        for line in (REPO_ROOT / "eval" / "gold.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    }
    assert not gold & {" ".join(e["question"].lower().split()) for e in EXAMPLES}
