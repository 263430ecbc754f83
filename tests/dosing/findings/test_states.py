"""Named patient states map to the rules' own criteria; a stated fact no rule uses blocks green (closed world)."""

from __future__ import annotations

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules
from assistant.settings import REPO_ROOT
from assistant.types import DoseCheck

C, S = "muscle_cramps", "spasticity"

# id, dose, indication, patient, previous dose, interval, verdict, {finding code: verdict} that must be present
TABLE = [
    # named renal impairment → the rules' bands (baclofen: severe/kidney failure avoid, moderate reduce)
    (
        "ri-severe",
        "10 mg/day",
        C,
        {"renal_impairment": "severe"},
        None,
        None,
        "contraindicated",
        {"renal_avoid": "contraindicated"},
    ),
    (
        "ri-failure",
        "5 mg tid",
        S,
        {"renal_impairment": "kidney_failure"},
        None,
        None,
        "contraindicated",
        {"renal_avoid": "contraindicated"},
    ),
    (
        "ri-moderate",
        "10 mg/day",
        C,
        {"renal_impairment": "moderate"},
        None,
        None,
        "caution",
        {"renal_reduce": "caution"},
    ),
    (
        "ri-mild",
        "10 mg/day",
        C,
        {"renal_impairment": "mild"},
        None,
        None,
        "caution",
        {"renal_state_unmapped": "caution"},
    ),
    (
        "ri-moderate-egfr20",
        "10 mg/day",
        C,
        {"renal_impairment": "moderate", "egfr": 20},
        None,
        None,
        "contraindicated",
        {},
    ),
    ("ri-severe-egfr50", "10 mg/day", C, {"renal_impairment": "severe", "egfr": 50}, None, None, "contraindicated", {}),
    # thresholds written with '<' are not reached by an equal value
    ("egfr-30", "10 mg/day", C, {"egfr": 30}, None, None, "caution", {"renal_reduce": "caution"}),
    ("egfr-29.99", "10 mg/day", C, {"egfr": 29.99}, None, None, "contraindicated", {"renal_avoid": "contraindicated"}),
    ("na-125", "10 mg/day", C, {"sodium": 125}, None, None, "within_limits", {}),
    # CrCl is not eGFR: with an eGFR-only rule the renal limit cannot be checked from CrCl
    ("crcl-only", "10 mg/day", C, {"crcl": 20}, None, None, "caution", {"crcl_not_egfr": "caution"}),
    ("crcl-high-only", "10 mg/day", C, {"crcl": 90}, None, None, "caution", {"crcl_not_egfr": "caution"}),
    (
        "crcl-and-egfr",
        "10 mg/day",
        C,
        {"crcl": 90, "egfr": 20},
        None,
        None,
        "contraindicated",
        {"crcl_not_egfr": "caution"},
    ),
    ("crcl-and-dialysis", "10 mg/day", C, {"crcl": 90, "dialysis": True}, None, None, "contraindicated", {}),
    # AKI: a stop criterion of the cramps rule, linked to the patient state in the data
    ("aki-cramps", "10 mg/day", C, {"aki": True}, None, None, "contraindicated", {"stop_criterion": "contraindicated"}),
    ("aki-spasticity", "5 mg tid", S, {"aki": True}, None, None, "caution", {"unused_patient_fact": "caution"}),
    ("aki-false", "10 mg/day", C, {"aki": False}, None, None, "within_limits", {}),
    ("aki-no-indication", "10 mg/day", None, {"aki": True}, None, None, "caution", {}),
    # other stated facts no rule of the indication uses
    (
        "cirrhosis-spasticity",
        "5 mg tid",
        S,
        {"cirrhosis": True},
        None,
        None,
        "within_limits",  # cirrhosis is marked `if_unused = "note"` in corpus/patient_fields.toml: a note, not a stop
        {"unused_patient_fact": "within_limits"},
    ),
    ("cirrhosis-cramps", "10 mg/day", C, {"cirrhosis": True}, None, None, "within_limits", {}),
    # weight is data-marked as a note when no weight-based rule uses it (corpus/patient_fields.toml)
    ("weight", "10 mg/day", C, {"weight": 70}, None, None, "within_limits", {"unused_patient_fact": "within_limits"}),
    (
        "weight-unused-fact-is-data",
        "10 mg/day",
        C,
        {"aki": True, "weight": 70},
        None,
        None,
        "contraindicated",
        {"stop_criterion": "contraindicated"},
    ),
    (
        "older-group-45",
        "15 mg tid",
        S,
        {"age_group": "older_adult"},
        None,
        None,
        "caution",
        {"older_adults": "caution"},
    ),
    # titration: no numeric step in the rule → caution quoting the guideline; no interval → caution
    ("t-spas-increase", "20 mg tid", S, None, "10 mg tid", 14, "caution", {"titration": "caution"}),
    ("t-spas-decrease", "5 mg tid", S, None, "10 mg tid", 14, "within_limits", {}),
    ("t-cramps-no-interval", "20 mg/day", C, None, "10 mg/day", None, "caution", {"titration_interval": "caution"}),
    (
        "t-cramps-jump",
        "30 mg/day",
        C,
        None,
        "10 mg/day",
        None,
        "exceeds_titration_step",
        {"titration_step": "exceeds_titration_step"},
    ),
]


