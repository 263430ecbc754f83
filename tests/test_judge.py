"""assistant/judge.py: the verdict for an understood question, on Query objects built by hand (no model, no index)
and the shipped rules (corpus/rules/). Every reading × every patient scenario is checked and the strictest wins;
what was not understood keeps the verdict from being green; a range is judged by the strictest value inside it."""

from __future__ import annotations

from itertools import pairwise

import pytest

from assistant.dosing.rules.load import load_rules
from assistant.judge import judge, not_for, scenarios, standard_assumptions, strictest, uncovered_population
from assistant.query.doses import DoseReading
from assistant.query.understand import Query
from assistant.settings import Settings
from assistant.types import DoseCheck, Patient, Verdict

RULES = load_rules(Settings().rules_dir)
BACLOFEN = RULES["baclofen"]
# The thresholds corpus/rules/baclofen.toml states per patient field (eGFR avoid < 30 and reduce 30–60; sodium
# stop < 125; adults from 18, older adults from 65).
EDGES = {"egfr": (30.0, 60.0), "sodium": (125.0,), "age": (18.0, 65.0)}
STANDARD = [
    "an adult (no age given)",
    "no kidney impairment (none stated)",
    "oral route (no route named)",
    "a dose reached by titration, not a first dose (not stated)",
    "interactions with other medicines are not checked",
]


def query(
    *doses: str,
    indication: str | None = "muscle_cramps",
    patient: Patient | None = None,
    ranges: dict[str, tuple[float, float]] | None = None,
    **fields,
) -> Query:
    """A dose question about baclofen as the reader would produce it; each dose is one reading as written."""
    reading_fields = {k: fields.pop(k) for k in ("previous", "interval_days", "starting") if k in fields}
    readings = [DoseReading(dose=d, label=f"{d} as written", **reading_fields) for d in doses]
    return Query(
        message="question",
        search_text="question",
        intent="dose" if readings else "general",
        drug=fields.pop("drug", "baclofen"),
        indication=indication,
        indications=[indication] if indication else [],
        readings=readings,
        doses=list(doses),
        patient=patient or Patient(),
        patient_ranges=ranges or {},
        **fields,
    )


def check(verdict: Verdict, dose: str = "20 mg/day") -> DoseCheck:
    return DoseCheck(
        drug="baclofen",
        dose=dose,
        indication=None,
        route="oral",
        verdict=verdict,
        hard_stop=verdict in ("contraindicated", "above_max"),
    )


# ------------------------------------------------------------------------------------------------ strictest

HEADLINE_ORDER: list[Verdict] = [  # most severe first: 'could not check' is never hidden behind a softer verdict
    "contraindicated",
    "above_max",
    "exceeds_titration_step",
    "unable_to_check",
    "caution",
    "within_limits",
]


@pytest.mark.parametrize("stricter, milder", list(pairwise(HEADLINE_ORDER)))
def test_strictest_prefers_the_more_severe_verdict_in_either_order(stricter, milder):
    a, b = check(stricter, "a"), check(milder, "b")
    assert strictest([a, b]) is a and strictest([b, a]) is a


def test_strictest_of_many_and_of_one():
    checks = [check(v, v) for v in reversed(HEADLINE_ORDER)]
    assert strictest(checks).dose == "contraindicated"
    only = check("caution")
    assert strictest([only]) is only


# ------------------------------------------------------------------------------------------------ scenarios


def test_without_a_record_the_texts_facts_are_the_one_scenario():
    patients, conflicts = scenarios(query("20 mg/day", patient=Patient(egfr=20.0)), None)
    assert ([p.known() for p in patients], conflicts) == ([{"egfr": 20.0}], [])


def test_record_fields_the_text_does_not_state_are_merged_in():
    patients, conflicts = scenarios(query("20 mg/day", patient=Patient(egfr=20.0)), Patient(age=70.0))
    assert ([p.known() for p in patients], conflicts) == ([{"egfr": 20.0, "age": 70.0}], [])


def test_the_same_value_in_text_and_record_is_no_conflict():
    patients, conflicts = scenarios(query("20 mg/day", patient=Patient(egfr=20.0)), Patient(egfr=20.0, age=70.0))
    assert ([p.known() for p in patients], conflicts) == ([{"egfr": 20.0, "age": 70.0}], [])


@pytest.mark.parametrize(
    "text, record, expected, conflict",
    [
        (
            Patient(egfr=20.0),
            Patient(egfr=50.0),
            [{"egfr": 20.0}, {"egfr": 50.0}],
            "egfr: the question says 20.0, the patient record says 50.0",
        ),
        (
            Patient(dialysis=True),
            Patient(dialysis=False),
            [{"dialysis": True}, {"dialysis": False}],
            "dialysis: the question says True, the patient record says False",
        ),
    ],
)
def test_a_conflict_keeps_both_values_and_is_named(text, record, expected, conflict):
    patients, conflicts = scenarios(query("20 mg/day", patient=text), record)
    assert ([p.known() for p in patients], conflicts) == (expected, [conflict])


