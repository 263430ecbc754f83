"""parse_dose: exact readings of dose expressions, and the reasons for what it refuses."""

from __future__ import annotations

import math

import pytest

from assistant.dosing.reading.parse import MAX_LENGTH, ParsedDose, ParseFailure, parse_dose

# expression, single mg, daily mg, daily max mg, doses/day
READ = [
    ("10 mg/day", None, 10, None, None),
    ("10mg daily", None, 10, None, None),
    ("10 mg per day", None, 10, None, None),
    ("10 mg a day", None, 10, None, None),
    ("10 mg/d", None, 10, None, None),
    ("20 mg/24h", None, 20, None, None),
    ("10 mg once daily", 10, 10, None, 1),
    # Less often than daily: the dosing day holds the whole dose (for daily maxima); the frequency is a fraction.
    ("10 mg every other day", 10, 10, None, 0.5),
    ("70 mg once weekly", 70, 70, None, 1 / 7),
    ("20 mg twice a day", 20, 40, None, 2),
    ("5 mg three times daily", 5, 15, None, 3),
    ("5 mg 3 times a day", 5, 15, None, 3),
    ("5 mg 3x/day", 5, 15, None, 3),
    ("5 mg tid", 5, 15, None, 3),
    ("5 mg t.i.d.", 5, 15, None, 3),
    ("5 mg TID", 5, 15, None, 3),
    ("5 mg tds", 5, 15, None, 3),
    ("10 mg bid", 10, 20, None, 2),
    ("10 mg b.i.d.", 10, 20, None, 2),
    ("10 mg qid", 10, 40, None, 4),
    ("10 mg q.i.d.", 10, 40, None, 4),
    ("5 mg four times a day", 5, 20, None, 4),
    ("5 mg every 8 hours", 5, 15, None, 3),
    ("5 mg q8h", 5, 15, None, 3),
    ("5 mg q 6 h", 5, 20, None, 4),
    ("10 mg every 12 hours", 10, 20, None, 2),
    ("0.03 g/day", None, 30, None, None),
    ("30000 mcg daily", None, 30, None, None),
    ("30 000 µg/day", None, 30, None, None),
    ("30 000 μg/day", None, 30, None, None),
    ("30000 micrograms per day", None, 30, None, None),
    ("10 milligrams daily", None, 10, None, None),
    ("40-80 mg daily", None, 40, 80, None),
    ("40 – 80 mg/day", None, 40, 80, None),
    ("40 to 80 mg/day", None, 40, 80, None),
    ("40 mg to 80 mg per day", None, 40, 80, None),
    ("5-10 mg tid", 5, 15, 30, 3),
    ("30 mg/day in 3 divided doses", 10, 30, None, 3),
    ("40 mg/day divided into four doses", 10, 40, None, 4),
    ("30 mg/day divided tid", 10, 30, None, 3),
    ("2.5 mg tid", 2.5, 7.5, None, 3),
    ("10 mg po tid", 10, 30, None, 3),
    ("  10   MG   DAILY. ", None, 10, None, None),
]


@pytest.mark.parametrize(("text", "single", "daily", "daily_max", "per_day"), READ, ids=[r[0] for r in READ])
def test_reads_exactly(
    text: str, single: float | None, daily: float, daily_max: float | None, per_day: float | None
) -> None:
    got = parse_dose(text)
    assert isinstance(got, ParsedDose), got
    assert (got.single_mg, got.daily_mg, got.daily_max_mg, got.doses_per_day) == (single, daily, daily_max, per_day)
    assert got.text == text


def test_daily_total_says_single_dose_unknown() -> None:
    got = parse_dose("10 mg/day")
    assert isinstance(got, ParsedDose)
    assert got.single_mg is None and got.notes == ["single dose not stated: only a daily total was given"]


def test_q7h_is_exact_arithmetic() -> None:
    got = parse_dose("10 mg q7h")
    assert isinstance(got, ParsedDose)
    assert math.isclose(got.doses_per_day or 0, 24 / 7) and math.isclose(got.daily_mg, 240 / 7)


def test_oral_word_is_recorded_as_route() -> None:
    got = parse_dose("10 mg orally three times daily")
    assert isinstance(got, ParsedDose) and got.route == "oral" and got.daily_mg == 30


REFUSED = [
    ("", "empty"),
    ("   ", "empty"),
    ("x" * (MAX_LENGTH + 1), "too_long"),
    ("10 mg", "no_frequency"),
    ("0.5 g", "no_frequency"),
    ("half mg daily", "words"),  # not a number word the reader turns into digits: still refused, never guessed
    ("mg daily", "no_amount"),
    ("5 mg/kg/day", "weight_based"),
    ("0.5 mg per kg daily", "weight_based"),
    ("-5 mg daily", "negative"),
    ("−5 mg/day", "negative"),
    ("0 mg daily", "zero"),
    ("0.0 mg/day", "zero"),
    ("0-10 mg/day", "zero"),
    ("stop", "stop"),
    ("discontinue baclofen", "stop"),
    ("10 ml daily", "unknown_unit"),
    ("10 tablets daily", "unknown_unit"),
    ("10 units/day", "unknown_unit"),
    ("10 daily", "no_unit"),
    ("10", "no_unit"),
    ("10 mg daily 20 mg daily", "conflict"),
    ("10 mg or 20 mg daily", "conflict"),
    ("5 mg tid and 10 mg at night", "conflict"),
    ("30 mg/day tid", "bad_frequency"),
    ("10 mg qd", "bad_frequency"),
    ("10 mg at night", "bad_frequency"),
    ("10 mg every 25 hours", "bad_frequency"),
    ("10 mg 0 times daily", "bad_frequency"),
    ("10 mg 30 times daily", "bad_frequency"),
    ("80-40 mg daily", "bad_range"),
    ("40 g - 80 mg daily", "bad_range"),
    ("1,000 mcg daily", "ambiguous"),  # decimal or thousands comma: both readings are named, neither guessed
    (".5 mg daily", "unreadable"),
    ("about 10 mg daily", "unreadable"),
]


@pytest.mark.parametrize(("text", "code"), REFUSED, ids=[r[0][:30] or "empty" for r in REFUSED])
def test_refuses_with_reason(text: str, code: str) -> None:
    got = parse_dose(text)
    assert isinstance(got, ParseFailure), got
    assert got.code == code
    assert got.reason and "\n" not in got.reason


def test_non_string_is_a_failure() -> None:
    assert isinstance(parse_dose(10), ParseFailure)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "daily"),
    [("ten mg daily", 10), ("five milligrams tid", 15), ("twenty-five mg daily", 25), ("fifteen mg twice daily", 30)],
)
def test_number_words_are_numbers_where_unambiguous(text: str, daily: float) -> None:
    got = parse_dose(text)
    assert isinstance(got, ParsedDose) and got.daily_mg == daily


@pytest.mark.parametrize(
    ("text", "daily"),
    [("0,5 mg daily", 0.5), ("30,5 mg daily", 30.5), ("1'000 mg daily", 1000), ("1 020 mg daily", 1020)],
)
def test_a_grouped_number_with_one_plausible_reading_is_read_whole(text: str, daily: float) -> None:
    got = parse_dose(text)
    assert isinstance(got, ParsedDose) and got.daily_mg == daily
