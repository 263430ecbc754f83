"""Numbers with units: extraction and numeric matching used by the fidelity metrics."""

from __future__ import annotations

import pytest

from assistant.text.citations import strip_citations
from assistant.text.quantities import (
    Quantity,
    extract,
    matches,
    supported,
    unsupported,
)


def values(text: str) -> list[tuple[float, str | None, str | None, str | None]]:
    return [(q.value, q.dim, q.rate, q.cmp) for q in extract(text)]


def test_citation_markers_are_not_numbers():
    assert extract("Start low [1]. See also [2, 3] and [4][5].") == []
    assert strip_citations("30 mg/day [1][2].") == "30 mg/day."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30 mg/day", [(30.0, "mass", "day", None)]),
        ("80 mg daily", [(80.0, "mass", "day", None)]),
        ("5 mg three times daily", [(5.0, "mass", "dose", None)]),
        ("5mg tid", [(5.0, "mass", "dose", None)]),
        ("10 mg once daily", [(10.0, "mass", "day", None)]),
        ("5-10 mg/day", [(5.0, "mass", "day", None), (10.0, "mass", "day", None)]),
        ("30–80 mg/day", [(30.0, "mass", "day", None), (80.0, "mass", "day", None)]),
        ("10% to 75%", [(10.0, "percent", None, None), (75.0, "percent", None, None)]),
        ("<125 mmol/L", [(125.0, "conc", None, "lt")]),
        ("eGFR <30 mL/min/1.73m²", [(30.0, "renal", None, "lt")]),
        ("eGFR 30-60 mL/min/1.73m²", [(30.0, "renal", None, None), (60.0, "renal", None, None)]),
        ("72%", [(72.0, "percent", None, None)]),
        (">80% improvement", [(80.0, "percent", None, "gt")]),
        ("20-40 g/week", [(20000.0, "mass", "week", None), (40000.0, "mass", "week", None)]),
        ("50 mcg", [(0.05, "mass", None, None)]),
        ("3-4 doses per day", [(3.0, "count", None, None), (4.0, "count", None, None)]),
        ("3-6 months", [(3.0, "month", None, None), (6.0, "month", None, None)]),
        ("between 30 and 60", [(30.0, None, None, None), (60.0, None, None, None)]),
        ("no more than 30 mg/day", [(30.0, "mass", "day", "lt")]),
        ("a 72-year-old", [(72.0, "year", None, None)]),
        ("B12, p95, the 1st dose", []),
    ],
)
def test_extract(text, expected):
    assert values(text) == expected


def test_grams_never_match_milligrams():
    claim = extract("30 g/day")[0]
    assert claim.value == 30000.0
    assert not supported(claim, extract("up to a maximum of 30 mg/day"))


def test_range_endpoints_support_claims():
    pool = extract("The typical dosing range for oral baclofen is 30-80 mg/day")
    assert supported(extract("at most 80 mg/day")[0], pool)
    assert supported(extract("at least 30 mg/day")[0], pool)
    assert not supported(extract("50 mg/day")[0], pool)


def test_rate_and_comparator_must_agree_when_both_are_stated():
    assert not matches(Quantity(10.0, "mass", "dose"), Quantity(10.0, "mass", "day"))
    assert matches(Quantity(10.0, "mass", None), Quantity(10.0, "mass", "day"))
    assert not matches(Quantity(30.0, "renal", None, "gt"), Quantity(30.0, "renal", None, "lt"))
    assert matches(Quantity(30.0, None), Quantity(30.0, "renal", None, "lt"))
    assert not matches(Quantity(30.0, "percent"), Quantity(30.0, "mass"))


def test_unsupported_lists_only_the_new_numbers():
    pool = extract("start baclofen at 10 mg/day and increase by 10 mg weekly up to 30 mg/day")
    assert [q.value for q in unsupported("Start at 10 mg/day, maximum 40 mg/day.", pool)] == [40.0]
