"""assistant/query/facts.py without a model: patient facts over the user turns (the latest wins), named states in
the Patient model's own words, ranges kept apart, implausible values dropped and reported, another patient."""

from __future__ import annotations

import pytest

from assistant.query.facts import FactReading, read_facts, start_of_current_patient
from assistant.query.numbers import dose_spans, read_numbers


def facts(lexicon, *turns: str) -> FactReading:
    numbers = [read_numbers(t, lexicon, [(d.start, d.end) for d in dose_spans(t)])[0] for t in turns]
    return read_facts(numbers, list(turns), lexicon)


@pytest.mark.parametrize(
    "text, known",
    [
        ("eGFR 22", {"egfr": 22.0}),
        ("on hemodialysis", {"dialysis": True}),
        ("not on dialysis", {"dialysis": False}),
        ("ESRD", {"renal_impairment": "kidney_failure"}),
        ("mild renal impairment", {"renal_impairment": "mild"}),
        ("acute kidney injury", {"aki": True}),
        ("cirrhotic", {"cirrhosis": True}),
        ("no cirrhosis", {"cirrhosis": False}),
        ("she is pregnant", {"pregnant": True}),
        ("breastfeeding her baby", {"breastfeeding": True}),  # the baby she feeds is not the patient
        ("a child with CP", {"age_group": "child"}),
        ("elderly man", {"age_group": "older_adult"}),
        ("an 80-year-old on dialysis with sodium 130", {"dialysis": True, "age": 80.0, "sodium": 130.0}),
    ],
)
def test_facts_of_one_turn(lexicon, text, known):
    reading = facts(lexicon, text)
    assert (reading.patient.known(), reading.ranges, reading.notes, reading.not_understood) == (known, {}, [], [])


@pytest.mark.parametrize(
    ("text", "low", "high"), [("CKD stage 4", 15, 29), ("CKD 3a", 45, 59), ("stage V CKD", 0, 14), ("CKD G2", 60, 89)]
)
def test_a_ckd_stage_is_read_as_its_egfr_range(lexicon, text, low, high):
    reading = facts(lexicon, text)
    assert (reading.patient.known(), reading.ranges) == ({}, {"egfr": (low, high)})
    assert reading.notes == [f"'{text}' read as eGFR {low}–{high}: the dose was checked across that range"]


def test_a_stated_egfr_value_wins_over_a_stage(lexicon):
    reading = facts(lexicon, "CKD stage 4, eGFR 22")
    assert (reading.patient.known(), reading.ranges) == ({"egfr": 22.0}, {})


@pytest.mark.parametrize(
    "turns, known, ranges",
    [
        (["eGFR 22", "eGFR now 40"], {"egfr": 40.0}, {}),
        (["eGFR 25-40", "eGFR 50"], {"egfr": 50.0}, {}),  # a value after a range: the value
        (["eGFR 50", "eGFR < 30"], {}, {"egfr": (0.0, 29.99)}),  # a range after a value: the range
        (["on dialysis", "eGFR 20"], {"dialysis": True, "egfr": 20.0}, {}),  # different facts add up
    ],
)
def test_the_latest_statement_of_a_fact_wins(lexicon, turns, known, ranges):
    reading = facts(lexicon, *turns)
    assert (reading.patient.known(), reading.ranges) == (known, ranges)


@pytest.mark.parametrize(
    "text, field, bounds",
    [
        ("eGFR 25-40", "egfr", (25.0, 40.0)),
        ("eGFR < 30", "egfr", (0.0, 29.99)),  # an open end is the field's plausible bound (patient_fields.toml)
        ("Na over 120", "sodium", (120.01, 200.0)),
    ],
)
def test_a_range_is_kept_apart_with_a_note(lexicon, text, field, bounds):
    reading = facts(lexicon, text)
    assert reading.patient.known() == {} and reading.ranges == {field: bounds}
    assert len(reading.notes) == 1 and reading.notes[0].startswith(f"{field} '{text}' is a range, not one value")


@pytest.mark.parametrize(
    "turns, problems",
    [
        (["eGFR 250"], ["egfr 250.0 is not a plausible value"]),
        (["sodium 80"], ["sodium 80.0 is not a plausible value"]),
        (["eGFR 250", "sodium 80"], ["egfr 250.0 is not a plausible value", "sodium 80.0 is not a plausible value"]),
    ],
)
def test_an_implausible_value_is_dropped_and_reported(lexicon, turns, problems):
    reading = facts(lexicon, *turns)
    assert (reading.patient.known(), reading.not_understood) == ({}, problems)


def test_a_plausible_value_survives_beside_an_implausible_one(lexicon):
    reading = facts(lexicon, "eGFR 250 and sodium 130")
    assert (reading.patient.known(), reading.not_understood) == (
        {"sodium": 130.0},
        ["egfr 250.0 is not a plausible value"],
    )


@pytest.mark.parametrize(
    "turns, start",
    [
        (["eGFR 20", "baclofen 10 mg/day?"], 0),
        (["eGFR 20", "Another patient: baclofen 10 mg/day?", "and 20 mg/day?"], 1),
        (["x", "a new patient", "the next patient now"], 2),  # the last one named starts the current patient
    ],
)
def test_another_patient_starts_afresh(lexicon, turns, start):
    assert start_of_current_patient(turns, lexicon) == start
