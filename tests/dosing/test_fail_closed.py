"""Rules files written for a new drug fail closed: what a file does not address is grey or stricter, never the
normal-adult limits (a stated dialysis with no dialysis band, a child under rules with no [populations], a value
between two bands, a band that only carries a note)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.bands import band_layout_notes
from assistant.dosing.rules.load import load_rules_file
from assistant.dosing.rules.schema import DrugRules
from evals.library_faults import BANDS, NEW_DRUG, NOTE_BAND, RULE

# The fault suite's own rules text (evals/library_faults.py): a new drug with one rule, two bands with a gap of one
# unit between them ("30 to 59", "60 or above"), a band with only a note.
HEAD = NEW_DRUG + RULE.format(doc="t")
WIDE_GAP = BANDS.replace("high = 59", "high = 54").replace("30 to 59", "30 to 54")
NOTE_ONLY = BANDS + NOTE_BAND


def rules_of(tmp_path: Path, text: str) -> dict[str, DrugRules]:
    path = tmp_path / "testamine.toml"
    path.write_text(text, encoding="utf-8")
    return {"testamine": load_rules_file(path)}


def check(rules: dict[str, DrugRules], dose: str, **patient: float | bool):
    return check_dose(DoseRequest(drug="testamine", dose=dose, indication="pain", patient=patient), rules=rules)


@pytest.mark.parametrize("age", [0.5, 4, 12, 17, 17.9])
def test_rules_without_populations_cover_adults_only(tmp_path: Path, age: float) -> None:
    got = check(rules_of(tmp_path, HEAD), "500 mg twice daily", age=age)
    assert got.verdict == "unable_to_check" and "do not cover dosing in children" in (got.reason or "")


def test_an_adult_without_populations_is_checked_and_the_cut_off_is_shown(tmp_path: Path) -> None:
    rules = rules_of(tmp_path, HEAD)
    assert check(rules, "500 mg twice daily", age=18).verdict == "within_limits"
    unstated = check(rules, "500 mg twice daily")
    assert unstated.verdict == "within_limits"
    assumed = next(f for f in unstated.findings if f.code == "population_assumed")
    assert "age 18 years or more" in assumed.message and "cover adults only" in assumed.message
    for state in ("pregnant", "breastfeeding"):
        assert check(rules, "500 mg twice daily", **{state: True}).verdict == "unable_to_check"


def test_dialysis_that_no_band_addresses_is_never_the_normal_limits(tmp_path: Path) -> None:
    rules = rules_of(tmp_path, HEAD + BANDS)
    assert check(rules, "1500 mg twice daily", crcl=90).verdict == "within_limits"
    on_dialysis = check(rules, "1500 mg twice daily", dialysis=True)
    assert on_dialysis.verdict == "caution"
    assert any(f.code == "renal_state_unaddressed" and "dialysis" in f.message for f in on_dialysis.findings)
    assert check(rules, "1500 mg twice daily", dialysis=True, crcl=90).verdict == "caution"


def test_a_value_between_edges_one_unit_apart_takes_the_stricter_band(tmp_path: Path) -> None:
    rules = rules_of(tmp_path, HEAD + BANDS)
    got = check(rules, "750 mg twice daily", crcl=59.5)  # 1500 mg/day: the lower band forbids it
    assert got.verdict == "above_max"
    gap = next(f for f in got.findings if f.code == "renal_band_gap")
    assert "CrCl 59.5 mL/min lies between the bands" in gap.message and "assumed" in gap.message
    assert check(rules, "400 mg twice daily", crcl=59.5).verdict == "within_limits"


def test_a_value_in_a_wider_gap_or_below_every_band_cannot_be_checked(tmp_path: Path) -> None:
    rules = rules_of(tmp_path, HEAD + WIDE_GAP)
    for crcl in (57, 54.5, 20):
        got = check(rules, "400 mg twice daily", crcl=crcl)
        assert got.verdict == "unable_to_check" and "in no band of these rules" in (got.reason or ""), crcl


@given(st.floats(min_value=0, max_value=250, allow_nan=False).map(lambda v: round(v, 1)))
def test_no_crcl_is_green_above_the_band_that_holds_it(crcl: float) -> None:
    rules = _gap_rules()
    got = check(rules, "750 mg twice daily", crcl=crcl)  # 1500 mg/day: only the band from 60 allows it
    assert got.verdict != "within_limits" or crcl >= 60


def _gap_rules() -> dict[str, DrugRules]:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        return rules_of(Path(folder), HEAD + BANDS)


def test_open_edges_are_read_as_written(tmp_path: Path) -> None:
    text = HEAD + BANDS.replace("high = 59\n", "high = 60\nhigh_open = true\n").replace("30 to 59", "30 to 60")
    rules = rules_of(tmp_path, text)
    assert check(rules, "750 mg twice daily", crcl=60).verdict == "within_limits"  # 60 is the upper band only
    assert check(rules, "750 mg twice daily", crcl=59.99).verdict == "above_max"


def test_a_band_with_only_a_note_is_a_caution_quoting_the_note(tmp_path: Path) -> None:
    got = check(rules_of(tmp_path, HEAD + NOTE_ONLY), "400 mg twice daily", crcl=20)
    assert got.verdict == "caution"
    assert any(f.code == "renal_band_note" and "reduce in proportion" in f.message for f in got.findings)


def test_gaps_and_overlaps_are_reported(tmp_path: Path) -> None:
    assert band_layout_notes(rules_of(tmp_path, HEAD + BANDS)["testamine"].general.renal_bands) == [
        "gap between CrCl 30–59 mL/min and CrCl 60 mL/min and above: a value there is checked by the gap rule"
    ]
    overlapping = HEAD + BANDS.replace("high = 59", "high = 65").replace("30 to 59", "30 to 65")
    notes = band_layout_notes(rules_of(tmp_path, overlapping)["testamine"].general.renal_bands)
    assert notes == ["bands CrCl 30–65 mL/min and CrCl 60 mL/min and above overlap: the stricter applies there"]


@pytest.mark.parametrize(
    ("patient", "code"),
    [({"egfr": 20}, "renal_avoid"), ({"egfr": 45}, "renal_reduce"), ({"age": 80}, "older_adults")],
)
def test_messages_say_what_the_rule_quotes_not_one_drugs_wording(patient: dict, code: str) -> None:
    got = check_dose(DoseRequest(drug="baclofen", dose="60 mg/day", indication="spasticity", patient=patient))
    found = next(f for f in got.findings if f.code == code)
    assert found.citation is not None and found.citation.quote in found.message


@pytest.mark.parametrize(
    ("dose", "route", "verdict", "reason"),
    [
        ("2 mcg IV every 6 hours", None, "unable_to_check", "the dose says 'IV' (intravenous), a route these rules"),
        ("10 mg po tid", None, "within_limits", None),
        ("10 mg tid by mouth", "oral", "within_limits", None),
        ("50 mcg intrathecally daily", None, "unable_to_check", "no numeric dose limits for intrathecal"),
        ("10 mg po tid", "intrathecal", "unable_to_check", "the dose says 'po' (oral) but the route is intrathecal"),
    ],
)
def test_a_route_written_inside_the_dose_is_read_and_checked(dose, route, verdict, reason) -> None:
    request = {"drug": "baclofen", "dose": dose, "indication": "spasticity", **({"route": route} if route else {})}
    got = check_dose(request)
    assert got.verdict == verdict and (reason is None or reason in (got.reason or "")), got.reason
