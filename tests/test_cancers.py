"""Other cancers: a question naming only diseases the library mentions in passing."""

import pytest

from retrieval import cancers

NAMES = cancers.load()


def condition(name):
    (found,) = NAMES.named(name)
    return found


@pytest.mark.parametrize(
    "text, expected",
    [
        ("see Non-Hodgkin Lymphoma Treatment", {"non-Hodgkin lymphoma"}),  # not Hodgkin lymphoma
        ("first-line treatment of Hodgkin's disease", {"Hodgkin lymphoma"}),
        ("acute  myeloid leukaemia induction", {"acute myeloid leukemia"}),  # spacing, spelling
        (
            "is ALL the same as AML",
            {"acute myeloid leukemia"},
        ),  # "ALL" is not listed: an English word
        ("treat all patients the same", set()),
        ("can mgus turn into cll", {"chronic lymphocytic leukemia", "MGUS"}),  # typed in lower case
        ("myeloma-related kidney damage", {"myeloma"}),
        ("smouldering myeloma or pancreatic cancer", {"myeloma", "pancreatic cancer"}),
        ("is this a blood cancer", set()),  # a lay name for the library's own disease
    ],
)
def test_names_are_found_whole_and_longest_first(text, expected):
    assert NAMES.named(text) == {condition(n) for n in expected}


def test_subjects_are_the_conditions_named_often_enough():
    texts = [
        "myeloma and mgus.",
        "myeloma again; mgus can become lymphoplasmacytic lymphoma.",
        "multiple myeloma; see non-hodgkin lymphoma treatment.",
    ]
    three = cancers.Subjects(NAMES, texts, 3)
    assert condition("myeloma") in three and condition("MGUS") not in three
    assert condition("MGUS") in cancers.Subjects(NAMES, texts, 2)
    # Longest names first: neither mention of "lymphoma" is lymphoma itself.
    assert NAMES.mentions(texts, condition("lymphoma")) == 0
    assert NAMES.mentions(texts, condition("non-Hodgkin lymphoma")) == 1


def test_a_question_is_about_another_cancer_only_when_it_names_no_subject():
    subjects = cancers.Subjects(NAMES, ["myeloma, mgus"] * 3, 3)
    assert NAMES.other_cancers("chemo regimen for pancreatic cancer", subjects) == [
        "pancreatic cancer"
    ]
    assert NAMES.other_cancers("can cll or hodgkin's disease come back", subjects) == [
        "chronic lymphocytic leukemia",
        "Hodgkin lymphoma",
    ]  # the list's first name for each
    assert NAMES.other_cancers("can mgus turn into lymphoma", subjects) == []  # names a subject too
    assert NAMES.other_cancers("is chemo hard on the kidneys", subjects) == []  # names no cancer


def test_parse_groups_other_names_and_skips_comments():
    parsed = cancers.parse(
        ["# comment", "", "breast cancer | breast cancers", "CLL | chronic lymphocytic leukemia"]
    )
    assert parsed.named("Breast  Cancer and CLL") == {0, 1}
    assert parsed.named("breast cancers, chronic lymphocytic leukemia") == {0, 1}
    assert parsed.titles == ("breast cancer", "CLL")


def test_searcher_flags_a_question_about_a_cancer_the_documents_only_mention(app):
    searcher = app.extensions["searcher"]
    # The PDQ page names chronic lymphocytic leukemia once, as something MGUS can become.
    other = searcher.search("how is chronic lymphocytic leukemia staged", 5).details["confidence"]
    own = searcher.search("how is multiple myeloma staged", 5).details["confidence"]
    assert other["other_cancer"] == 1.0
    assert own["other_cancer"] == 0.0


def test_the_service_does_not_answer_a_question_about_another_cancer(app, monkeypatch):
    searcher = app.extensions["searcher"]
    question = "how is chronic lymphocytic leukemia staged"
    assert not searcher.search(question, 5).confident
    assert searcher.search("how is multiple myeloma staged", 5).confident
    monkeypatch.setattr("core.settings.OTHER_CANCER_ABSTAINS", False)
    searcher.clear_cache()
    assert searcher.search(question, 5).confident  # the similarities alone would answer it


def test_the_api_and_the_page_say_which_cancer_the_library_does_not_cover(client):
    question = "how is hodgkin lymphoma treated <b>now</b>"
    body = client.get("/api/search", query_string={"q": question}).get_json()
    assert body["not_covered"] == ["Hodgkin lymphoma"] and body["confident"] is False
    own = client.get(
        "/api/search", query_string={"q": "how is multiple myeloma treated"}
    ).get_json()
    assert "not_covered" not in own
    page = client.get("/search", query_string={"q": question}).get_data(as_text=True)
    assert "do not cover Hodgkin lymphoma" in page
    assert "<b>now</b>" not in page  # what the user typed stays escaped
