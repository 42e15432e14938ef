"""The learned-second-stage study: its features reproduce the service, its fit learns."""

import numpy as np
import pytest

from eval import second_stage
from eval.gold import judge, load_gold


@pytest.fixture(scope="module")
def searcher(app):
    return app.extensions["searcher"]


def test_service_weights_over_the_features_rank_as_the_service_does(searcher, source_texts):
    questions = [q for q in load_gold(split="dev") if q.answerable][:12]
    qrels = judge(questions, searcher.index.passages, source_texts)
    heads = second_stage.heads(searcher, questions, qrels)
    cols = second_stage.columns(second_stage.SERVICE)
    weights = second_stage.service_weights()
    for head, question in zip(heads, questions):
        scores = head.features[:, cols] @ np.asarray(weights)
        order = head.passages[np.lexsort((np.arange(len(scores)), -scores))]
        served = [h.passage["id"] for h in searcher.search(question.question, 5).hits]
        assert [searcher.index.passages[i]["id"] for i in order[:5]] == served
        assert head.relevant.any()


def _synthetic(n_questions: int, seed: int = 0) -> list:
    """Heads where feature 'sent' marks the relevant passage and 'first' is noise."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(n_questions):
        features = rng.normal(size=(10, len(second_stage.FEATURES)))
        relevant = np.zeros(10, dtype=bool)
        relevant[rng.integers(10)] = True
        features[:, second_stage.FEATURES.index("sent")] += 3.0 * relevant
        out.append(second_stage.Head(f"s{k}", "dev", "keyword", np.arange(10), features, relevant))
    return out


def test_fit_weights_the_telling_feature_and_cross_validates():
    heads = _synthetic(40)
    cols = second_stage.columns(["first", "sent"])
    weights = second_stage.fit(heads, cols)
    assert weights[1] > 1.0 and abs(weights[0]) < weights[1] / 3
    assert second_stage.cross_validated(heads, cols) > 0.8
    assert second_stage.reciprocal_ranks(heads, cols, [1.0, 0.0]).mean() < 0.6