def test_a_stated_range_gives_scenarios_inside_it_from_end_to_end():
    patients, conflicts = scenarios(query("20 mg/day", ranges={"egfr": (25.0, 40.0)}), None)
    values = [p.egfr for p in patients]
    assert conflicts == [] and {25.0, 40.0} <= set(values)
    assert all(v is not None and 25.0 <= v <= 40.0 for v in values)


def test_a_record_value_against_a_stated_range_is_a_conflict_and_both_are_checked():
    patients, conflicts = scenarios(query("20 mg/day", ranges={"egfr": (25.0, 40.0)}), Patient(egfr=50.0))
    assert conflicts == ["egfr: the question gives a range, the patient record says 50.0"]
    values = {p.egfr for p in patients}
    assert {25.0, 40.0, 50.0} <= values and all(v is not None and (25.0 <= v <= 40.0 or v == 50.0) for v in values)


# ------------------------------------------------------------------------------------------------ assumptions


def test_standard_assumptions_when_nothing_is_said():
    assert standard_assumptions(Patient(), query("20 mg/day", indication=None)) == [
        "an adult (no age given)",
        "no kidney impairment (none stated)",
        "no indication named: every indication's limits were checked",
        "oral route (no route named)",
        "interactions with other medicines are not checked",
    ]


def test_standard_assumptions_leave_out_what_was_said_and_keep_the_readers_own():
    q = query("20 mg/day", route="oral", assumptions=["no drug named: baclofen was assumed"])
    assert standard_assumptions(Patient(age=70.0, egfr=50.0), q) == [
        "no drug named: baclofen was assumed",
        "interactions with other medicines are not checked",
    ]


@pytest.mark.parametrize(
    "patient",
    [Patient(age_group="older_adult"), Patient(age=40.0)],
)
def test_an_age_or_an_age_group_is_an_age(patient):
    assert "an adult (no age given)" not in standard_assumptions(patient, query("20 mg/day"))


@pytest.mark.parametrize(
    "patient",
    [
        Patient(egfr=70.0),
        Patient(crcl=70.0),
        Patient(dialysis=False),
        Patient(renal_impairment="mild"),
        Patient(aki=True),
    ],
)
def test_any_renal_fact_replaces_the_no_kidney_impairment_assumption(patient):
    assert "no kidney impairment (none stated)" not in standard_assumptions(patient, query("20 mg/day"))


# ------------------------------------------------------------------------------------------------ not_for, populations


def test_not_for_greys_a_check_beside_a_refused_population():
    above = check("above_max")
    grey = not_for(above, ["children", "pregnancy"])
    assert grey is not None
    assert (grey.verdict, grey.hard_stop, grey.reason) == (
        "unable_to_check",
        False,
        "the guidelines in the library say nothing about children, pregnancy, so no dose is checked",
    )
    assert (grey.drug, grey.dose) == (above.drug, above.dose)
    assert (above.verdict, above.hard_stop) == ("above_max", True)  # the original is not changed


def test_not_for_changes_nothing_without_populations_or_a_check():
    within, unable = check("within_limits"), check("unable_to_check")
    assert not_for(within, []) is within
    assert not_for(unable, ["children"]) is unable  # already grey: its own reason stays
    assert not_for(None, ["children"]) is None


@pytest.mark.parametrize(
    "patient, reason",
    [
        (Patient(), None),  # nothing said: an adult
        (Patient(age=18.0), None),
        (Patient(breastfeeding=False), None),
        (
            Patient(age=17.5),
            "the guidelines in the library do not cover dosing in children, so no dose is given or checked",
        ),
        (
            Patient(age_group="child"),
            "the guidelines in the library do not cover dosing in children, so no dose is given or checked",
        ),
        (
            Patient(pregnant=True),
            "the guidelines in the library do not cover dosing in pregnancy, so no dose is given or checked",
        ),
        (
            Patient(age=10.0, pregnant=True, breastfeeding=True),
            "the guidelines in the library do not cover dosing during breastfeeding or in children or in pregnancy, "
            "so no dose is given or checked",
        ),
    ],
)
def test_uncovered_population(patient, reason):
    assert uncovered_population(BACLOFEN, patient) == reason


# ------------------------------------------------------------------------------------------------ judge


def test_no_dose_and_nothing_unread_gives_no_check():
    assert judge(query(), RULES) is None
    assert judge(query(not_understood=["the number 7 (no role could be given to it)"]), RULES) is None


