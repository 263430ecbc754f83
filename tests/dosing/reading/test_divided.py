"""A daily total and the doses it is divided into (assistant/dosing/reading/schedule.py): every way of writing the
division gives the same daily total and doses per day; a division of an amount that is not per day is refused."""

from __future__ import annotations

import pytest

from assistant.dosing.reading.parse import ParsedDose, ParseFailure, parse_dose


@pytest.mark.parametrize(
    "text",
    [
        "60 mg/day in 3 divided doses",
        "60 mg a day divided into 3 doses",
        "60 mg daily split into 3",
        "60 mg/day divided in 3",
        "60 mg/day, split up into three equal doses",
        "60 mg divided into 3 doses a day",
        "60 mg/day divided tid",
        "60 mg/day split three times a day",
    ],
)
def test_a_divided_daily_total(text: str) -> None:
    got = parse_dose(text)
    assert isinstance(got, ParsedDose), got
    assert (got.daily_mg, got.doses_per_day, got.single_mg) == (60.0, 3.0, 20.0)


@pytest.mark.parametrize("text", ["60 mg split into 3", "60 mg divided into 3", "20 mg tid divided into 3 doses"])
def test_a_division_without_a_daily_total_is_refused(text: str) -> None:
    assert isinstance(parse_dose(text), ParseFailure)
