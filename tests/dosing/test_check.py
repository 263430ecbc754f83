"""check_dose: verdicts for dose × indication × route × patient × previous dose, and what backs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules
from assistant.settings import REPO_ROOT
from assistant.types import DoseCheck, Patient, most_severe

REPO = REPO_ROOT
C, S = "muscle_cramps", "spasticity"

# id, dose, indication, route, patient, previous dose, interval days, verdict, daily mg
TABLE = [
    # muscle cramps: start 10, +10 mg/day weekly, max 30 mg/day
    ("c-10/day", "10 mg/day", C, "oral", None, None, None, "within_limits", 10),
    ("c-10daily", "10mg daily", C, "oral", None, None, None, "within_limits", 10),
    ("c-per-day", "10 mg per day", C, "oral", None, None, None, "within_limits", 10),
    ("c-a-day", "10 mg a day", C, "oral", None, None, None, "within_limits", 10),
    ("c-at-max", "30 mg/day", C, "oral", None, None, None, "within_limits", 30),
    ("c-/d", "30 mg/d", C, "oral", None, None, None, "within_limits", 30),
    ("c-31", "31 mg/day", C, "oral", None, None, None, "above_max", 31),
    ("c-40", "40 mg/day", C, "oral", None, None, None, "above_max", 40),
    ("c-tid", "10 mg three times daily", C, "oral", None, None, None, "within_limits", 30),
    ("c-t.i.d.", "10 mg t.i.d.", C, "oral", None, None, None, "within_limits", 30),
    ("c-bid", "15 mg bid", C, "oral", None, None, None, "within_limits", 30),
    ("c-q8h", "10 mg q8h", C, "oral", None, None, None, "within_limits", 30),
    ("c-twice-40", "20 mg twice a day", C, "oral", None, None, None, "above_max", 40),
    ("c-qid-40", "10 mg qid", C, "oral", None, None, None, "above_max", 40),
    ("c-grams", "0.03 g/day", C, "oral", None, None, None, "within_limits", 30),
    ("c-grams-over", "0.031 g/day", C, "oral", None, None, None, "above_max", 31),
    ("c-mcg", "30000 mcg daily", C, "oral", None, None, None, "within_limits", 30),
    ("c-µg-spaced", "30 000 µg/day", C, "oral", None, None, None, "within_limits", 30),
    ("c-range-over", "20-40 mg daily", C, "oral", None, None, None, "above_max", 20),
    ("c-once", "5 mg once daily", C, "oral", None, None, None, "within_limits", 5),
    ("c-syn-cramps", "40 mg/day", "cramps", "oral", None, None, None, "above_max", 40),
    ("c-syn-spaced", "40 mg/day", "Muscle cramps", "oral", None, None, None, "above_max", 40),
    ("c-route-po", "10 mg/day", C, "po", None, None, None, "within_limits", 10),
    ("c-route-PO", "10 mg/day", C, "P.O.", None, None, None, "within_limits", 10),
    # unreadable doses
    ("u-no-freq", "10 mg", C, "oral", None, None, None, "unable_to_check", None),
    ("w-words", "ten mg daily", C, "oral", None, None, None, "within_limits", 10),  # number words are numbers
    ("u-per-kg", "5 mg/kg/day", C, "oral", None, None, None, "unable_to_check", None),
    ("u-zero", "0 mg daily", C, "oral", None, None, None, "unable_to_check", None),
    ("u-negative", "-10 mg/day", C, "oral", None, None, None, "unable_to_check", None),
    ("u-unit", "10 ml daily", C, "oral", None, None, None, "unable_to_check", None),
    ("u-two-doses", "10 mg daily 20 mg daily", C, "oral", None, None, None, "unable_to_check", None),
    ("u-stop", "stop", C, "oral", None, None, None, "unable_to_check", None),
    ("u-empty", "", S, "oral", None, None, None, "unable_to_check", None),
    # patient modifiers (every indication): renal; cramps: sodium
    ("p-egfr20", "10 mg/day", C, "oral", {"egfr": 20}, None, None, "contraindicated", 10),
    ("p-egfr29.9", "10 mg/day", C, "oral", {"egfr": 29.9}, None, None, "contraindicated", 10),
    ("p-egfr30", "10 mg/day", C, "oral", {"egfr": 30}, None, None, "caution", 10),
    ("p-egfr60", "10 mg/day", C, "oral", {"egfr": 60}, None, None, "caution", 10),
    ("p-egfr61", "10 mg/day", C, "oral", {"egfr": 61}, None, None, "within_limits", 10),
    ("p-dialysis", "10 mg/day", C, "oral", {"dialysis": True}, None, None, "contraindicated", 10),
    ("p-no-dialysis", "10 mg/day", C, "oral", {"dialysis": False, "egfr": 90}, None, None, "within_limits", 10),
    ("p-na124", "10 mg/day", C, "oral", {"sodium": 124}, None, None, "contraindicated", 10),
    ("p-na125", "10 mg/day", C, "oral", {"sodium": 125}, None, None, "within_limits", 10),
    ("p-max-and-renal", "40 mg/day", C, "oral", {"egfr": 45}, None, None, "above_max", 40),
    ("p-max-and-avoid", "40 mg/day", C, "oral", {"egfr": 20}, None, None, "contraindicated", 40),
    ("p-old-at-30", "30 mg/day", C, "oral", {"age": 80}, None, None, "within_limits", 30),
    ("p-unreadable-dialysis", "ten mg", C, "oral", {"dialysis": True}, None, None, "contraindicated", None),
    ("p-unreadable-na", "10 mg", C, "oral", {"sodium": 120}, None, None, "contraindicated", None),
    # titration for cramps: +10 mg/day, no faster than weekly
    ("t-step-week", "20 mg/day", C, "oral", None, "10 mg/day", 7, "within_limits", 20),
    ("t-step-6d", "20 mg/day", C, "oral", None, "10 mg/day", 6, "exceeds_titration_step", 20),
    ("t-step-half-day", "20 mg/day", C, "oral", None, "10 mg/day", 0.5, "exceeds_titration_step", 20),
    ("t-step-20", "30 mg/day", C, "oral", None, "10 mg/day", 14, "exceeds_titration_step", 30),
    ("t-no-interval", "20 mg/day", C, "oral", None, "10 mg/day", None, "caution", 20),
    ("t-decrease", "10 mg/day", C, "oral", None, "20 mg/day", 1, "within_limits", 10),
    ("t-same", "20 mg/day", C, "oral", None, "20 mg/day", 1, "within_limits", 20),
    ("t-above-max", "40 mg/day", C, "oral", None, "30 mg/day", 7, "above_max", 40),
    ("t-prev-unreadable", "20 mg/day", C, "oral", None, "ten mg", 7, "caution", 20),
    ("t-tid-from-bid", "10 mg tid", C, "oral", None, "10 mg bid", 7, "within_limits", 30),
    ("t-range-prev", "20 mg/day", C, "oral", None, "5-10 mg/day", 7, "exceeds_titration_step", 20),
    # spasticity: 5 mg tid start, usual 30-80, max 80 mg/day, 3-4 doses/day
    ("s-start", "5 mg three times daily", S, "oral", None, None, None, "within_limits", 15),
    ("s-t.i.d.", "5 mg t.i.d.", S, "oral", None, None, None, "within_limits", 15),
    ("s-qid-80", "20 mg qid", S, "oral", None, None, None, "within_limits", 80),
    ("s-4x-80", "20 mg four times a day", S, "oral", None, None, None, "within_limits", 80),
    ("s-q6h", "20 mg q6h", S, "oral", None, None, None, "within_limits", 80),
    ("s-100", "25 mg qid", S, "oral", None, None, None, "above_max", 100),
    ("s-range", "40-80 mg daily", S, "oral", None, None, None, "within_limits", 40),
    ("s-range-over", "40 to 90 mg/day", S, "oral", None, None, None, "above_max", 40),
    ("s-bid", "20 mg twice a day", S, "oral", None, None, None, "caution", 40),
    ("s-once", "10 mg once daily", S, "oral", None, None, None, "caution", 10),
    ("s-q12h", "10 mg q12h", S, "oral", None, None, None, "caution", 20),
    ("s-divided", "30 mg/day in 3 divided doses", S, "oral", None, None, None, "within_limits", 30),
    ("s-old-30", "10 mg tid", S, "oral", {"age": 70}, None, None, "within_limits", 30),
    ("s-old-45", "15 mg tid", S, "oral", {"age": 70}, None, None, "caution", 45),
    ("s-64-45", "15 mg tid", S, "oral", {"age": 64}, None, None, "within_limits", 45),
    ("s-na120", "15 mg tid", S, "oral", {"sodium": 120}, None, None, "caution", 45),
    ("s-egfr25", "15 mg tid", S, "oral", {"egfr": 25}, None, None, "contraindicated", 45),
    # stricter (was within_limits): no numeric step in the spasticity rule, so an increase cannot be shown allowed
    ("s-fast-increase", "20 mg tid", S, "oral", None, "10 mg tid", 1, "caution", 60),
    ("s-po-in-dose", "10 mg po tid", S, "oral", None, None, None, "within_limits", 30),
    ("s-spasm-unknown", "10 mg tid", "spasm", "oral", None, None, None, "unable_to_check", None),
    # no indication: strictest limits; a stop that applies to one indication only is a caution
    ("n-20", "20 mg/day", None, "oral", None, None, None, "within_limits", 20),
    ("n-30", "30 mg/day", None, "oral", None, None, None, "within_limits", 30),
    ("n-40", "40 mg/day", None, "oral", None, None, None, "caution", 40),
    ("n-90", "90 mg/day", None, "oral", None, None, None, "above_max", 90),
    ("n-tid", "10 mg tid", None, "oral", None, None, None, "within_limits", 30),
    ("n-bid", "10 mg bid", None, "oral", None, None, None, "caution", 20),
    ("n-na120", "10 mg/day", None, "oral", {"sodium": 120}, None, None, "caution", 10),
    ("n-egfr20", "10 mg/day", None, "oral", {"egfr": 20}, None, None, "contraindicated", 10),
    ("n-fast", "20 mg/day", None, "oral", None, "10 mg/day", 3, "caution", 20),
    # routes
    ("r-intrathecal", "50 mcg/day", S, "intrathecal", None, None, None, "unable_to_check", None),
    ("r-it", "50 mcg/day", None, "it", None, None, None, "unable_to_check", None),
    ("r-iv", "10 mg/day", C, "iv", None, None, None, "unable_to_check", None),
]


@pytest.mark.parametrize(
    ("dose", "indication", "route", "patient", "previous", "interval", "verdict", "daily"),
    [pytest.param(*row[1:], id=row[0]) for row in TABLE],
)
def test_verdict_table(
    dose: str,
    indication: str | None,
    route: str,
    patient: dict | None,
    previous: str | None,
    interval: float | None,
    verdict: str,
    daily: float | None,
) -> None:
    got = check_dose(
        DoseRequest(
            drug="baclofen",
            dose=dose,
            indication=indication,
            route=route,
            patient=patient,
            previous_dose=previous,
            interval_days=interval,
        )
    )
    assert got.verdict == verdict, [(f.code, f.verdict, f.message) for f in got.findings]
    assert got.daily_dose_mg == daily
    assert got.hard_stop == (verdict in ("contraindicated", "above_max"))
    assert (got.reason is not None) == (verdict == "unable_to_check")
    if verdict != "unable_to_check":
        assert got.verdict == most_severe(f.verdict for f in got.findings)


def test_table_is_large_enough() -> None:
    assert len(TABLE) >= 60


def codes(check: DoseCheck) -> dict[str, str]:
    return {f.code: f.verdict for f in check.findings}


def test_max_finding_cites_the_corpus_even_within_limits() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="20 mg/day", indication="muscle_cramps"))
    mx = next(f for f in got.findings if f.code == "max_daily")
    assert (mx.severity, mx.limit) == ("info", "30 mg/day")
    assert mx.citation is not None and "maximum of 30 mg/day" in mx.citation.quote
    assert got.limits_applied == "oral baclofen for muscle_cramps"


def test_above_max_finding() -> None:
    got = check_dose(DoseRequest(drug="Baclofen", dose="40 mg/day", indication="muscle_cramps"))
    mx = next(f for f in got.findings if f.code == "max_daily")
    assert (mx.severity, mx.verdict, mx.limit) == ("hard", "above_max", "30 mg/day")
    assert got.drug == "baclofen" and got.indication == "muscle_cramps"


def test_range_upper_end_is_checked() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="20-40 mg daily", indication="muscle_cramps"))
    assert (got.daily_dose_mg, got.daily_dose_max_mg, got.verdict) == (20, 40, "above_max")
    assert "upper end" in next(f.message for f in got.findings if f.code == "max_daily")


def test_no_indication_says_which_indication_and_asks_for_it() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="40 mg/day"))
    assert got.verdict == "caution" and not got.hard_stop
    needed = next(f for f in got.findings if f.code == "indication_needed")
    assert needed.verdict == "caution" and "muscle cramps → above_max" in needed.message
    mx = [f for f in got.findings if f.code == "max_daily" and f.verdict == "caution"]
    assert len(mx) == 1 and mx[0].message.startswith("If the indication is muscle cramps:")
    assert "strictest" in (got.limits_applied or "")


def test_no_indication_within_every_limit_says_strictest() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="10 mg tid"))
    note = next(f for f in got.findings if f.code == "indication_needed")
    assert note.severity == "info" and "strictest" in note.message


def test_sodium_for_spasticity_is_a_caution_citing_the_cramps_guideline() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="5 mg tid", indication="spasticity", patient={"sodium": 120}))
    na = next(f for f in got.findings if f.code == "sodium_stop")
    assert (na.verdict, na.severity) == ("caution", "soft")
    assert na.citation is not None and na.citation.doc_id == "baclofen-muscle-cramps"


def test_cramps_lists_stop_criteria_and_monitoring() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="10 mg/day", indication="muscle_cramps"))
    text = " ".join(f.message for f in got.findings)
    for words in (
        "acute kidney injury",
        "hepatic encephalopathy",
        "incapacitating muscle cramps",
        "creatinine, sodium and potassium",
    ):
        assert words in text
    assert codes(got)["sodium_stop"] == "within_limits"


def test_renal_reduce_does_not_invent_a_reduced_dose() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="10 mg/day", indication="spasticity", patient=Patient(egfr=45)))
    renal = next(f for f in got.findings if f.code == "renal_reduce")
    assert renal.verdict == "caution" and "gives no reduced dose" in renal.message
    assert got.patient == {"egfr": 45.0}


def test_spasticity_titration_has_no_invented_step() -> None:
    got = check_dose(
        DoseRequest(
            drug="baclofen", dose="20 mg tid", indication="spasticity", previous_dose="5 mg tid", interval_days=1
        )
    )
    t = next(f for f in got.findings if f.code == "titration")
    # stricter (was info): an increase the rule gives no step for is a caution quoting the guideline, never green
    assert t.severity == "soft" and "no step size" in t.message


def test_decrease_carries_abrupt_discontinuation_info() -> None:
    got = check_dose(
        DoseRequest(
            drug="baclofen", dose="10 mg/day", indication="muscle_cramps", previous_dose="30 mg/day", interval_days=7
        )
    )
    stops = [f for f in got.findings if f.code == "abrupt_discontinuation"]
    assert stops and all(f.severity == "info" and f.citation for f in stops)
    assert got.verdict == "within_limits"


def test_stop_is_unable_to_check_with_withdrawal_warning() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="stop", indication="spasticity", previous_dose="20 mg tid"))
    assert got.verdict == "unable_to_check" and got.reason == "dose not read: stopping is not a dose"
    assert "seizures" in " ".join(f.message for f in got.findings)


def test_unreadable_dose_with_contraindication_is_contraindicated() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="ten mg", indication="muscle_cramps", patient={"egfr": 10}))
    assert got.verdict == "contraindicated" and got.hard_stop and got.daily_dose_mg is None
    assert codes(got)["dose_unreadable"] == "unable_to_check"


def test_intrathecal_reason_and_citation() -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="50 mcg/day", route="IT", indication="spasticity"))
    assert got.reason == "the corpus gives no numeric dose limits for intrathecal baclofen"
    assert got.route == "intrathecal" and got.findings[0].citation is not None


@pytest.mark.parametrize(
    ("kwargs", "reason_part"),
    [
        ({"drug": "tizanidine"}, "no dose rules for drug 'tizanidine'"),
        ({"route": "iv"}, "unknown route 'iv'"),
        ({"indication": "back pain"}, "unknown indication 'back pain'"),
        ({"patient": {"height": 170}}, "patient height"),
        ({"patient": {"egfr": True}}, "patient egfr"),
        ({"patient": {"egfr": 300}}, "patient"),
        ({"patient": {"egfr": "high"}}, "patient egfr"),
        ({"patient": {"egfr": -1}}, "patient egfr"),
        ({"patient": {"age": float("nan")}}, "patient age"),
        ({"interval_days": -1}, "interval_days"),
        ({"interval_days": float("inf")}, "interval_days"),
    ],
)
def test_unable_to_check_reasons(kwargs: dict, reason_part: str) -> None:
    args = {"drug": "baclofen", "dose": "10 mg/day", "indication": "muscle_cramps", **kwargs}
    got = check_dose(args)
    assert got.verdict == "unable_to_check" and reason_part in (got.reason or "")


def test_drug_is_case_insensitive() -> None:
    got = check_dose(DoseRequest(drug=" BACLOFEN ", dose="10 mg/day", indication="muscle_cramps"))
    assert (got.verdict, got.drug) == ("within_limits", "baclofen")
    assert check_dose(DoseRequest(drug="tizanidine", dose="10 mg/day")).drug == "tizanidine"


def test_every_limit_finding_is_cited() -> None:
    for dose, ind in [("40 mg/day", None), ("10 mg bid", "spasticity"), ("20 mg/day", "muscle_cramps")]:
        got = check_dose(
            DoseRequest(
                drug="baclofen",
                dose=dose,
                indication=ind,
                patient={"egfr": 45, "age": 70, "sodium": 120},
                previous_dose="10 mg/day",
                interval_days=3,
            )
        )
        for f in got.findings:
            assert f.limit is None or f.citation is not None, f


def test_rules_override_by_argument_and_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = (REPO / "corpus/rules/baclofen.toml").read_text(encoding="utf-8")
    (tmp_path / "baclofen.toml").write_text(text.replace("value = 65\n", "value = 60\n"), encoding="utf-8")
    rules = load_rules(tmp_path)
    got = check_dose(
        DoseRequest(drug="baclofen", dose="15 mg tid", indication="spasticity", patient={"age": 62}), rules=rules
    )
    assert got.verdict == "caution"
    monkeypatch.setenv("ASSISTANT_RULES_DIR", str(tmp_path))  # read by Settings, the one configuration path
    assert (
        check_dose(DoseRequest(drug="baclofen", dose="15 mg tid", indication="spasticity", patient={"age": 62})).verdict
        == "caution"
    )
    monkeypatch.delenv("ASSISTANT_RULES_DIR")
    assert (
        check_dose(DoseRequest(drug="baclofen", dose="15 mg tid", indication="spasticity", patient={"age": 62})).verdict
        == "within_limits"
    )
    # a model's tool call checks against the rules it is given, not against the environment's
    from assistant.dosing.tool import make_check_dose_tool

    args = {"drug": "baclofen", "dose": "15 mg tid", "indication": "spasticity", "patient": {"age": 62}}
    assert make_check_dose_tool(rules).invoke(args)["verdict"] == "caution"
    assert make_check_dose_tool().invoke(args)["verdict"] == "within_limits"


def test_tool_returns_the_dose_check_as_dict() -> None:
    from assistant.dosing.tool import check_dose_tool

    out = check_dose_tool.invoke(
        {"drug": "baclofen", "dose": "40 mg/day", "indication": "muscle_cramps", "patient": {"egfr": 50}}
    )
    assert isinstance(out, dict)
    assert DoseCheck.model_validate(out).verdict == "above_max"
    assert check_dose_tool.name == "check_dose"
    bad = check_dose_tool.invoke({"drug": "baclofen", "dose": "1 mg/day", "patient": {"egfr": "x"}})
    assert isinstance(bad, str) and bad.startswith("invalid arguments: patient.egfr")