def codes(got: DoseCheck) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for f in got.findings:
        out.setdefault(f.code, []).append(f.verdict)
    return out


@pytest.mark.parametrize(
    ("dose", "indication", "patient", "previous", "interval", "verdict", "present"),
    [pytest.param(*r[1:], id=r[0]) for r in TABLE],
)
def test_patient_state_table(
    dose: str,
    indication: str | None,
    patient: dict | None,
    previous: str | None,
    interval: float | None,
    verdict: str,
    present: dict[str, str],
) -> None:
    got = check_dose(
        DoseRequest(
            drug="baclofen",
            dose=dose,
            indication=indication,
            patient=patient,
            previous_dose=previous,
            interval_days=interval,
        )
    )
    assert got.verdict == verdict, [(f.code, f.verdict, f.message) for f in got.findings]
    found = codes(got)
    for code, v in present.items():
        assert v in found.get(code, []), (code, found)


def test_named_severe_state_cites_the_egfr_quote_and_invents_no_number() -> None:
    got = check_dose(
        DoseRequest(drug="baclofen", dose="10 mg/day", indication=C, patient={"renal_impairment": "severe"})
    )
    f = next(f for f in got.findings if f.code == "renal_avoid")
    assert f.citation is not None and "eGFR <30" in f.citation.quote
    assert "severe" in f.message and "eGFR" not in f.message.split(":")[0].replace("severe", "")


def test_crcl_finding_says_it_is_not_egfr() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="10 mg/day", indication=C, patient={"crcl": 20}))
    f = next(f for f in got.findings if f.code == "crcl_not_egfr")
    assert "not" in f.message and "eGFR" in f.message and "could not be checked" in f.message


def test_aki_in_spasticity_names_the_state_and_the_indication() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="5 mg tid", indication=S, patient={"aki": True}))
    f = next(f for f in got.findings if f.code == "unused_patient_fact")
    assert "acute kidney injury" in f.message.lower() and "spasticity" in f.message


def test_aki_stop_criterion_is_linked_in_the_data() -> None:
    rule = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"].rule("oral", C)
    assert rule is not None
    assert [s.patient_state for s in rule.stop_criteria if s.code == "acute_kidney_injury"] == ["aki"]


def test_titration_caution_quotes_the_guideline_sentence() -> None:
    got = check_dose(
        DoseRequest(drug="baclofen", dose="20 mg tid", indication=S, previous_dose="10 mg tid", interval_days=1)
    )
    f = next(f for f in got.findings if f.code == "titration")
    assert f.citation is not None and "titrate slowly" in f.citation.quote
    assert "titrate slowly" in f.message and f.verdict == "caution"


def test_no_interval_names_the_required_interval() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="20 mg/day", indication=C, previous_dose="10 mg/day"))
    f = next(f for f in got.findings if f.code == "titration_interval")
    assert "7 days" in f.message and "weekly" in f.message


def test_messages_take_the_drug_name_from_the_rules() -> None:
    rules = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"]
    # Renamed everywhere, quotes included: a message quotes its rule, so any 'baclofen' left comes from code.
    data = rules.model_dump_json().replace("Baclofen", "Zzdrug").replace("baclofen", "zzdrug")
    renamed = {"zzdrug": type(rules).model_validate_json(data)}
    for patient, code in (
        ({"egfr": 10}, "renal_avoid"),
        ({"sodium": 120}, "sodium_stop"),
        ({"sodium": 130}, "sodium_stop"),
    ):
        got = check_dose(DoseRequest(drug="zzdrug", dose="10 mg/day", indication=C, patient=patient), rules=renamed)
        message = next(f.message for f in got.findings if f.code == code)
        assert "zzdrug" in message and "baclofen" not in message.lower(), message
