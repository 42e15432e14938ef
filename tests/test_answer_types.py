"""Answer types: a question asking for a figure is not answered by a passage without one."""

import pytest

from retrieval import answer_types

TYPES = answer_types.load()


def names(question):
    return [t.name for t in answer_types.asked(TYPES, question)]


@pytest.mark.parametrize(
    "question, expected",
    [
        ("what percentage of people with mgus get myeloma", ["percent"]),
        ("how expensive is a stem cell transplant", ["money"]),
        ("what is the usual dosage of dexamethasone", ["dose"]),
        ("how long does recovery from a transplant take", ["duration"]),
        ("what dose of lenalidomide is usual for maintenance", ["dose"]),
        ("what is high-dose chemotherapy", []),  # a treatment's name, not a question of amount
        ("why a high dose of chemo before the transplant", []),
        ("what is a stem cell transplant", []),
        ("ten-year relative survival after a transplant", ["percent"]),
        ("how high is the prevalence of mgus in older adults", ["percent"]),
        ("does treating early help people survive longer", []),  # asks whether, not how many
    ],
)
def test_questions_asking_for_a_figure_are_recognised(question, expected):
    assert names(question) == expected


def test_a_type_is_missing_only_when_no_passage_shows_it():
    question = "what percentage of patients respond to the drug"
    assert answer_types.missing(TYPES, question, ["Many patients respond to the drug."])
    assert not answer_types.missing(
        TYPES, question, ["No figure here.", "About 40% of patients respond."]
    )
    assert not answer_types.missing(TYPES, "what is the drug", ["No figure here."])  # nothing asked
    assert not answer_types.missing(TYPES, "dexamethasone dosage", ["40 mg once a week"])


def test_a_malformed_line_is_refused_with_its_text():
    assert answer_types.parse_line("# a comment") is None
    with pytest.raises(ValueError, match="name: question => evidence"):
        answer_types.parse_line("percent: no arrow here")


@pytest.fixture()
def searcher(app):
    return app.extensions["searcher"]


def test_searcher_reports_a_missing_figure(searcher):
    cost = searcher.search("how much does a stem cell transplant cost", 5).details["confidence"]
    what = searcher.search("what is a stem cell transplant", 5).details["confidence"]
    assert cost["answer_type_missing"] == 1.0  # the documents give no prices
    assert what["answer_type_missing"] == 0.0
