"""Passage packing: a list item's label goes with the description it labels."""

from indexer.passages import cut_passages
from indexer.structure.model import Section

FILLER = "The doctor checks the blood and the bones often. "


def _phases() -> str:
    return (
        "Induction therapy : This is the first phase of treatment. "
        + FILLER * 5
        + "Consolidation therapy : This is the second phase of treatment. "
        "Treatment in the consolidation phase is to kill any remaining cancer cells. " + FILLER * 4
    ).strip()


def _cut(text: str, share: float) -> list[str]:
    section = Section(path=("Treatment",), blocks=[(0, len(text))])
    return [
        p.text for p in cut_passages("doc", text, [section], 20, 60, 120, item_tail_share=share)
    ]


def test_label_closing_a_passage_moves_to_the_passage_it_labels():
    text = _phases()
    before = _cut(text, 0.0)
    assert before[0].endswith("Consolidation therapy : This is the second phase of treatment.")
    after = _cut(text, 0.25)
    assert after[1].startswith(
        "Consolidation therapy : This is the second phase of treatment. "
        "Treatment in the consolidation phase"
    )
    assert after[0].endswith(FILLER.strip())
    assert "".join(t.replace(" ", "") for t in after) == text.replace(" ", "")


def test_label_stays_when_it_would_take_too_much_of_the_passage():
    text = _phases()
    # The label is 9 of the first passage's 63 words: more than a tenth.
    assert _cut(text, 0.1)[0].endswith("This is the second phase of treatment.")


def test_a_passage_without_labels_is_cut_as_before():
    text = (FILLER * 20).strip()
    assert _cut(text, 0.25) == _cut(text, 0.0)
