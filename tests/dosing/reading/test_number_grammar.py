"""One number grammar: ambiguous numbers give every reading and are never read as the smaller one."""

from __future__ import annotations

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.reading.parse import (
    ParsedDose,
    ParseFailure,
    dose_readings,
    parse_dose,
    read_dose,
)
from assistant.dosing.request import DoseRequest

# text, daily mg of every plausible reading (sorted), or [] when none is readable
READINGS = [
    ("32 500 mcg daily", [32.5]),
    ("30 000 µg/day", [30]),
    ("5 000 mcg daily", [5]),
    ("1 000 000 mcg/day", [1000]),
    ("2 500 mg/day", [1000, 2500]),
    ("2 500 mg tablets daily", [1000, 2500]),
    ("1 500 mg/day", [500, 1500]),
    ("2 500 mg tablets tid", [3000, 7500]),
    ("12 500 mcg tablets daily", [6, 12.5]),
    ("1.000 mg daily", [1, 1000]),
    ("2.500 mg/day", [2.5, 2500]),
    ("10.000 mg/day", [10, 10000]),
    ("0.125 mg daily", [0.125]),
    ("2.125 mg daily", [2.125]),
    ("2.5 mg tid", [7.5]),
    ("10 mg tablet tid", [30]),
    ("10 mg/day", [10]),
    ("1.000 mg", []),
    ("ten mg", []),
]


@pytest.mark.parametrize(("text", "daily"), READINGS, ids=[r[0] for r in READINGS])
def test_dose_readings(text: str, daily: list[float]) -> None:
    got = dose_readings(text)
    assert all(isinstance(r, ParsedDose) for r in got)
    assert sorted(round(r.daily_mg, 9) for r in got) == daily


AMBIGUOUS = [
    ("1.000 mg daily", ["1 mg", "1000 mg"]),
    ("1.000 mg", ["1 mg", "1000 mg"]),
    ("2 500 mg/day", ["2500 mg", "2 × 500 mg"]),
    ("2 500 mg tablets", ["2500 mg", "2 × 500 mg"]),
    ("2 500 mg tablets daily", ["2500 mg", "2 × 500 mg"]),
    ("1.250 g/day", ["1.25 g", "1250 g"]),
]


@pytest.mark.parametrize(("text", "named"), AMBIGUOUS, ids=[r[0] for r in AMBIGUOUS])
def test_ambiguous_is_a_failure_naming_every_reading(text: str, named: list[str]) -> None:
    got = read_dose(text)
    assert isinstance(got, ParseFailure) and got.code == "ambiguous", got
    for words in named:
        assert words in got.reason, got.reason
    assert parse_dose(text) == got  # one grammar: read_dose is parse_dose
    assert len(got.alternatives) == 2 and all(any(w in a for a in got.alternatives) for w in named)


UNAMBIGUOUS = [
    ("32 500 mcg daily", 32.5),
    ("30 000 mcg daily", 30),
    ("0.125 mg daily", 0.125),
    ("10 mg tablet tid", 30),
]


@pytest.mark.parametrize(("text", "daily"), UNAMBIGUOUS, ids=[r[0] for r in UNAMBIGUOUS])
def test_unambiguous_reads_exactly(text: str, daily: float) -> None:
    got = read_dose(text)
    assert isinstance(got, ParsedDose), got
    assert got.daily_mg == pytest.approx(daily)


@pytest.mark.parametrize("text", ["1.000 mg daily", "2 500 mg/day", "2 500 mg tablets daily"])
def test_check_dose_is_unable_to_check_for_an_ambiguous_number(text: str) -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose=text, indication="spasticity"))
    assert got.verdict == "unable_to_check" and "could be read" in (got.reason or "")
    assert got.daily_dose_mg is None  # never the smaller reading


def test_ambiguous_dose_with_a_contraindication_is_still_contraindicated() -> None:
    got = check_dose(
        DoseRequest(drug="baclofen", dose="1.000 mg daily", indication="spasticity", patient={"dialysis": True})
    )
    assert got.verdict == "contraindicated"
