# ruff: noqa: E501  (the TOML and document lines below are verbatim quotes)
"""Each field the rules format gained for real guidelines, on a small invented document and rules file: a cap on
doses per 24 h, a usual range with no maximum, a ladder, a per-dose step, age-bounded rules, hepatic bands,
starting vs continuing renal bands, co-medication rules (and the drug's own text on another drug), liquid strengths,
alternative schedules with a weekly maximum, a caution above a single dose, statements the format cannot hold."""

from __future__ import annotations

import pytest

from assistant import check_dose
from assistant.dosing.rules.load import load_rules

DOC = """# Examplin tablets and oral solution

## Dosing

Start examplin at 5 mg once daily. Increase through 5 mg/day, 10 mg/day, 20 mg/day and 40 mg/day, each for at least 7 days.
Each dose may be increased by 2 mg per dose. Do not give more than three doses in 24 hours.
The maximum is 40 mg per day. Single doses above 20 mg have not been studied.
Doses are usually 10 mg to 30 mg per day; titrate to effect.
Children 6 to 11 years: the maximum is 10 mg per day.
The oral solution contains 5 mg in 5 mL.
The extended-release tablets start at 10 mg per day, up to 40 mg per day.
For bone use: 70 mg once weekly or 10 mg once daily.

## Kidneys and liver

Do not start examplin when the eGFR is 30 to 45. If already taking it and the eGFR is 30 to 45, reassess.
In Child-Pugh class C, do not exceed 10 mg per day.

## Other drugs

Examplin is contraindicated with fluvoxamine. Taking examplin together with warfarin increases bleeding; monitor.
Examplin may be used instead of placebolin.
"""

RULES = """
drug = "examplin"
reviewed_by = "test"
reviewed_on = "2026-12-03"

[routes.oral]
aliases = ["oral"]

[indications.pain]
label = "pain"
aliases = ["pain"]

[indications.spasm]
label = "spasm"
aliases = ["spasm"]

[indications.bone]
label = "bone"
aliases = ["bone"]

[[concentrations]]
mg = 5
ml = 5
stated_as = "5 mg in 5 mL"
source = { doc_id = "examplin", section = "Dosing", quote = "The oral solution contains 5 mg in 5 mL." }

[[interactions]]
drugs = ["fluvoxamine"]
verdict = "contraindicated"
text = "contraindicated with fluvoxamine"
source = { doc_id = "examplin", section = "Other drugs", quote = "Examplin is contraindicated with fluvoxamine." }

[[general.renal_bands]]
measure = "egfr"
low = 30
high = 45
when = "starting"
avoid = true
source = { doc_id = "examplin", section = "Kidneys and liver", quote = "Do not start examplin when the eGFR is 30 to 45." }

[[general.renal_bands]]
measure = "egfr"
low = 30
high = 45
when = "continuing"
note = "reassess"
source = { doc_id = "examplin", section = "Kidneys and liver", quote = "If already taking it and the eGFR is 30 to 45, reassess." }

[[general.hepatic_bands]]
child_pugh = ["C"]
max_daily_mg = 10
source = { doc_id = "examplin", section = "Kidneys and liver", quote = "In Child-Pugh class C, do not exceed 10 mg per day." }

[[rules]]
route = "oral"
indication = "pain"
population = "adults"

[rules.max_daily_mg]
value = 40
unit = "mg/day"
source = { doc_id = "examplin", section = "Dosing", quote = "The maximum is 40 mg per day." }

[rules.range_daily_mg]
low = 10
high = 30
unit = "mg/day"
source = { doc_id = "examplin", section = "Dosing", quote = "Doses are usually 10 mg to 30 mg per day; titrate to effect." }

[rules.ladder]
steps_daily_mg = [5, 10, 20, 40]
min_days = { value = 7, unit = "days", source = { doc_id = "examplin", section = "Dosing", quote = "Increase through 5 mg/day, 10 mg/day, 20 mg/day and 40 mg/day, each for at least 7 days." } }
source = { doc_id = "examplin", section = "Dosing", quote = "Increase through 5 mg/day, 10 mg/day, 20 mg/day and 40 mg/day, each for at least 7 days." }

[[rules]]
route = "oral"
indication = "pain"
population = "children 6 to 11 years"
covers = ["paediatric"]
min_age = { value = 6, unit = "years", source = { doc_id = "examplin", section = "Dosing", quote = "Children 6 to 11 years: the maximum is 10 mg per day." } }
max_age = { value = 11, unit = "years", source = { doc_id = "examplin", section = "Dosing", quote = "Children 6 to 11 years: the maximum is 10 mg per day." } }

[rules.max_daily_mg]
value = 10
unit = "mg/day"
source = { doc_id = "examplin", section = "Dosing", quote = "Children 6 to 11 years: the maximum is 10 mg per day." }

[[rules]]
route = "oral"
indication = "spasm"
population = "adults"

[rules.max_daily_mg]
value = 40
unit = "mg/day"
source = { doc_id = "examplin", section = "Dosing", quote = "The maximum is 40 mg per day." }

[rules.max_doses_per_day]
value = 3
unit = "doses/24 h"
stated_as = "three doses in 24 hours"
source = { doc_id = "examplin", section = "Dosing", quote = "Do not give more than three doses in 24 hours." }

[rules.per_dose_step]
step_single_mg = 2
source = { doc_id = "examplin", section = "Dosing", quote = "Each dose may be increased by 2 mg per dose." }

[rules.formulations.extended_release]
label = "extended-release tablets"
aliases = ["er", "extended release"]
max_daily_mg = 40
start_daily_mg = { value = 10, unit = "mg/day", source = { doc_id = "examplin", section = "Dosing", quote = "The extended-release tablets start at 10 mg per day, up to 40 mg per day." } }
source = { doc_id = "examplin", section = "Dosing", quote = "The extended-release tablets start at 10 mg per day, up to 40 mg per day." }

[rules.caution_single_above_mg]
value = 20
unit = "mg"
source = { doc_id = "examplin", section = "Dosing", quote = "Single doses above 20 mg have not been studied." }

[[rules]]
route = "oral"
indication = "bone"
population = "adults"

[rules.max_weekly_mg]
value = 70
unit = "mg/week"
stated_as = "70 mg once weekly"
source = { doc_id = "examplin", section = "Dosing", quote = "For bone use: 70 mg once weekly or 10 mg once daily." }

[[rules.schedules]]
single_mg = 70
every_days = 7
stated_as = "70 mg once weekly"
source = { doc_id = "examplin", section = "Dosing", quote = "For bone use: 70 mg once weekly or 10 mg once daily." }

[[rules.schedules]]
single_mg = 10
every_days = 1
stated_as = "10 mg once daily"
source = { doc_id = "examplin", section = "Dosing", quote = "For bone use: 70 mg once weekly or 10 mg once daily." }

[[rules.unchecked]]
code = "bone_duration"
text = "the duration of bone use is not stated in a form the rules can hold"
source = { doc_id = "examplin", section = "Dosing", quote = "For bone use: 70 mg once weekly or 10 mg once daily." }
"""

