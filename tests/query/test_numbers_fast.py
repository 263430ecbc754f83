"""assistant/query/numbers.py without a model: dose spans and their canonical expressions, and the role of every
other number (from corpus/reader.toml) or its report as not understood."""

from __future__ import annotations

import pytest

from assistant.query.numbers import dose_spans, read_numbers


def spans(text: str) -> list[tuple[str, str, int, int]]:
    return [(d.text, d.expression, d.start, d.end) for d in dose_spans(text)]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("5 mg three times daily", [("5 mg three times daily", "5 mg three times daily", 0, 22)]),
        ("40-80 mg daily", [("40-80 mg daily", "40-80 mg daily", 0, 14)]),
        ("1,000 mg daily", [("1,000 mg daily", "1,000 mg daily", 0, 14)]),
        ("20mg bid", [("20mg bid", "20mg bid", 0, 8)]),
        ("10 tid", [("10 tid", "10 tid", 0, 6)]),  # a bare number with a frequency is a dose
        ("5 mg/kg every 12 hours", [("5 mg/kg every 12 hours", "5 mg/kg every 12 hours", 0, 22)]),
        # tablets counted: the strength times the count
        (
            "two 10 mg tablets three times daily",
            [("two 10 mg tablets three times daily", "20 mg three times daily", 0, 35)],
        ),
        ("three 5 mg tabs tid", [("three 5 mg tabs tid", "15 mg tid", 0, 19)]),
        ("half a 10 mg tablet bd", [("half a 10 mg tablet bd", "5 mg bd", 0, 22)]),
        ("10 mg tablets twice daily", [("10 mg tablets twice daily", "10 mg twice daily", 0, 25)]),  # a strength alone
        # times of day are counted; a once-a-day time word becomes 'once daily'
        ("10 mg at 8 am, 2 pm and 10 pm", [("10 mg at 8 am, 2 pm and 10 pm", "10 mg 3 times daily", 0, 29)]),
        ("10 mg in the morning", [("10 mg in the morning", "10 mg once daily", 0, 20)]),
        ("10 mg/day at night", [("10 mg/day at night", "10 mg/day", 0, 18)]),  # already per day: the word goes
        ("10 mg of baclofen at night", [("10 mg of baclofen at night", "10 mg once daily", 0, 26)]),  # a late frequency
        ("10 mg x3/day", [("10 mg x3/day", "10 mg 3 times daily", 0, 12)]),
        # the duration after a dose is not part of it
        ("30 mg/day for 2 weeks", [("30 mg/day", "30 mg/day", 0, 9)]),
        # a concentration and a bare number are not doses
        ("20 mg/dl", []),
        ("eGFR 30 mL/min", []),
    ],
)
def test_dose_spans(text, expected):
    assert spans(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # the first figure of a change borrows the second's unit: a change, never a range
        ("from 10 to 20 mg/day", [("10", "10 mg/day", 5, 7), ("20 mg/day", "20 mg/day", 11, 20)]),
        ("20 -> 30 mg/day", [("20", "20 mg/day", 0, 2), ("30 mg/day", "30 mg/day", 6, 15)]),
        ("10 mg/day or 20 mg/day", [("10 mg/day", "10 mg/day", 0, 9), ("20 mg/day", "20 mg/day", 13, 22)]),
    ],
)
def test_two_doses_come_back_in_order(text, expected):
    assert spans(text) == expected


def roles(text: str, lexicon, skip_doses: bool = True):
    skip = [(d.start, d.end) for d in dose_spans(text)] if skip_doses else []
    found, unclaimed = read_numbers(text, lexicon, skip)
    return [(r.text, r.role, r.fact, r.value, r.low, r.high) for r in found], unclaimed


@pytest.mark.parametrize(
    "text, expected",
    [
        ("eGFR 22", ("eGFR 22", "egfr", "egfr", 22.0, None, None)),
        ("CrCl 45 mL/min", ("CrCl 45", "crcl", "crcl", 45.0, None, None)),  # creatinine clearance is not an eGFR
        ("sodium 122", ("sodium 122", "sodium", "sodium", 122.0, None, None)),
        ("an 80-year-old", ("80-year-old", "age", "age", 80.0, None, None)),
        ("45M", ("45M", "age", "age", 45.0, None, None)),
        ("aged 70", ("aged 70", "age", "age", 70.0, None, None)),
        ("weight 82 kg", ("82 kg", "weight", "weight", 82.0, None, None)),
        ("70 to 65 kg", ("70 to 65 kg", "weight", "weight", 65.0, None, None)),  # a weight change: the latest
        ("HbA1c 7.1%", ("HbA1c 7.1%", "lab_value", None, 7.1, None, None)),  # a lab no rule uses: claimed, no fact
        ("creatinine 2.1 mg/dL", ("creatinine 2.1 mg/dL", "renal_lab", None, 2.1, None, None)),
        ("at 8 am", ("at 8 am", "time_of_day", None, 8.0, None, None)),
        ("for 3 weeks", ("for 3 weeks", "duration", None, 3.0, None, None)),
    ],
)
def test_a_number_gets_its_role_and_fact(lexicon, text, expected):
    assert roles(text, lexicon) == ([expected], [])


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("eGFR < 30", None, 29.99),  # strict: just below
        ("eGFR ≤ 30", None, 30.0),
        ("eGFR less than 30", None, 29.99),
        ("eGFR over 45", 45.01, None),
        ("eGFR at least 45", 45.0, None),
        ("eGFR 25-40", 25.0, 40.0),
        ("Na over 120", 120.01, None),
    ],
)
def test_comparators_and_ranges_give_ends_not_a_value(lexicon, text, low, high):
    [(_, _, _, value, got_low, got_high)], unclaimed = roles(text, lexicon)
    assert (value, got_low, got_high, unclaimed) == (None, low, high, [])


@pytest.mark.parametrize(
    "text, latest",
    [
        ("eGFR was 90 last year but is now 20", 20.0),
        ("eGFR 30, previously 45, now 20", 20.0),
        ("eGFR 40 (previously 25)", 40.0),  # an older value written after the latest does not replace it
    ],
)
def test_the_latest_value_of_a_trend_wins(lexicon, text, latest):
    [(_, role, fact, value, low, high)], unclaimed = roles(text, lexicon)
    assert (role, fact, value, low, high, unclaimed) == ("egfr", "egfr", latest, None, None, [])


def test_a_number_no_role_claims_is_returned_as_unclaimed(lexicon):
    assert roles("baclofen 10 mg/day, the 7 thing", lexicon) == ([], ["7"])


def test_skipped_spans_are_neither_roles_nor_unclaimed(lexicon):
    text = "baclofen 10 mg tid, eGFR 40"
    egfr = ("eGFR 40", "egfr", "egfr", 40.0, None, None)
    assert roles(text, lexicon) == ([egfr], [])
    assert roles(text, lexicon, skip_doses=False) == ([egfr], ["10"])  # the dose's number, unskipped, is unclaimed


def test_several_numbers_each_get_one_role_with_offsets(lexicon):
    text = "45M on 10 mg, HbA1c 7.1%, at 8 am, for 3 weeks"
    found, unclaimed = read_numbers(text, lexicon, [(7, 12)])
    assert [(r.role, r.start, r.end, text[r.start : r.end]) for r in found] == [
        ("age", 0, 3, "45M"),
        ("lab_value", 14, 24, "HbA1c 7.1%"),
        ("time_of_day", 26, 33, "at 8 am"),
        ("duration", 35, 46, "for 3 weeks"),
    ]
    assert unclaimed == []
