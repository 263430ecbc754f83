"""First doses (dosing/starting.py): compared with the guideline's stated starts; any other dose with no current
dose is taken as reached by titration, and the check says so. Real baclofen rules, plus a rule with no start."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.loader import load_rules_file
from assistant.settings import REPO_ROOT


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
    assert check_dose("baclofen", dose, indication, starting=True).verdict == verdict


def test_a_first_dose_above_the_start_names_the_start_and_cites_it():
    check = check_dose("baclofen", "20 mg three times daily", "spasticity", starting=True)
    [found] = [f for f in start_findings(check) if f.verdict == "exceeds_titration_step"]
    assert found.message.startswith("Starting at 60 mg/day is above the starting dose for spasticity")
    assert "5–10 mg/day or 5 mg three times daily" in found.message and found.limit == "5 mg three times daily"
    assert found.citation is not None and "5 mg three times daily" in found.citation.quote


def test_a_dose_not_said_to_be_first_is_taken_as_titrated_and_says_so():
    check = check_dose("baclofen", "30 mg/day", "muscle_cramps")
    assert check.verdict == "within_limits"
    assumed = [f for f in start_findings(check) if f.code == "start_assumed"]
    assert len(assumed) == 1 and "taken as a dose reached by titration" in assumed[0].message
    assert not start_findings(check_dose("baclofen", "10 mg/day", "muscle_cramps"))[1:]  # at the start: no note


def test_a_change_from_a_current_dose_is_judged_by_the_titration_rule_not_the_start():
    check = check_dose("baclofen", "20 mg/day", "muscle_cramps", previous_dose="10 mg/day", interval_days=7)
    assert check.verdict == "within_limits" and not start_findings(check)
    stated = check_dose("baclofen", "20 mg/day", "muscle_cramps", "oral", None, "10 mg/day", 7, starting=True)
    assert stated.verdict == "within_limits"  # a current dose was given: this is not a first dose


def test_with_no_indication_every_indications_start_is_checked():
    check = check_dose("baclofen", "15 mg/day", None, starting=True)
    assert check.verdict == "caution"  # above the cramps start, within the spasticity one: "if the indication is…"
    [flag] = [f for f in start_findings(check) if f.verdict != "within_limits"]
    assert flag.message.startswith("If the indication is muscle cramps: Starting at 15 mg/day is above")


RULES_WITHOUT_START = """
drug = "testamine"
reviewed_by = "test"
reviewed_on = "2026-12-01"
[routes.oral]
aliases = ["oral"]
[indications.pain]
label = "pain"
aliases = ["pain"]
[[rules]]
route = "oral"
indication = "pain"
[rules.max_daily_mg]
value = 3000
unit = "mg/day"
source = { doc_id = "t", section = "Adults", quote = "a maximum recommended daily dose of 3000 mg" }
"""


def test_a_first_dose_under_a_rule_with_no_start_is_at_least_caution(tmp_path: Path):
    path = tmp_path / "testamine.toml"
    path.write_text(RULES_WITHOUT_START, encoding="utf-8")
    rules = {"testamine": load_rules_file(path)}
    first = check_dose("testamine", "1000 mg/day", "pain", starting=True, rules=rules)
    assert first.verdict == "caution" and "gives no starting dose for pain" in first.findings[0].message
    assert check_dose("testamine", "1000 mg/day", "pain", rules=rules).verdict == "within_limits"


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "check-dose", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=120,
    )


def test_check_dose_cli_and_batch_take_starting():
    proc = run("--json", "--drug", "baclofen", "--dose", "30 mg/day", "--indication", "muscle_cramps", "--starting")
    assert proc.returncode == 0 and json.loads(proc.stdout)["verdict"] == "exceeds_titration_step"
    lines = [
        {"id": 1, "drug": "baclofen", "dose": "30 mg/day", "indication": "muscle_cramps", "starting": True},
        {"id": 2, "drug": "baclofen", "dose": "30 mg/day", "indication": "muscle_cramps", "starting": False},
        {"id": 3, "drug": "baclofen", "dose": "30 mg/day", "starting": "yes"},
    ]
    proc = run("--batch", "-", stdin="\n".join(json.dumps(x) for x in lines) + "\n")
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o.get("verdict") for o in out] == ["exceeds_titration_step", "within_limits", None]
    assert out[2] == {"id": 3, "error": "'starting' must be true, false or null"}