ADULT = {"age": 40, "egfr": 90, "cirrhosis": False}


@pytest.fixture(scope="module")
def rules(tmp_path_factory):
    folder = tmp_path_factory.mktemp("rules")
    (folder / "examplin.toml").write_text(RULES, encoding="utf-8")
    loaded = load_rules(folder, {"examplin": DOC})
    assert loaded.refused == {} and "examplin" in loaded
    return loaded


def verdict(rules, dose: str, indication: str = "pain", **extra) -> str:
    request = {"drug": "examplin", "dose": dose, "indication": indication, "patient": ADULT, **extra}
    return check_dose(request, rules=rules).verdict


def test_cap_on_doses_per_24_hours_blocks(rules):
    assert verdict(rules, "5 mg three times a day", indication="spasm") == "within_limits"
    assert verdict(rules, "5 mg four times a day", indication="spasm") == "above_max"


def test_usual_range_without_maximum_is_a_caution_outside(rules):
    assert verdict(rules, "5 mg once daily") == "caution"
    assert verdict(rules, "10 mg twice a day") == "within_limits"


def test_ladder_skipping_a_level_or_too_soon_exceeds(rules):
    common = {"previous_dose": "10 mg once daily", "interval_days": 14}
    assert verdict(rules, "20 mg once daily", **common) == "within_limits"
    assert verdict(rules, "40 mg once daily", **common) == "exceeds_titration_step"
    assert (
        verdict(rules, "20 mg once daily", previous_dose="10 mg once daily", interval_days=3)
        == "exceeds_titration_step"
    )
    assert verdict(rules, "20 mg once daily", previous_dose="10 mg once daily") == "caution"  # time on level unknown
    assert verdict(rules, "15 mg once daily") == "caution"  # not a level


def test_per_dose_step(rules):
    step = {"indication": "spasm", "previous_dose": "5 mg twice a day", "interval_days": 14}
    assert verdict(rules, "6 mg twice a day", **step) == "within_limits"
    assert verdict(rules, "8 mg twice a day", **step) == "exceeds_titration_step"


def test_caution_above_a_single_dose(rules):
    assert verdict(rules, "20 mg once daily", indication="spasm") == "within_limits"
    assert verdict(rules, "40 mg once daily", indication="spasm") == "caution"


def test_age_bounded_rules_choose_by_age(rules):
    child = {"age": 8, "egfr": 90, "cirrhosis": False}
    assert (
        check_dose(
            {"drug": "examplin", "dose": "5 mg twice a day", "indication": "pain", "patient": child}, rules=rules
        ).verdict
        == "within_limits"
    )
    assert (
        check_dose(
            {"drug": "examplin", "dose": "10 mg twice a day", "indication": "pain", "patient": child}, rules=rules
        ).verdict
        == "above_max"
    )
    toddler = check_dose(
        {"drug": "examplin", "dose": "5 mg once daily", "indication": "pain", "patient": {"age": 3}}, rules=rules
    )
    assert toddler.verdict == "unable_to_check" and "age 3" in (toddler.reason or "")


