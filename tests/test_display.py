"""Readable display text: only whitespace changes, every change checkable, and
offsets that still land on the same words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from search_app.display import explains, readable, span_to_display

FLAT = (
    "Signs and symptoms may be caused by myeloma . Check with your doctor if you have "
    "any of the following: Bone pain, especially in the back or ribs. Bones that break "
    "easily. Feeling very tired. A tumor can damage the bone ( and the kidneys ) ."
)


def test_list_items_go_on_their_own_lines():
    assert readable(FLAT) == (
        "Signs and symptoms may be caused by myeloma. Check with your doctor if you have "
        "any of the following:\n"
        "Bone pain, especially in the back or ribs.\n"
        "Bones that break easily.\n"
        "Feeling very tired.\n"
        "\n"
        "A tumor can damage the bone (and the kidneys)."
    )


def test_defined_terms_start_paragraphs():
    text = (
        "your doctor may do these tests: Skeletal bone survey : In a skeletal bone survey, "
        "x-rays are taken. MRI (magnetic resonance imaging) : A procedure that uses a magnet."
    )
    assert readable(text) == (
        "your doctor may do these tests:\n\nSkeletal bone survey: In a skeletal bone survey, "
        "x-rays are taken.\n\nMRI (magnetic resonance imaging): A procedure that uses a magnet."
    )


def test_prose_with_colons_and_paragraphs_is_left_alone():
    text = "Treatment may include: chemotherapy and radiation.\n\nPeople often do well.\xa0Really."
    assert (
        readable(text)
        == "Treatment may include: chemotherapy and radiation.\n\nPeople often do well. Really."
    )


def test_hard_wraps_join_and_bullets_stay():
    assert readable("It is important to know\nthe stage.\n- one\n- two") == (
        "It is important to know the stage.\n- one\n- two"
    )


def test_a_detached_hyphen_rejoins_its_word():
    assert readable("Healthy blood -forming cells.") == "Healthy blood-forming cells."


def test_explains_accepts_the_repairs_and_nothing_else():
    assert explains(readable(FLAT), FLAT)
    assert not explains("Bone pain especially", "Bone pain, especially")  # a character lost
    assert not explains("bonemarrow .", "bone marrow .")  # a space taken out between words
    assert not explains("Bone pain.", "Bone pain. More.")  # text dropped at the end
    assert not explains("Bone pain. More.", "Bone pain.")  # text added


@pytest.mark.parametrize("needle", ["Bones that break easily.", "Feeling very tired.", "A tumor"])
def test_spans_map_to_the_same_words(needle):
    display = readable(FLAT)
    start = FLAT.index(needle)
    lo, hi = span_to_display(FLAT, display, start, start + len(needle))
    assert display[lo:hi] == needle


_WORDS = st.sampled_from(
    ["Bone", "pain", ".", ",", "(", ")", ":", "following:", "The", "cells", "-forming", "is", "x"]
)


@given(
    st.lists(st.tuples(_WORDS, st.sampled_from([" ", "  ", "\n", "\n\n", " \xa0"])), max_size=40)
)
def test_any_text_is_explained_by_its_display(pieces):
    text = "".join(word + space for word, space in pieces)
    display = readable(text)
    assert explains(display, text)
    assert "".join(display.split()) == "".join(text.split())


@given(st.text(alphabet="ab .,:(\n", max_size=60), st.data())
def test_span_mapping_keeps_the_characters(text, data):
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    display = readable(text)
    lo, hi = span_to_display(text, display, start, end)
    assert "".join(display[lo:hi].split()) == "".join(text[start:end].split())


def test_every_passage_of_the_index(index, source_texts):
    """Every display text, its repairs undone, is its passage, which is its source span."""
    for p in index.passages:
        display = readable(p["text"])
        assert explains(display, p["text"]), p["id"]
        assert source_texts[p["source_file"]][p["start"] : p["end"]] == p["text"]
        assert " ." not in display and " ," not in display and "( " not in display, p["id"]
