"""Populations are rules data: a patient the rules do not cover gets no numbers, only a reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules, load_rules_file
from assistant.dosing.rules.schema import RulesError
from assistant.settings import REPO_ROOT

RULES_TEXT = (REPO_ROOT / "corpus/rules/baclofen.toml").read_text(encoding="utf-8")
C, S = "muscle_cramps", "spasticity"

# id, patient, indication, verdict, words the reason must contain (None: the check is not unable_to_check)
TABLE = [
    ("child-age-6", {"age": 6}, S, "unable_to_check", "do not cover dosing in children"),
    ("child-age-17", {"age": 17}, S, "unable_to_check", "do not cover dosing in children"),
    ("child-age-17.9", {"age": 17.9}, C, "unable_to_check", "do not cover dosing in children"),
    ("adult-age-18", {"age": 18}, S, "within_limits", None),
    ("child-group", {"age_group": "child"}, C, "unable_to_check", "do not cover dosing in children"),
    ("child-group-wins-over-age", {"age_group": "child", "age": 40}, S, "unable_to_check", "children"),
    ("child-age-wins-over-group", {"age_group": "adult", "age": 9}, S, "unable_to_check", "children"),
    ("adult-group", {"age_group": "adult"}, S, "within_limits", None),
    ("older-group", {"age_group": "older_adult"}, S, "within_limits", None),
    ("pregnant", {"pregnant": True}, S, "unable_to_check", "do not cover dosing in pregnancy"),
    ("breastfeeding", {"breastfeeding": True}, C, "unable_to_check", "do not cover dosing during breastfeeding"),
    ("not-pregnant", {"pregnant": False, "breastfeeding": False}, S, "within_limits", None),
    ("no-indication-child", {"age": 8}, None, "unable_to_check", "children"),
    ("pregnant-child", {"age": 15, "pregnant": True}, S, "unable_to_check", "children"),
]


@pytest.mark.parametrize(("patient", "indication", "verdict", "reason"), [pytest.param(*r[1:], id=r[0]) for r in TABLE])
def test_population_table(patient: dict, indication: str | None, verdict: str, reason: str | None) -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="5 mg tid", indication=indication, patient=patient))
    assert got.verdict == verdict, (got.reason, [(f.code, f.verdict, f.message) for f in got.findings])
    assert got.indication == indication  # canonical, also when the population is not covered
    if reason is not None:
        assert reason in (got.reason or "")
        # Never adult numbers for a population the rules do not cover.
        assert got.daily_dose_mg is None and not any(f.limit for f in got.findings)


def test_pregnancy_and_children_are_both_named() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="5 mg tid", indication=S, patient={"age": 15, "pregnant": True}))
    assert "children" in (got.reason or "") and "pregnancy" in (got.reason or "")


def test_adult_assumption_is_shown_when_age_is_not_given() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="5 mg tid", indication=S))
    note = next(f for f in got.findings if f.code == "population_assumed")
    assert note.verdict == "within_limits" and "adult" in note.message and "18" in note.message
    assert "assum" in note.message


def test_cut_off_is_data_with_an_assumption() -> None:
    pops = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"].populations
    assert pops is not None and pops.adult_min_age == 18 and pops.assumption


def test_cut_off_changes_with_the_rules_file(tmp_path: Path) -> None:
    (tmp_path / "baclofen.toml").write_text(
        RULES_TEXT.replace("adult_min_age = 18", "adult_min_age = 16"), encoding="utf-8"
    )
    got = check_dose(
        DoseRequest(drug="baclofen", dose="5 mg tid", indication=S, patient={"age": 17}), rules=load_rules(tmp_path)
    )
    assert got.verdict == "within_limits"


PAEDIATRIC_RULE = """
[[rules]]
route = "oral"
indication = "spasticity"
covers = ["paediatric"]

[rules.start_daily_mg]
low = 5
high = 10
unit = "mg/day"
source.doc_id = "baclofen-spasticity"
source.section = "Initial Dosing and Titration"
source.quote = "Start with low doses (5-10 mg/day) and titrate slowly to minimize side effects"

[rules.max_daily_mg]
value = 30
unit = "mg/day"
source.doc_id = "baclofen-spasticity"
source.section = "Initial Dosing and Titration"
source.quote = "particularly in older adults who rarely tolerate doses greater than 30-40 mg per day"
"""


def test_a_paediatric_rule_changes_the_answer_without_code(tmp_path: Path) -> None:
    # The quotes are reused only to satisfy the loader: this file is a test fixture, not a guideline.
    (tmp_path / "baclofen.toml").write_text(RULES_TEXT + PAEDIATRIC_RULE, encoding="utf-8")
    rules = load_rules(tmp_path)
    child = check_dose(DoseRequest(drug="baclofen", dose="5 mg tid", indication=S, patient={"age": 6}), rules=rules)
    assert child.verdict == "within_limits", (child.reason, [(f.code, f.message) for f in child.findings])
    over = check_dose(DoseRequest(drug="baclofen", dose="15 mg tid", indication=S, patient={"age": 6}), rules=rules)
    assert over.verdict == "above_max"  # the paediatric maximum (30), not the adult one (80)
    adult = check_dose(DoseRequest(drug="baclofen", dose="15 mg tid", indication=S, patient={"age": 40}), rules=rules)
    assert adult.verdict == "within_limits"  # adults still get the adult rule
    cramps_child = check_dose(
        DoseRequest(drug="baclofen", dose="10 mg/day", indication=C, patient={"age": 6}), rules=rules
    )
    assert cramps_child.verdict == "unable_to_check" and "children" in (cramps_child.reason or "")


def test_two_rules_for_the_same_population_are_refused(tmp_path: Path) -> None:
    twice = RULES_TEXT + PAEDIATRIC_RULE + PAEDIATRIC_RULE
    (tmp_path / "baclofen.toml").write_text(twice, encoding="utf-8")
    with pytest.raises(RulesError, match="two rules"):
        load_rules_file(tmp_path / "baclofen.toml")


def test_unknown_population_code_is_refused(tmp_path: Path) -> None:
    bad = RULES_TEXT + PAEDIATRIC_RULE.replace('"paediatric"', '"toddlers"')
    (tmp_path / "baclofen.toml").write_text(bad, encoding="utf-8")
    with pytest.raises(RulesError):
        load_rules_file(tmp_path / "baclofen.toml")
