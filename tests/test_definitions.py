"""Questions asking what a term means reach the passage that defines it."""

import pytest

from indexer.definitions import defined_terms
from retrieval.querying import defined_term_stems


def test_defining_shapes_are_found_and_stemmed():
    text = (
        "Plasma cell neoplasms are called refractory when the number keeps going up. "
        "The cells form one tumor, called a plasmacytoma. Physician Data Query (PDQ) is the "
        "database. Treatment of refractory myeloma may include the following:"
    )
    assert defined_terms(text) == ["refractori", "plasmacytoma", "neoplasm", "pdq"]
    assert defined_terms("Treatment of refractory myeloma may include chemotherapy.") == []


@pytest.mark.parametrize(
    "question, stems",
    [
        ("wat does refractory mean", ["refractori"]),
        ("relapsed definition", ["relaps"]),
        ("what is staging?", ["stage"]),
        ("how is myeloma treated", []),  # no question of meaning
    ],
)
def test_definition_questions_name_their_term(question, stems):
    assert defined_term_stems(question) == stems


@pytest.fixture()
def searcher(app):
    return app.extensions["searcher"]


def test_the_defining_passage_is_boosted_and_the_boost_is_a_switch(searcher):
    question = "what does refractory mean for my myeloma"
    on = searcher.search(question, 5)
    off = searcher.search(question, 5, pipeline=searcher.pipeline.replace(definition_boost=0.0))
    assert "called refractory" in on.hits[0].passage["text"]
    defining = next(h for h in on.hits if "called refractory" in h.passage["text"])
    before = next((h for h in off.hits if h.passage["id"] == defining.passage["id"]), None)
    assert before is None or defining.score > before.score
