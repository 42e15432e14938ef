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


def test_a_called_term_keeps_its_words_and_a_label_defines_its_words():
    assert defined_terms("This is called smoldering multiple myeloma .") == [
        "smolder",
        "multipl",
        "myeloma",
    ]
    # The term stops at a clause word: "when" is not part of it.
    assert defined_terms("They are called refractory when it grows.") == ["refractori"]
    text = (
        "Consolidation therapy : This is the second phase of treatment. "
        "PET scan (positron emission tomography scan) : A procedure to find tumor cells."
    )
    assert defined_terms(text) == [
        "consolid",
        "therapi",
        "pet",
        "scan",
        "positron",
        "emiss",
        "tomographi",
    ]
    # A sentence ending in a colon before a list defines nothing.
    assert defined_terms("The prognosis depends on the following: The type of neoplasm.") == []


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


def test_the_boost_goes_by_the_defined_words_a_question_holds_rarest_first(searcher):
    """Words no passage defines ("dad", "exactly") take no share of the boost; of
    the defined ones, the rarer ("relapsed" beside "myeloma") takes more."""
    import numpy as np

    from retrieval import second_stage

    passages = searcher.index.passages
    relapse = next(i for i, p in enumerate(passages) if "called relapsed" in p["text"])
    myeloma_only = next(
        i for i, d in enumerate(searcher.parts.defines) if "myeloma" in d and "relaps" not in d
    )
    head = np.array([relapse, myeloma_only])

    def boosts(question):
        final = np.zeros(2)
        second_stage._boost_definitions(searcher.parts, searcher.plan(question), head, final, 1.0)
        return final

    assert boosts("what does relapsed mean")[0] == 1.0
    mixed = boosts("my dad's myeloma relapsed what does that mean exactly")
    assert mixed[0] > 0.5 > mixed[1] > 0.0
