"""The reader (assistant/query/understand.py) on dose questions, with no embedding model: a question with a dose is
a dose question before any vector is needed, so everything else it reads is checked here exactly. The question
kind of other questions needs the model (tests/query/test_understand.py)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    "message, readings",
    [
        (
            "baclofen 5 mg three times daily",
            [("5 mg three times daily", None, None, False, "5 mg three times daily as written")],
        ),
        (
            "baclofen 10 mg/day → 30 mg/day",
            [("30 mg/day", "10 mg/day", None, False, "a change from 10 mg/day to 30 mg/day")],
        ),
        (
            "Patient on 10 mg/day baclofen for cramps, can I go to 30 mg/day next week?",
            [("30 mg/day", "10 mg/day", 7.0, False, "a change from 10 mg/day to 30 mg/day")],
        ),
        (
            "Can we initiate baclofen at 20 mg/day for cirrhosis cramps?",
            [("20 mg/day", None, None, True, "20 mg/day as a first dose")],
        ),
        (
            "baclofen can she take a few tablets a day",  # a dose in words: read as a dose the checker cannot read
            [("a few tablets a day", None, None, False, "a few tablets a day as written")],
        ),
    ],
)
def test_dose_readings(fast_reader, message, readings):
    q = fast_reader.understand(message, [])
    assert q.intent == "dose" and (q.intent_score, q.intent_margin) == (1.0, 1.0)
    assert [(r.dose, r.previous, r.interval_days, r.starting, r.label) for r in q.readings] == readings
    assert q.doses == [r[0] for r in readings]
    assert q.previous_dose == next((r[1] for r in readings if r[1]), None)


def test_the_query_holds_drug_indication_route_and_facts(fast_reader):
    q = fast_reader.understand("oral baclofen 20 mg/day for spasticity, eGFR 45, age 80", [])
    assert (q.drug, q.drug_assumed, q.indication, q.indications, q.route) == (
        "baclofen",
        False,
        "spasticity",
        ["spasticity"],
        "oral",
    )
    assert (q.patient.known(), q.patient_ranges, q.not_understood, q.assumptions) == (
        {"egfr": 45.0, "age": 80.0},
        {},
        [],
        [],
    )
    assert [(n.role, n.value) for n in q.numbers] == [("egfr", 45.0), ("age", 80.0)]
    assert q.names_topic


def test_an_ambiguous_word_keeps_every_indication(fast_reader):
    q = fast_reader.understand("painful muscle spasms in my patient, baclofen 60 mg/day?", [])
    assert (q.indication, sorted(q.indications), q.assumptions) == (None, ["muscle_cramps", "spasticity"], [])


def test_a_condition_fixes_the_indication_of_an_ambiguous_word(fast_reader):
    # corpus/glossary.toml [indication_conditions]: cirrhosis is the muscle-cramps condition
    q = fast_reader.understand("painful muscle spasms in my cirrhotic patient, baclofen 60 mg/day?", [])
    assert (q.indication, q.indications, q.patient.known()) == ("muscle_cramps", ["muscle_cramps"], {"cirrhosis": True})
    assert q.assumptions == [
        "read 'muscle spasms' as muscle cramps because of 'cirrhotic' (a reviewed condition mapping)"
    ]


def test_no_drug_named_assumes_the_only_drug_and_says_so(fast_reader):
    q = fast_reader.understand("Is 20 mg/day OK for cramps?", [])
    assert (q.drug, q.drug_assumed) == ("baclofen", True)
    assert q.assumptions == ["no drug named: the library's only drug with dose rules (baclofen) was assumed"]


def test_doses_of_another_drug_are_kept_apart(fast_reader):
    q = fast_reader.understand("tizanidine 4 mg tid plus baclofen 10 mg tid for spasticity", [])
    assert ([r.dose for r in q.readings], q.other_doses, q.not_covered) == (
        ["10 mg tid"],
        ["4 mg tid (tizanidine)"],
        ["tizanidine"],
    )


def test_facts_persist_over_turns_until_another_patient(fast_reader):
    question = "Is 20 mg/day of baclofen OK for muscle cramps?"
    assert fast_reader.understand(question, ["My patient is on hemodialysis."]).patient.known() == {"dialysis": True}
    fresh = fast_reader.understand(question, ["My patient is on hemodialysis.", "Another patient now."])
    assert fresh.patient.known() == {}


def test_a_range_is_a_range_not_a_value(fast_reader):
    q = fast_reader.understand("eGFR 25-40, baclofen 20 mg/day for cramps", [])
    assert (q.patient.known(), q.patient_ranges) == ({}, {"egfr": (25.0, 40.0)})
    assert len(q.assumptions) == 1 and q.assumptions[0].startswith("egfr 'eGFR 25-40' is a range")


@pytest.mark.parametrize(
    "message, not_understood",
    [
        ("baclofen 10 mg/day, the 7 thing", ["the number 7 (no role could be given to it)"]),
        (
            "creatinine 2.1 mg/dL, baclofen 10 mg/day",
            ["a kidney lab value (such as creatinine or urea) without an eGFR: the renal limits could not be checked"],
        ),
        ("eGFR 250, baclofen 10 mg/day", ["egfr 250.0 is not a plausible value"]),
    ],
)
def test_what_is_not_understood_is_listed(fast_reader, message, not_understood):
    assert fast_reader.understand(message, []).not_understood == not_understood


def test_a_kidney_lab_beside_an_egfr_is_not_a_gap(fast_reader):
    assert fast_reader.understand("creatinine 2.1 mg/dL, eGFR 40, baclofen 10 mg/day", []).not_understood == []
