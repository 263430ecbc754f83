"""Citation markers: one pattern, never read as numbers, ranges expanded, renumbered in order of first use."""

from __future__ import annotations

import pytest

from assistant.text.citations import (
    cited_numbers,
    marker_numbers,
    normalise_markers,
    renumber,
    rewrite_markers,
    strip_citations,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 mg/day [1].", "30 mg/day."),
        ("30 mg/day [1][2].", "30 mg/day."),
        ("Up to 80 mg [1, 2] daily.", "Up to 80 mg daily."),
        ("Start low [1-3].", "Start low."),
        ("Start low [1\u20133].", "Start low."),
        ("see[1]5 mg", "see 5 mg"),  # a glued marker must not glue the number to a word
    ],
)
def test_strip_citations(text, expected):
    assert strip_citations(text) == expected


def test_marker_numbers_expand_ranges_and_keep_order():
    assert marker_numbers("1, 2") == [1, 2]
    assert marker_numbers("1-3") == [1, 2, 3]
    assert marker_numbers("3, 1, 3") == [3, 1]
    assert marker_numbers("1-300") == [1, 300]  # not a range anyone cites: its two ends


def test_cited_numbers_in_order_of_first_use():
    assert cited_numbers("A [2]. B [1, 2]. C [3-4].") == [2, 1, 3, 4]
    assert cited_numbers("No markers, 30 mg.") == []


def test_renumber_in_order_of_first_use():
    text, order = renumber("A [3]. B [1, 3]. C [1].")
    assert text == "A [1]. B [2, 1]. C [2]."
    assert order == [3, 1]


def test_rewrite_markers_removes_a_marker_left_empty():
    assert rewrite_markers("A [1, 2]. B [3].", lambda ns: [n for n in ns if n != 3]) == "A [1, 2]. B ."


def test_normalise_markers_of_a_model():
    assert normalise_markers("Start at 10 mg/day. [1] Then [2][3].") == "Start at 10 mg/day [1]. Then [2, 3]."
    assert normalise_markers("Use [1-3].") == "Use [1, 2, 3]."
