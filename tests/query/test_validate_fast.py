"""validate_question (assistant/query/validate.py): the cleaned question, or one InputError naming the problem."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.query.validate import validate_question


@pytest.mark.parametrize(
    "message, cleaned",
    [
        ("  What is the maximum dose?  \n", "What is the maximum dose?"),
        (b"caf\xc3\xa9 dose?", "café dose?"),  # UTF-8 bytes are decoded
        ("line one\n\tline two", "line one\n\tline two"),  # tab and newline are text, kept
        ("What is the dose\x9d of baclofen?", "What is the dose of baclofen?"),  # one stray C1 control: dropped
        ("\u0378abc", "abc"),  # one unassigned code point: dropped
    ],
)
def test_a_readable_question_comes_back_stripped(message, cleaned):
    assert validate_question(message, 2000) == cleaned


def test_the_limit_counts_the_stripped_text_and_is_inclusive():
    assert validate_question("  " + "x" * 10 + "  ", 10) == "x" * 10
    with pytest.raises(InputError) as info:
        validate_question("x" * 11, 10)
    assert str(info.value) == "the question is too long (11 characters; the limit is 10)"
    assert info.value.problem == "too_long"


@pytest.mark.parametrize(
    "message, problem, text",
    [
        ("", "empty", "the question is empty"),
        (" \n\t ", "empty", "the question is empty"),
        (None, "not_text", "the question must be text"),
        (42, "not_text", "the question must be text"),
        (b"\xff\xfe", "binary", "the question is not valid UTF-8 text"),
        ("a\x00b", "binary", "the question contains binary or undecodable characters"),  # C0 control
        ("a\x1b[31mred", "binary", "the question contains binary or undecodable characters"),  # terminal colour
        ("a\x7fb", "binary", "the question contains binary or undecodable characters"),  # DEL
        ("bad \ufffd text", "binary", "the question contains binary or undecodable characters"),  # replacement char
        ("ab\x9d\x9dcd", "binary", "the question contains binary or undecodable characters"),  # 2 odd in 6 chars
    ],
)
def test_unreadable_input_names_its_problem(message, problem, text):
    with pytest.raises(InputError) as info:
        validate_question(message, 2000)
    assert (info.value.problem, str(info.value)) == (problem, text)


def test_odd_characters_are_tolerated_up_to_one_in_fifty():
    text = "a" * 98 + "\x9d\x9d"  # 100 characters, 2 odd: 2 <= 100 // 50
    assert validate_question(text, 2000) == "a" * 98
    with pytest.raises(InputError):
        validate_question("a" * 97 + "\x9d\x9d\x9d", 2000)  # 3 odd in 100