def test_hepatic_band_by_child_pugh_class(rules):
    liver = {"age": 50, "egfr": 90, "cirrhosis": True}
    assert verdict(rules, "10 mg twice a day", patient={**liver, "child_pugh": "C"}) == "above_max"
    assert verdict(rules, "10 mg twice a day", patient={**liver, "child_pugh": "A"}) == "within_limits"
    assert verdict(rules, "10 mg twice a day", patient=liver) == "unable_to_check"  # liver disease, class unknown
    assert verdict(rules, "10 mg twice a day", patient={"age": 50, "egfr": 90}) == "caution"  # never said: as renal


def test_starting_vs_continuing_at_a_renal_band(rules):
    low = {"age": 50, "egfr": 40, "cirrhosis": False}
    assert verdict(rules, "10 mg once daily", patient=low, starting=True) == "contraindicated"
    kept = verdict(rules, "10 mg once daily", patient=low, previous_dose="10 mg once daily", interval_days=30)
    assert kept == "caution"
    assert verdict(rules, "10 mg once daily", patient=low) == "contraindicated"  # not known: the stricter


def test_co_medication_rule_and_the_guideline_text(rules):
    assert verdict(rules, "10 mg once daily", co_medications=["fluvoxamine"]) == "contraindicated"
    warfarin = check_dose(
        {
            "drug": "examplin",
            "dose": "10 mg once daily",
            "indication": "pain",
            "patient": ADULT,
            "co_medications": ["warfarin"],
        },
        rules=rules,
    )
    assert warfarin.verdict == "within_limits"  # the text is read only from the library (none given to check_dose)
    named = check_dose(
        {
            "drug": "examplin",
            "dose": "10 mg once daily",
            "indication": "pain",
            "patient": ADULT,
            "co_medications": ["placebolin"],
        },
        rules=rules,
    )
    assert any("not checked" in f.message for f in named.findings)
    unknown_indication = verdict(rules, "10 mg once daily", indication="sleep", co_medications=["fluvoxamine"])
    assert unknown_indication == "contraindicated"


def test_volume_through_the_liquid_strength(rules):
    got = check_dose(
        {"drug": "examplin", "dose": "10 mL twice a day", "indication": "pain", "patient": ADULT}, rules=rules
    )
    assert got.verdict == "within_limits" and got.daily_dose_mg == 20
    stated = check_dose(
        {
            "drug": "examplin",
            "dose": "30 mL of a 5 mg/5 mL solution twice a day",
            "indication": "pain",
            "patient": ADULT,
        },
        rules=rules,
    )
    assert stated.verdict == "above_max" and stated.daily_dose_mg == 60


def test_alternative_schedules_and_a_weekly_maximum(rules):
    assert verdict(rules, "70 mg once weekly", indication="bone") == "caution"  # the unchecked statement
    got = check_dose(
        {"drug": "examplin", "dose": "70 mg once weekly", "indication": "bone", "patient": ADULT}, rules=rules
    )
    assert [f.code for f in got.findings if f.verdict != "within_limits"] == ["not_checkable"]
    assert verdict(rules, "70 mg twice weekly", indication="bone") == "above_max"
    assert verdict(rules, "70 mg once daily", indication="bone") == "above_max"


def test_a_formulation_has_its_own_start(rules):
    er = {"indication": "spasm", "formulation": "extended release", "starting": True}
    assert verdict(rules, "10 mg once daily", **er) == "within_limits"
    assert verdict(rules, "20 mg once daily", **er) == "exceeds_titration_step"


def test_the_drugs_own_text_on_another_drug_makes_a_caution(tmp_path):
    # The guideline sentence "Taking examplin together with warfarin increases bleeding" states an interaction no
    # rule holds: with the document in the library the check reads it. "instead of placebolin" merely names a drug.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "examplin.md").write_text(DOC, encoding="utf-8")
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "examplin.toml").write_text(RULES, encoding="utf-8")
    rules = load_rules(tmp_path / "rules", {"examplin": DOC})
    rules.corpus_dir = corpus
    request = {"drug": "examplin", "dose": "10 mg once daily", "indication": "pain", "patient": ADULT}
    warfarin = check_dose({**request, "co_medications": ["warfarin"]}, rules=rules)
    assert warfarin.verdict == "caution"
    (quoted,) = [f for f in warfarin.findings if f.code == "interaction_in_text"]
    assert quoted.citation is not None and "warfarin increases bleeding" in quoted.citation.quote
    assert quoted.citation.section == "Other drugs"
    placebolin = check_dose({**request, "co_medications": ["placebolin"]}, rules=rules)
    assert placebolin.verdict == "within_limits"
    assert any(f.code == "co_medications" and "placebolin" in f.message for f in placebolin.findings)


def test_a_strength_in_micrograms_is_read(rules):
    got = check_dose(
        {
            "drug": "examplin",
            "dose": "50 mL of a 500 micrograms/5 mL solution twice a day",
            "indication": "pain",
            "patient": ADULT,
        },
        rules=rules,
    )
    assert got.daily_dose_mg == 10 and got.verdict == "within_limits"