def test_a_change_to_an_unstated_dose_is_unable_to_check():
    gap = "a change from 10 mg/day was asked about without the new dose as a number"
    result = judge(query(not_understood=[gap]), RULES)
    assert result is not None
    assert (
        result.drug,
        result.dose,
        result.indication,
        result.route,
        result.verdict,
        result.hard_stop,
        result.reason,
    ) == (
        "baclofen",
        "(not stated)",
        "muscle_cramps",
        "oral",
        "unable_to_check",
        False,
        gap,
    )


def test_a_dose_of_an_uncovered_drug_is_checked_as_that_drug():
    q = query(drug=None, indication=None, other_doses=["4 mg tid (tizanidine)"], not_covered=["tizanidine"])
    result = judge(q, RULES)
    assert result is not None
    assert (result.drug, result.dose, result.verdict, result.hard_stop) == (
        "tizanidine",
        "4 mg tid",
        "unable_to_check",
        False,
    )
    assert "tizanidine" in (result.reason or "")
    assert judge(query(drug=None, indication=None), RULES) is None  # no drug and no dose of another: nothing to check


def test_within_limits_states_what_it_assumed():
    result = judge(query("20 mg/day"), RULES)
    assert result is not None
    assert (result.verdict, result.hard_stop, result.reason, result.indication) == (
        "within_limits",
        False,
        None,
        "muscle_cramps",
    )
    assert result.assumptions == STANDARD
    assert result.readings == []  # one reading, one scenario: no list of readings


def test_a_first_dose_is_not_assumed_reached_by_titration():
    result = judge(query("10 mg/day", starting=True), RULES)
    assert result is not None and result.verdict == "within_limits"
    assert result.assumptions == [a for a in STANDARD if "titration" not in a]


@pytest.mark.parametrize(
    "q, verdict",
    [
        (query("40 mg/day"), "above_max"),  # cramps: at most 30 mg/day
        (query("40 mg/day", indication="spasticity"), "within_limits"),  # spasticity: at most 80 mg/day
        (query("20 mg/day", patient=Patient(egfr=20.0)), "contraindicated"),  # eGFR < 30: avoid
        (query("20 mg/day", patient=Patient(egfr=45.0)), "caution"),  # eGFR 30–60: reduce
        (query("20 mg/day", patient=Patient(sodium=120.0)), "contraindicated"),  # cramps: stop below 125
        (query("20 mg/day", indication="spasticity", patient=Patient(sodium=120.0)), "caution"),  # spasticity: caution
        (query("30 mg/day", previous="10 mg/day", interval_days=1.0), "exceeds_titration_step"),
        (query("a few tablets a day"), "unable_to_check"),
    ],
)
def test_judge_verdicts_from_the_shipped_rules(q, verdict):
    result = judge(q, RULES)
    assert result is not None
    assert (result.verdict, result.hard_stop) == (verdict, verdict in ("contraindicated", "above_max"))
    if verdict != "within_limits":
        assert result.assumptions == q.assumptions  # the standard assumptions come with a green verdict only


def test_a_patient_no_rule_covers_is_unable_to_check_with_the_reason():
    result = judge(query("20 mg/day", patient=Patient(age=10.0)), RULES)
    assert result is not None
    assert (result.verdict, result.reason) == (
        "unable_to_check",
        "the guidelines in the library do not cover dosing in children, so no dose is given or checked",
    )


def test_every_reading_is_checked_and_the_strictest_shown():
    result = judge(query("10 mg/day", "40 mg/day"), RULES)
    assert result is not None
    assert (result.verdict, result.dose, result.hard_stop) == ("above_max", "40 mg/day", True)
    assert result.readings == ["10 mg/day as written: within_limits", "40 mg/day as written: above_max"]
    listed = [f for f in result.findings if f.code == "readings"]
    assert [f.message for f in listed] == [
        "Readings checked (the strictest is shown): 10 mg/day as written: within_limits; "
        "40 mg/day as written: above_max."
    ]


def test_indication_and_route_arguments_win_over_the_text():
    spasticity = judge(query("40 mg/day"), RULES, indication="spasticity")
    assert spasticity is not None and spasticity.verdict == "within_limits"
    intrathecal = judge(query("20 mg/day"), RULES, route="intrathecal")
    assert intrathecal is not None
    assert (intrathecal.route, intrathecal.verdict, intrathecal.reason) == (
        "intrathecal",
        "unable_to_check",
        "the corpus gives no numeric dose limits for intrathecal baclofen",
    )


def test_a_conflict_with_the_record_is_a_caution_at_least():
    result = judge(query("20 mg/day", patient=Patient(egfr=70.0)), RULES, explicit=Patient(egfr=80.0))
    assert result is not None and (result.verdict, result.hard_stop) == ("caution", False)
    first = result.findings[0]
    assert (first.code, first.verdict, first.message) == (
        "patient_conflict",
        "caution",
        "The question and the patient record disagree (egfr: the question says 70.0, the patient record says 80.0); "
        "both were checked and the stricter verdict is shown.",
    )


