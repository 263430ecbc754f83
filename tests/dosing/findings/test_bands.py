"""Renal bands (CrCl/eGFR), weight-based doses, formulations, maximum single dose and minimum interval."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules_file
from assistant.dosing.rules.schema import DrugRules, RulesError

RULES = """
drug = "testamine"
reviewed_by = "test"
reviewed_on = "2026-12-01"

[routes.oral]
aliases = ["oral", "po"]

[indications.seizures]
label = "partial-onset seizures"
aliases = ["seizures"]

[indications.pain]
label = "pain"
aliases = ["pain"]

[[general.renal_bands]]
measure = "crcl"
low = 30
high = 50
single_low_mg = 250
single_high_mg = 750
frequency = "every 12 hours"
source = { doc_id = "t", section = "Renal", quote = "CrCl 30-50 mL/min: 250 to 750 mg every 12 hours" }

[[general.renal_bands]]
measure = "crcl"
high = 30
avoid = true
note = "not recommended"
source = { doc_id = "t", section = "Renal", quote = "CrCl below 30 mL/min: not recommended" }

[[rules]]
route = "oral"
indication = "seizures"

[rules.max_daily_mg]
value = 3000
unit = "mg/day"
source = { doc_id = "t", section = "Adults", quote = "a maximum recommended daily dose of 3000 mg" }

[rules.per_kg]
per_dose_high = 30
frequency = "twice daily"
source = { doc_id = "t", section = "Children", quote = "up to 30 mg/kg twice daily" }

[rules.min_interval]
hours = 12
stated_as = "every 12 hours"
source = { doc_id = "t", section = "Adults", quote = "given every 12 hours" }

[[rules]]
route = "oral"
indication = "pain"

[rules.max_single_dose_mg]
value = 1000
unit = "mg"
source = { doc_id = "t", section = "Pain", quote = "no more than 1000 mg in a single dose" }

[rules.formulations.immediate_release]
label = "immediate-release tablets"
aliases = ["ir", "immediate release"]
max_daily_mg = 4000
source = { doc_id = "t", section = "Pain", quote = "immediate-release: up to 4000 mg per day" }

[rules.formulations.extended_release]
label = "extended-release tablets"
aliases = ["er", "xr", "extended release"]
max_daily_mg = 2000
source = { doc_id = "t", section = "Pain", quote = "extended-release: up to 2000 mg per day" }
"""


@pytest.fixture()
def rules(tmp_path: Path) -> dict[str, DrugRules]:
    path = tmp_path / "testamine.toml"
    path.write_text(RULES, encoding="utf-8")
    return {"testamine": load_rules_file(path)}


def check(rules, dose: str, indication: str = "seizures", **kw):
    formulation = kw.pop("formulation", None)
    return check_dose(
        DoseRequest(drug="testamine", dose=dose, indication=indication, patient=kw or None, formulation=formulation),
        rules=rules,
    )


def test_crcl_band_limits_the_single_dose(rules) -> None:
    assert check(rules, "750 mg every 12 hours", crcl=40, weight=70).verdict == "within_limits"
    assert check(rules, "750 mg every 12 hours", crcl=40).verdict == "caution"  # per-kg limit: weight unknown
    over = check(rules, "1000 mg every 12 hours", crcl=40, weight=70)
    assert over.verdict == "above_max" and over.hard_stop
    band = next(f for f in over.findings if f.code == "renal_band")
    assert "1000 mg per dose is above 750 mg" in band.message and "testamine" in band.message
    assert band.citation is not None and band.citation.quote.startswith("CrCl 30-50")


def test_band_frequency_and_avoid(rules) -> None:
    assert check(rules, "500 mg every 8 hours", crcl=40).verdict == "above_max"
    assert check(rules, "250 mg every 12 hours", crcl=20).verdict == "contraindicated"
    assert check(rules, "250 mg every 12 hours", crcl=30).verdict == "contraindicated"  # boundary: stricter band


def test_unknown_crcl_is_never_green_when_a_band_objects(rules) -> None:
    dc = check(rules, "1000 mg every 12 hours")
    assert dc.verdict == "caution"
    assert any(f.code == "renal_band_unknown" and f.verdict == "caution" for f in dc.findings)
    egfr_only = check(rules, "1000 mg every 12 hours", egfr=40)
    assert egfr_only.verdict == "caution"
    assert any("one is not used for the other" in f.message for f in egfr_only.findings)


def test_weight_based_dose_needs_the_weight(rules) -> None:
    assert check(rules, "15 mg/kg every 12 hours", weight=20).verdict == "caution"  # CrCl unknown: the <30 band objects
    grey = check(rules, "15 mg/kg every 12 hours")
    assert grey.verdict == "unable_to_check" and "weight" in (grey.reason or "")
    over = check(rules, "40 mg/kg twice daily", weight=20, crcl=90)
    assert over.verdict == "above_max" and any(f.code == "per_kg" and f.verdict == "above_max" for f in over.findings)
    ok = check(rules, "20 mg/kg twice daily", weight=20, crcl=90)
    assert ok.verdict == "within_limits" and ok.daily_dose_mg == 800


def test_absolute_dose_is_checked_per_kg_with_a_weight(rules) -> None:
    dc = check(rules, "1000 mg twice daily", weight=20, crcl=90)
    assert dc.verdict == "above_max"
    assert any("50 mg/kg per dose" in f.message for f in dc.findings)


def test_minimum_interval(rules) -> None:
    assert check(rules, "500 mg three times daily", crcl=90, weight=70).verdict == "above_max"


def test_formulation_maxima_and_single_dose(rules) -> None:
    assert check(rules, "1000 mg three times daily", "pain", formulation="ER").verdict == "above_max"
    assert check(rules, "1000 mg three times daily", "pain", formulation="immediate release").verdict == "caution"
    unknown_form = check(rules, "1000 mg three times daily", "pain")
    assert unknown_form.verdict == "caution"
    assert check(rules, "1500 mg twice daily", "pain", formulation="IR").verdict == "above_max"  # single dose
    assert check(rules, "500 mg", "pain", formulation="pill").verdict == "unable_to_check"


def test_a_value_not_in_its_quote_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "testamine.toml"
    path.write_text(RULES.replace("single_high_mg = 750", "single_high_mg = 75"), encoding="utf-8")
    with pytest.raises(RulesError, match=r"general.renal_bands\[0\]: the quote does not state 75 as a whole number"):
        load_rules_file(path)


def test_a_rule_without_any_upper_limit_is_refused(tmp_path: Path) -> None:
    text = RULES.split("[[rules]]")[0] + '[[rules]]\nroute = "oral"\nindication = "pain"\n'
    path = tmp_path / "testamine.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RulesError, match="a rule needs an upper limit"):
        load_rules_file(path)
