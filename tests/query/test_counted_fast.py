"""Dose shorthand in the dose spans (assistant/query/counted.py through assistant/query/numbers.py): tablets counted
times their strength, the unit written after the frequency, a unit carried along a list of regimens. A count or a
unit that is not plainly one stays as written, for the dose grammar to refuse (grey, never a guess)."""

from __future__ import annotations

import pytest

from assistant.dosing.reading.parse import ParsedDose, parse_dose
from assistant.query.counted import count_value, scaled, unit_moved, units_carried
from assistant.query.numbers import dose_spans


def expressions(text: str) -> list[tuple[str, str]]:
    return [(d.text, d.expression) for d in dose_spans(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2 x 10 mg tablets three times a day", [("2 x 10 mg tablets three times a day", "20 mg three times a day")]),
        ("2x10mg tid", [("2x10mg tid", "20 mg tid")]),
        ("2 × 10 mg tid", [("2 × 10 mg tid", "20 mg tid")]),
        ("1.5 tabs of 10 mg tid", [("1.5 tabs of 10 mg tid", "15 mg tid")]),
        ("1 tab (10 mg) tid", [("1 tab (10 mg) tid", "10 mg tid")]),
        ("1/2 tab of 10 mg at night", [("1/2 tab of 10 mg at night", "5 mg once daily")]),
        ("two 5mg tabs bd", [("two 5mg tabs bd", "10 mg bd")]),
        ("3 10 mg tabs tid", [("3 10 mg tabs tid", "30 mg tid")]),
    ],
)
def test_a_count_of_tablets_times_their_strength(text, expected):
    assert expressions(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2 tabs tid", [("2 tabs tid", "2 tabs tid")]),  # a count with no strength: the grammar refuses it
        ("28 x 10 mg tablets", [("10 mg tablets", "10 mg")]),  # a pack size is no count per dose: 28 stays unread
        ("2 x 10-20 mg tid", [("2 x 10-20 mg tid", "2 x 10-20 mg tid")]),  # a range is never multiplied
        ("1 020 mg/day", [("1 020 mg/day", "1 020 mg/day")]),  # a thousands group, not 1 tablet of 020
    ],
)
def test_what_is_not_plainly_a_count_is_not_multiplied(text, expected):
    assert expressions(text) == expected


def test_count_values_are_counts_per_dose():
    assert [count_value(w) for w in ("two", "half a", "1.5", "½", "6", "7", "28", "0")] == [
        2.0,
        0.5,
        1.5,
        0.5,
        6.0,
        None,
        None,
        None,
    ]
    assert scaled("10 mg tablets three times a day", 2) == "20 mg three times a day"
    assert scaled("10-20 mg tid", 2) is None and scaled("2 tabs tid", 2) is None


@pytest.mark.parametrize(
    "text, expression",
    [
        ("20 TID (mg)", "20 mg TID"),
        ("10 tds mg", "10 mg tds"),
        ("20 tid mg", "20 mg tid"),
        ("10 od mg", "10 mg once daily"),
    ],
)
def test_a_unit_after_the_frequency_is_the_dose_unit(text, expression):
    assert [d.expression for d in dose_spans(text)] == [expression]


@pytest.mark.parametrize("text", ["25 tid", "10 tid mg/kg", "10 mg qd"])
def test_no_unit_or_another_unit_stays_unreadable(text):
    assert not isinstance(parse_dose(dose_spans(text)[0].expression), ParsedDose)
    assert unit_moved("10 tid mg/kg") == "10 tid mg/kg"


def test_a_unit_is_carried_along_a_list_of_regimens_only():
    assert expressions("week 1 5mg tds, week 2 10 tds, week 3 20 tds") == [
        ("5mg tds", "5mg tds"),
        ("10 tds", "10 mg tds"),
        ("20 tds", "20 mg tds"),
    ]
    # '10 mg tablets, 2 tid' is two tablets: never 2 mg; a bare strength lends no unit
    assert units_carried(["10 mg", "2 tid"]) == ["10 mg", "2 tid"]
    assert units_carried(["10 mg tid", "2 tid"]) == ["10 mg tid", "2 tid"]
    assert units_carried(["10 mg", "20 tid"]) == ["10 mg", "20 tid"]
    assert units_carried(["10 mg tid", "20 tid"]) == ["10 mg tid", "20 mg tid"]


@pytest.mark.parametrize(
    "text, daily, per_day",
    [
        ("60 mg a day divided into 3 doses", 60.0, 3.0),
        ("60 mg/day in 3 divided doses", 60.0, 3.0),
        ("60 mg daily split into 3", 60.0, 3.0),
        ("60 mg divided into 3 doses a day", 60.0, 3.0),
        ("60mg/d divided tid", 60.0, 3.0),
        ("90mg/d split qid", 90.0, 4.0),
    ],
)
def test_a_daily_total_divided_is_read_whole(text, daily, per_day):
    (span,) = dose_spans(text)
    parsed = parse_dose(span.expression)
    assert isinstance(parsed, ParsedDose) and (parsed.daily_mg, parsed.doses_per_day) == (daily, per_day)


@pytest.mark.parametrize("text", ["60 mg split into 3", "20 mg tid divided into 3 doses"])
def test_a_division_without_a_daily_total_is_not_read(text):
    assert not isinstance(parse_dose(dose_spans(text)[0].expression), ParsedDose)
