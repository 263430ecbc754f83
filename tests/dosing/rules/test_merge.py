"""Two guidelines with different limits for the same drug and indication: the stricter applies, both are shown."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules_file
from assistant.dosing.rules.merge import drop_superseded
from assistant.dosing.rules.schema import RulesError

HEAD = """
drug = "testamine"
reviewed_by = "test"
reviewed_on = "2026-12-01"
[routes.oral]
aliases = ["oral"]
[indications.pain]
label = "pain"
aliases = ["pain"]
"""
RULE = """
[[rules]]
route = "oral"
indication = "pain"
[rules.max_daily_mg]
value = {value}
unit = "mg/day"
source = {{ doc_id = "{doc}", section = "Dosing", quote = "at most {value} mg/day" }}
"""


def load(tmp_path: Path, *rules: tuple[str, int]):
    path = tmp_path / "testamine.toml"
    path.write_text(HEAD + "".join(RULE.format(doc=d, value=v) for d, v in rules), encoding="utf-8")
    return load_rules_file(path)


def test_the_stricter_maximum_applies_and_both_sources_are_shown(tmp_path: Path) -> None:
    rules = load(tmp_path, ("label-2020", 4000), ("society-2024", 3000))
    assert len(rules.rules) == 1
    dc = check_dose(DoseRequest(drug="testamine", dose="3500 mg/day", indication="pain"), rules={"testamine": rules})
    assert dc.verdict == "above_max"
    cited = {f.citation.doc_id for f in dc.findings if f.citation}
    assert cited == {"label-2020", "society-2024"}
    other = next(f for f in dc.findings if f.code == "population" and "label-2020 states" in f.message)
    assert "4000 mg/day" in other.message and "the stricter 3000 mg/day (society-2024) applies" in other.message


def test_order_does_not_matter(tmp_path: Path) -> None:
    rules = load(tmp_path, ("society-2024", 3000), ("label-2020", 4000))
    rule = rules.rules[0]
    assert rule.max_daily_mg is not None and rule.max_daily_mg.value == 3000


def test_two_rules_from_the_same_document_are_refused(tmp_path: Path) -> None:
    with pytest.raises(RulesError, match="two rules for oral × pain × adult from the same document 'label-2020'"):
        load(tmp_path, ("label-2020", 4000), ("label-2020", 3000))


def test_a_superseded_document_no_longer_limits(tmp_path: Path) -> None:
    path = tmp_path / "testamine.toml"
    path.write_text(HEAD + RULE.format(doc="label-2020", value=4000), encoding="utf-8")
    rules = load_rules_file(path)
    assert drop_superseded(rules, {"label-2020"}).rules == []
    assert drop_superseded(rules, {"other"}) is rules


def test_a_first_dose_under_a_rule_with_no_start_is_at_least_caution(tmp_path: Path):
    rules = {"testamine": load(tmp_path, ("t", 3000))}
    first = check_dose(DoseRequest(drug="testamine", dose="1000 mg/day", indication="pain", starting=True), rules=rules)
    assert first.verdict == "caution" and "gives no starting dose for pain" in first.findings[0].message
    assert (
        check_dose(DoseRequest(drug="testamine", dose="1000 mg/day", indication="pain"), rules=rules).verdict
        == "within_limits"
    )


SODIUM = """
[rules.sodium_stop]
verdict = "{verdict}"
[rules.sodium_stop.below]
value = {value}
unit = "mmol/L"
source = {{ doc_id = "{doc}", section = "Stop", quote = "stop if sodium falls below {value} mmol/L" }}
"""
REGIMEN = """
[rules.start_regimen]
single_mg = {single}
doses_per_day = 3
stated_as = "three times daily"
source = {{ doc_id = "{doc}", section = "Start", quote = "start at {single} mg three times daily" }}
"""


def test_every_rule_field_has_a_merge_policy() -> None:
    from assistant.dosing.rules.merge import MERGE_POLICY
    from assistant.dosing.rules.schema import IndicationRule

    assert set(MERGE_POLICY) == set(IndicationRule.model_fields)


@pytest.mark.parametrize("looser_first", [True, False])
def test_the_stricter_sodium_stop_wins_whichever_guideline_comes_first(tmp_path: Path, looser_first: bool) -> None:
    loose = RULE.format(doc="label-2020", value=3000) + SODIUM.format(verdict="caution", value=120, doc="label-2020")
    strict = RULE.format(doc="society-2024", value=3000) + SODIUM.format(
        verdict="contraindicated", value=125, doc="society-2024"
    )
    path = tmp_path / "testamine.toml"
    path.write_text(HEAD + (loose + strict if looser_first else strict + loose), encoding="utf-8")
    rules = {"testamine": load_rules_file(path)}
    patient = {"sodium": 122}
    got = check_dose(DoseRequest(drug="testamine", dose="10 mg/day", indication="pain", patient=patient), rules=rules)
    assert got.verdict == "contraindicated"
    assert any("label-2020 states a sodium stop below 120" in f.message for f in got.findings)


@pytest.mark.parametrize("looser_first", [True, False])
def test_the_lower_start_regimen_wins_whichever_guideline_comes_first(tmp_path: Path, looser_first: bool) -> None:
    loose = RULE.format(doc="label-2020", value=3000) + REGIMEN.format(single=100, doc="label-2020")
    strict = RULE.format(doc="society-2024", value=3000) + REGIMEN.format(single=50, doc="society-2024")
    path = tmp_path / "testamine.toml"
    path.write_text(HEAD + (loose + strict if looser_first else strict + loose), encoding="utf-8")
    regimen = load_rules_file(path).rules[0].start_regimen
    assert regimen is not None and regimen.single_mg == 50
