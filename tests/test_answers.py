"""The answer sentence, personal-decision questions and what questions ask about."""

from __future__ import annotations

import json

import pytest
from conftest import REPO_ROOT

from indexer.definitions import heading_terms, names_a_thing
from indexer.passages import Passage
from retrieval import decisions, intents

GOLD = [json.loads(line) for line in (REPO_ROOT / "eval" / "gold.jsonl").open(encoding="utf-8")]


def test_a_confident_answer_is_an_exact_span_inside_the_first_result(client, source_texts):
    r = client.get("/api/search", query_string={"q": "what is smoldering myeloma", "k": 3})
    body = r.get_json()
    assert body["confident"] is True and "reason" not in body
    answer, first = body["answer"], body["results"][0]
    assert answer["id"] == first["id"] and answer["source_file"] == first["source_file"]
    assert first["start"] <= answer["start"] < answer["end"] <= first["end"]
    name = answer["source_file"].removeprefix("corpus/")
    assert source_texts[name][answer["start"] : answer["end"]] == answer["text"]
    assert answer["text"] in first["text"] and len(answer["text"]) < len(first["text"])


@pytest.mark.parametrize(
    "question",
    [
        "my mom is 70 and could get a transplant or keep the drugs. should she do the transplant?",
        "I relapsed and they offer two options. which one would be best for me?",
        "what would you do if you were me, start lenalidomide now or wait?",
    ],
)
def test_a_personal_decision_is_never_confident_and_says_care_team(client, question):
    body = client.get("/api/search", query_string={"q": question}).get_json()
    assert body["confident"] is False and body["answer"] is None
    assert body["reason"]["code"] == "care_team"
    assert "care team" in body["reason"]["message"]
    assert body["results"]  # the closest passages are still given


def test_an_unanswered_question_says_why(client):
    body = client.get("/api/search", query_string={"q": "how is hodgkin lymphoma treated"})
    body = body.get_json()
    assert body["confident"] is False and body["reason"]["code"] == "not_covered"


def test_decision_forms_need_an_asker_and_spare_general_questions():
    forms = decisions.load()
    assert decisions.asks_decision(forms, "Should my dad stop his treatment before surgery?")
    assert decisions.asks_decision(forms, "is it safe for me to fly after the transplant?")
    assert not decisions.asks_decision(forms, "Should patients with MGUS be treated?")
    assert not decisions.asks_decision(forms, "why does he need the stem cells at all")
    # The project's own answerable questions are general; the few flagged weigh a
    # choice for the asker ("which drugs work best for me").
    answerable = [g["question"] for g in GOLD if g["answerable"]]
    flagged = [q for q in answerable if decisions.asks_decision(forms, q)]
    assert len(flagged) <= 0.01 * len(answerable)


def test_decision_forms_on_messages_written_for_them():
    """eval/decision_messages.jsonl: 30 personal decisions asked in many ways and 30
    personal messages asking general questions, written from the corpus alone."""
    forms = decisions.load()
    path = REPO_ROOT / "eval" / "decision_messages.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    caught = [decisions.asks_decision(forms, r["question"]) for r in rows if r["decision"]]
    spared = [not decisions.asks_decision(forms, r["question"]) for r in rows if not r["decision"]]
    assert sum(caught) >= 0.9 * len(caught) and sum(spared) >= 0.95 * len(spared)


def test_intents_of_questions_and_of_sections():
    table = intents.load()
    assert intents.asked(table, "How to diagnose smoldering multiple myeloma ?") == {"diagnosis"}
    assert "prognosis" in intents.asked(table, "What is the outlook for multiple myeloma ?")
    assert "stages" not in intents.asked(table, "what is the second stage of therapy for?")
    assert intents.DOCUMENT in intents.asked(table, "how do i cite this pdq page")
    tests = ["General Information", "Tests that examine the blood are used to diagnose myeloma."]
    assert intents.of_section(table, tests) == {"diagnosis"}
    assert intents.of_section(table, ["About This PDQ Summary"]) == {intents.DOCUMENT}
    assert intents.DOCUMENT not in intents.of_section(table, ["Treatment of Multiple Myeloma"])
    # A heading that opens with "Treatment" is about treatment, the title included ...
    assert "treatment" in intents.asked(table, "What are the treatments for MGUS ?")
    assert intents.of_section(table, ["Treatment of Multiple Myeloma"]) == {"treatment"}
    assert intents.of_section(table, ["Smoldering myeloma"], "Treatment Options for Myeloma") == {
        "treatment"
    }
    # ... one that merely names treatment later is not.
    assert "treatment" not in intents.of_section(
        table, ["Stages", "Neoplasms may come back after treatment."]
    )
    with pytest.raises(ValueError):
        intents.parse_line("no arrow: just a pattern")


def _passage(n: int, section: tuple[str, ...]) -> Passage:
    return Passage(id=f"p{n}", doc_id="d", section=section, start=0, end=1, text="x")


def test_a_section_named_for_a_thing_defines_it_in_its_first_passage():
    assert names_a_thing("Monoclonal gammopathy of undetermined significance (MGUS)")
    assert names_a_thing("Chemotherapy")
    assert not names_a_thing("Treatment of Multiple Myeloma")
    assert not names_a_thing("Age can affect the risk of plasma cell neoplasms.")
    passages = [
        _passage(1, ("Types", "Chemotherapy")),
        _passage(2, ("Types", "Chemotherapy")),
        _passage(3, ("Treatment of Multiple Myeloma",)),
    ]
    assert heading_terms(passages) == [["chemotherapi"], [], []]


def test_answer_coverage_counts_only_words_some_passage_has(app):
    """A word no passage uses ("zqxv") can be in no sentence: it must not drown the
    words that tell the sentences apart."""
    from retrieval import answer

    searcher = app.extensions["searcher"]
    query = "zqxv kidneys"
    vector = searcher.embed_query(query)
    row = next(
        n for n, p in enumerate(searcher.index.passages) if "including the kidneys" in p["text"]
    )
    found = answer.candidates(searcher.parts, vector, ["zqxv", "kidney"], [row], [1.0])
    texts = searcher.index.passages[row]["text"]
    with_kidneys = [c for c in found if "kidney" in texts[c.start : c.end]]
    assert with_kidneys and all(c.features["coverage"] == 1.0 for c in with_kidneys)


def test_each_sentence_is_analysed_once_into_the_stems_of_its_own_text(app):
    from core import analysis

    parts = app.extensions["searcher"].parts
    stems, spans = parts.sentence_stems, parts.sentence_spans
    for row, (start, end) in enumerate(spans.tolist()):
        text = parts.index.passages[int(parts.sentences.owner[row])]["text"][start:end]
        expected = frozenset(analysis.bm25_tokens([text])[0])
        assert stems[row] == expected and stems[row] is stems[row]  # kept, not redone
