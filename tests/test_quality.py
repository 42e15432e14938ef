"""Real questions, typed as people type them: the answering passage ranks in the top 3.

Written for this test (not taken from the gold set); each names the words of
the source that answer it (any one of several, where the corpus says it more
than once).
"""

import pytest

QUESTIONS = [
    (
        "what is plasmapheresis used for",
        "plasmapheresis is done to remove extra plasma and antibody proteins from the blood",
    ),
    (
        "blood levels that define stage I myeloma",
        "beta-2-microglobulin level is lower than 3.5 mg/L",
    ),
    (
        "what does watchful waiting mean",
        "Watchful waiting is closely monitoring a patient’s condition without giving any treatment",
    ),
    (
        "symptoms of too much calcium in the blood",
        "Hypercalcemia may cause the following signs and symptoms",
    ),
    ("how is MGUS treated", "is usually watchful waiting"),
    ("how does car t cell therapy work", "This treatment changes the patient's T cells"),
    (
        "do people with smoldering myeloma need treatment right away",
        "People with smoldering myeloma often do well for years without treatment.",
    ),
    (
        "can myeloma mess up my kidneys",
        ("can damage the kidneys", "such as  the kidney and heart", "including the kidneys"),
    ),
    (
        "what happens in a bone marrow biopsy",
        "by inserting a hollow needle into the hipbone or breastbone",
    ),
    ("amyloydosis symtoms", "Amyloidosis may cause the following signs and symptoms"),
    ("who is more likely to get myeloma", "other risk factors  include the following"),
    ("maintenance treatment after transplant", "This is known as maintenance treatment."),
]


@pytest.mark.parametrize("question, answer", QUESTIONS)
def test_answer_in_top_three(client, question, answer):
    answers = (answer,) if isinstance(answer, str) else answer
    body = client.get("/api/search", query_string={"q": question, "k": 3}).get_json()
    texts = [r["text"] for r in body["results"]]
    assert any(a in t for a in answers for t in texts), (question, [t[:80] for t in texts])
