"""First doses (dosing/findings/starting.py): compared with the guideline's stated starts; any other dose with no
current dose is taken as reached by titration, and the check says so. Real baclofen rules; a rule with no start is in
tests/dosing/rules/test_merge.py, the CLI flag in tests/interfaces/test_check_dose.py."""

from __future__ import annotations

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest


def start_findings(check) -> list:
    return [f for f in check.findings if f.code in ("start_dose", "start_assumed")]


@pytest.mark.parametrize(
    "dose, indication, verdict",
    [
        ("30 mg/day", "muscle_cramps", "exceeds_titration_step"),  # start 10 mg/day
        ("10 mg three times daily", "muscle_cramps", "exceeds_titration_step"),  # 30 mg/day as a first dose
        ("20 mg/day", "muscle_cramps", "exceeds_titration_step"),
        ("10 mg/day", "muscle_cramps", "within_limits"),
        ("5 mg twice daily", "muscle_cramps", "within_limits"),
        ("40 mg/day", "muscle_cramps", "above_max"),  # the maximum still wins
        ("5 mg three times daily", "spasticity", "within_limits"),  # the stated initial regimen
        ("10 mg/day", "spasticity", "within_limits"),  # within "5-10 mg/day"
        ("20 mg three times daily", "spasticity", "exceeds_titration_step"),
        ("60 mg/day", "spasticity", "exceeds_titration_step"),
    ],
)
def test_a_first_dose_is_compared_with_the_guidelines_start(dose, indication, verdict):
    assert check_dose(DoseRequest(drug="baclofen", dose=dose, indication=indication, starting=True)).verdict == verdict


def test_a_first_dose_above_the_start_names_the_start_and_cites_it():
    check = check_dose(
        DoseRequest(drug="baclofen", dose="20 mg three times daily", indication="spasticity", starting=True)
    )
    [found] = [f for f in start_findings(check) if f.verdict == "exceeds_titration_step"]
    assert found.message.startswith("Starting at 60 mg/day is above the starting dose for spasticity")
    assert "5–10 mg/day or 5 mg three times daily" in found.message and found.limit == "5 mg three times daily"
    assert found.citation is not None and "5 mg three times daily" in found.citation.quote


def test_a_dose_not_said_to_be_first_is_taken_as_titrated_and_says_so():
    check = check_dose(DoseRequest(drug="baclofen", dose="30 mg/day", indication="muscle_cramps"))
    assert check.verdict == "within_limits"
    assumed = [f for f in start_findings(check) if f.code == "start_assumed"]
    assert len(assumed) == 1 and "taken as a dose reached by titration" in assumed[0].message
    at_start = start_findings(check_dose(DoseRequest(drug="baclofen", dose="10 mg/day", indication="muscle_cramps")))
    assert [f.code for f in at_start] == ["start_dose"]  # at the start: the start is shown, nothing assumed


def test_a_change_from_a_current_dose_is_judged_by_the_titration_rule_not_the_start():
    check = check_dose(
        DoseRequest(
            drug="baclofen", dose="20 mg/day", indication="muscle_cramps", previous_dose="10 mg/day", interval_days=7
        )
    )
    assert check.verdict == "within_limits" and not start_findings(check)
    stated = check_dose(
        DoseRequest(
            drug="baclofen",
            dose="20 mg/day",
            indication="muscle_cramps",
            route="oral",
            patient=None,
            previous_dose="10 mg/day",
            interval_days=7,
            starting=True,
        )
    )
    assert stated.verdict == "within_limits"  # a current dose was given: this is not a first dose


def test_with_no_indication_every_indications_start_is_checked():
    check = check_dose(DoseRequest(drug="baclofen", dose="15 mg/day", indication=None, starting=True))
    assert check.verdict == "caution"  # above the cramps start, within the spasticity one: "if the indication is…"
    [flag] = [f for f in start_findings(check) if f.verdict != "within_limits"]
    assert flag.message.startswith("If the indication is muscle cramps: Starting at 15 mg/day is above")