def test_a_conflict_shows_the_stricter_of_text_and_record():
    result = judge(query("20 mg/day", patient=Patient(egfr=70.0)), RULES, explicit=Patient(egfr=20.0))
    assert result is not None and (result.verdict, result.hard_stop) == ("contraindicated", True)
    assert result.findings[0].code == "patient_conflict"
    same = judge(query("20 mg/day", patient=Patient(egfr=70.0)), RULES, explicit=Patient(egfr=70.0))
    assert same is not None and same.verdict == "within_limits"
    assert all(f.code != "patient_conflict" for f in same.findings)


def test_the_record_alone_sets_the_facts_checked():
    result = judge(query("20 mg/day"), RULES, explicit=Patient(egfr=20.0))
    assert result is not None and (result.verdict, result.patient) == ("contraindicated", {"egfr": 20.0})


def test_something_unread_turns_green_into_unable_to_check():
    unread = "the number 7 (no role could be given to it)"
    result = judge(query("20 mg/day", not_understood=[unread]), RULES)
    assert result is not None
    assert (result.verdict, result.hard_stop, result.reason, result.assumptions) == (
        "unable_to_check",
        False,
        f"not everything in the question could be read: {unread}",
        [],
    )


def test_something_unread_beside_a_stop_keeps_the_stop_and_says_so():
    unread = "the number 7 (no role could be given to it)"
    result = judge(query("20 mg/day", patient=Patient(sodium=120.0), not_understood=[unread]), RULES)
    assert result is not None and (result.verdict, result.hard_stop) == ("contraindicated", True)
    first = result.findings[0]
    assert (first.code, first.verdict, first.message) == (
        "not_understood",
        "caution",
        f"Not everything in the question could be read: {unread}.",
    )


def test_a_creatinine_clearance_the_rules_cannot_use_is_grey():
    result = judge(query("20 mg/day", patient=Patient(crcl=45.0)), RULES)
    assert result is not None and result.verdict == "unable_to_check"
    assert (result.reason or "").endswith("; renal limits (avoid or reduce) need an eGFR")


# ------------------------------------------------------------------------------------------------ ranges


def points(field: str, low: float, high: float) -> list[float]:
    """Both ends, every rule edge inside the range and the middle of each segment between them."""
    bounds = [low, *[e for e in EDGES[field] if low < e < high], high]
    return sorted({*bounds, *((a + b) / 2 for a, b in pairwise(bounds))})


@pytest.mark.parametrize(
    "dose, indication, field, low, high, verdict",
    [
        ("20 mg/day", "muscle_cramps", "egfr", 25.0, 40.0, "contraindicated"),  # avoid band and reduce band
        ("20 mg/day", "muscle_cramps", "egfr", 20.0, 70.0, "contraindicated"),  # all three bands
        ("20 mg/day", "muscle_cramps", "egfr", 45.0, 50.0, "caution"),  # inside the reduce band
        ("20 mg/day", "muscle_cramps", "egfr", 0.0, 29.99, "contraindicated"),  # 'eGFR < 30'
        ("20 mg/day", "muscle_cramps", "egfr", 65.0, 90.0, "within_limits"),  # above every band
        ("20 mg/day", "muscle_cramps", "sodium", 120.0, 130.0, "contraindicated"),  # across the stop at 125
        ("40 mg/day", "spasticity", "age", 60.0, 70.0, "caution"),  # across 'older adults' at 65
        ("20 mg/day", "muscle_cramps", "age", 10.0, 30.0, "unable_to_check"),  # across adulthood at 18
    ],
)
def test_a_range_is_judged_by_the_strictest_value_inside_it(dose, indication, field, low, high, verdict):
    ranged = judge(query(dose, indication=indication, ranges={field: (low, high)}), RULES)
    single = [
        judge(query(dose, indication=indication, patient=Patient(**{field: v})), RULES)
        for v in points(field, low, high)
    ]
    assert ranged is not None and all(c is not None for c in single)
    assert strictest([c for c in single if c is not None]).verdict == verdict
    assert (ranged.verdict, ranged.hard_stop) == (verdict, verdict in ("contraindicated", "above_max"))


def test_two_ranges_are_checked_in_every_combination():
    q = query("20 mg/day", ranges={"egfr": (45.0, 50.0), "sodium": (120.0, 130.0)})
    result = judge(q, RULES)
    assert result is not None and result.verdict == "contraindicated"  # the low sodium, whatever the eGFR
    assert any(f.code == "sodium_stop" and f.verdict == "contraindicated" for f in result.findings)
