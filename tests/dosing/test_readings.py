"""check_readings: several readings of one question, the strictest verdict wins and each reading is named."""

from __future__ import annotations

import pytest

from assistant.dosing.readings import check_readings
from assistant.dosing.check import headline_rank

C, S = "muscle_cramps", "spasticity"

# id, common kwargs, readings, headline verdict, {label: verdict}
TABLE = [
    (
        "indications-differ",
        {"dose": "40 mg/day"},
        [{"indication": C}, {"indication": S}],
        "above_max",
        {"indication muscle_cramps": "above_max", "indication spasticity": "within_limits"},
    ),
    ("both-green", {"dose": "10 mg tid"}, [{"indication": C}, {"indication": S}], "within_limits", {}),
    (
        "step-or-total",
        {"indication": C, "previous_dose": "10 mg/day", "interval_days": 7},
        [
            {"dose": "20 mg/day", "label": "a step of 10 to 20 mg/day"},
            {"dose": "30 mg/day", "label": "a total of 30 mg/day"},
        ],
        "exceeds_titration_step",
        {"a total of 30 mg/day": "exceeds_titration_step", "a step of 10 to 20 mg/day": "within_limits"},
    ),
    (
        "egfr-range",
        {"dose": "10 mg/day", "indication": C},
        [{"patient": {"egfr": 25}, "label": "eGFR 25"}, {"patient": {"egfr": 40}, "label": "eGFR 40"}],
        "contraindicated",
        {"eGFR 25": "contraindicated", "eGFR 40": "caution"},
    ),
    (
        "unable-not-hidden-by-green",
        {"indication": C},
        [{"dose": "10 mg/day", "label": "10 mg/day"}, {"dose": "ten mg", "label": "ten mg"}],
        "unable_to_check",
        {"ten mg": "unable_to_check", "10 mg/day": "within_limits"},
    ),
    (
        "hard-stop-beats-unable",
        {"indication": C},
        [{"dose": "40 mg/day", "label": "40"}, {"dose": "ten mg", "label": "ten"}],
        "above_max",
        {"40": "above_max"},
    ),
    (
        "unable-beats-caution",
        {"indication": C},
        [{"dose": "10 mg/day", "patient": {"egfr": 45}, "label": "moderate"}, {"dose": "ten mg", "label": "ten"}],
        "unable_to_check",
        {"moderate": "caution", "ten": "unable_to_check"},
    ),
    ("single", {"indication": C}, [{"dose": "10 mg/day"}], "within_limits", {}),
]


@pytest.mark.parametrize(("common", "readings", "verdict", "named"), [pytest.param(*r[1:], id=r[0]) for r in TABLE])
def test_strictest_reading_wins(common: dict, readings: list[dict], verdict: str, named: dict[str, str]) -> None:
    got = check_readings("baclofen", readings, **common)
    assert got.verdict == verdict, [(f.code, f.verdict, f.message) for f in got.findings]
    assert got.hard_stop == (verdict in ("contraindicated", "above_max"))
    assert (got.reason is not None) == (verdict == "unable_to_check")
    notes = [f for f in got.findings if f.code == "reading"]
    if len(readings) > 1:
        assert len(notes) == len(readings)
    for label, v in named.items():
        assert any(label in f.message and f.verdict == v for f in notes), (
            label,
            [(f.verdict, f.message) for f in notes],
        )


def test_the_judged_reading_is_named() -> None:
    got = check_readings("baclofen", [{"indication": C}, {"indication": S}], dose="40 mg/day")
    judged = next(f for f in got.findings if f.code == "reading_judged")
    assert "muscle_cramps" in judged.message
    assert got.indication == C


def test_no_readings_is_unable_to_check() -> None:
    got = check_readings("baclofen", [], dose="10 mg/day")
    assert got.verdict == "unable_to_check" and got.reason


def test_unknown_reading_key_is_unable_to_check_not_an_exception() -> None:
    got = check_readings("baclofen", [{"dose": "10 mg/day", "colour": "red"}], indication=C)
    assert got.verdict == "unable_to_check" and "colour" in (got.reason or "")


def test_headline_rank_order() -> None:
    order = ["within_limits", "caution", "unable_to_check", "exceeds_titration_step", "above_max", "contraindicated"]
    assert sorted(order, key=headline_rank) == order
