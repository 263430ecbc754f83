"""Clinical shorthand read by the whole reader and judged with the shipped rules, without a model: tablet counts,
divided totals, schedule labels, ages, titration histories, units after the frequency, doses referred back to across
patients, and conditions that fix the indication of an ambiguous word. Each mechanism has its safety case: what is
not plainly read stays grey or stricter, never green."""

from __future__ import annotations

import pytest

from assistant.judge import judge
from assistant.types import Patient


@pytest.fixture
def verdict(fast_reader, shipped_rules):
    def run(*turns: str, patient: Patient | None = None) -> str | None:
        check = judge(fast_reader.understand(turns[-1], list(turns[:-1])), shipped_rules, patient)
        return check.verdict if check else None

    return run


@pytest.mark.parametrize(
    "question, expected",
    [
        # 1. tablets counted: the dose per administration is count x strength
        ("MS pt, baclofen 2 x 10 mg tablets three times a day", "within_limits"),
        ("cirrhosis cramps, baclofen 4 x 10 mg tabs once daily", "above_max"),
        ("MS spasticity, baclofen 1.5 tabs of 10 mg tid", "within_limits"),
        # 2. a daily total divided: the total is checked
        ("MS spasticity, baclofen 60 mg a day divided into 3 doses", "within_limits"),
        ("SCI spasticity, baclofen 90mg/d split qid", "above_max"),
        # 3. schedule labels are times: changes the labels' gap apart, opening with a first dose
        ("cirrhosis cramps: baclofen 10 mg/d week 1, then 20 mg/d week 2", "within_limits"),
        ("cirrhosis cramps: baclofen days 1-3 10 mg/d, day 4 onwards 20 mg/d", "exceeds_titration_step"),
        ("cirrhosis cramps: baclofen week 1 20 mg/d, week 2 30 mg/d", "exceeds_titration_step"),  # start above 10
        # 4. ages in other forms
        ("I'm 46, MS, on baclofen 20 mg three times a day", "within_limits"),
        ("I am 72 with MS spasticity, baclofen 15 mg tid", "caution"),
        ("age: 16, MS spasticity, baclofen 5 mg tid", "unable_to_check"),
        # 5. a titration history: the step, at its pace
        ("cirrhosis cramps, reached 30 mg/day by weekly 10 mg steps", "within_limits"),
        ("cirrhosis cramps, reached 30 mg/day by weekly 20 mg steps", "exceeds_titration_step"),
        ("cirrhosis cramps, on 30 mg/day, increase by 10 mg weekly?", "above_max"),  # the proposed next step
        ("cirrhosis cramps: 30 mg/day split tds, reached via weekly steps 10 -> 20 -> 30", "within_limits"),
        # 6. the unit after the frequency
        ("MS spasticity, baclofen 20 TID (mg)", "within_limits"),
        ("cirrhotic cramps, baclofen 20 bd (mg)", "above_max"),
    ],
)
def test_shorthand_is_read(verdict, question, expected):
    assert verdict(question) == expected


@pytest.mark.parametrize(
    "question",
    [
        "MS spasticity, baclofen 2 tabs tid",  # a count with no strength
        "MS spasticity, baclofen 28 x 10 mg tablets, 1 tid",  # a pack size, then a count
        "MS spasticity, baclofen 25 tid",  # no unit anywhere
        "MS spasticity, baclofen 10 tid mg/kg",  # not a mass after the frequency
        "cirrhosis cramps, baclofen 60 mg split into 3",  # divided, but a total of what?
        "cirrhosis cramps, baclofen 10 mg qd",  # 'qd' is misread as 'qid': never read
        "cirrhosis cramps: baclofen 30 mg/day, titrated 10 -> 20 -> 25",  # a chain not ending at the dose
        "MS spasticity, baclofen 10 mg tid, go up to 15?",  # 15 mg a dose or a day: not said
        "cirrhosis cramps, baclofen 20 mg/day, reached in 10 mg steps",  # a step with no pace
        "IT baclofen 300 mcg/day via pump, SCI",  # intrathecal: no numeric limits
        "baclofen 300 mcg/day via pump for SCI spasticity",  # the glossary's 'pump' names the intrathecal route
    ],
)
def test_what_is_not_plainly_read_is_never_green(verdict, question):
    assert verdict(question) not in ("within_limits", None)


def test_a_bare_target_takes_the_unit_of_the_daily_dose_before_it(verdict):
    assert verdict("cirrhotic cramps, been on 20 mg/d for a week", "ok to go up one step to 30?") == "within_limits"
    assert verdict("cramps (cirrhosis), got to 30 mg/day by weekly 10 mg steps, want to go to 40 now") == "above_max"
    assert verdict("cirrhosis cramps, baclofen 20 mg/day, sodium went to 122") == "contraindicated"  # not a dose


def test_the_same_dose_for_the_next_patient_is_checked_with_their_facts(fast_reader, verdict):
    turns = (
        "MS pt, baclofen 5 mg tid, eGFR 90",
        "what about the same dose for the next patient who is 80 with eGFR 25?",
    )
    q = fast_reader.understand(turns[1], [turns[0]])
    assert (q.doses, q.patient.known()) == (["5 mg tid"], {"egfr": 25.0, "age": 80.0})  # the old eGFR is gone
    assert verdict(*turns) == "contraindicated"
    # the route goes with the dose; an unreadable dose stays unreadable
    assert verdict("baclofen 50 mcg intrathecal for spasticity", "same dose for the next patient, 40 yo?") == (
        "unable_to_check"
    )
    assert verdict("baclofen 2 tabs tid for spasticity", "same dose for the next patient?") == "unable_to_check"


def test_a_dose_referred_back_that_cannot_be_followed_is_grey(verdict):
    assert verdict("baclofen 10 mg tid for spasticity", *["another patient, same dose?"] * 12) == "unable_to_check"
    assert verdict("tizanidine 4 mg tid for spasticity", "another patient on baclofen, same dose?") == "unable_to_check"
    assert verdict("what is baclofen?", "another patient, same dose?") is None  # no dose anywhere: no check


@pytest.mark.parametrize(
    "question, indications, assumed",
    [
        ("MS spasms, baclofen 20 mg tid", ["spasticity"], "read 'spasms' as spasticity because of 'MS'"),
        ("spasms after a spinal cord injury, baclofen 20 mg tid", ["spasticity"], "because of 'spinal cord injury'"),
        ("cirrhotic with muscle spasms, baclofen 10 mg/day", ["muscle_cramps"], "because of 'cirrhotic'"),
        ("MS with cirrhosis and spasms, baclofen 20 mg tid", ["muscle_cramps", "spasticity"], None),  # two conditions
        ("MS spasms, no cirrhosis, baclofen 20 mg tid", ["spasticity"], "because of 'MS'"),  # a negated condition
        ("muscle spasms, baclofen 20 mg tid", ["muscle_cramps", "spasticity"], None),  # no condition
        # 'spasms after a stroke' keeps every meaning (issue 11; evals/suites/adversarial_doses.yaml)
        ("post-stroke spasms, baclofen 20 mg tid", ["muscle_cramps", "spasticity"], None),
    ],
)
def test_a_condition_fixes_an_ambiguous_indication(fast_reader, question, indications, assumed):
    q = fast_reader.understand(question, [])
    assert sorted(q.indications) == indications
    notes = [a for a in q.assumptions if a.startswith("read '")]
    assert (assumed is None and notes == []) or (len(notes) == 1 and assumed in notes[0])


def test_a_fixed_indication_is_checked_alone_and_an_ambiguous_one_at_its_strictest(verdict):
    assert verdict("MS spasms, baclofen 20 mg tid") == "within_limits"  # spasticity: 60 mg/day in 3 doses
    assert verdict("muscle spasms, baclofen 20 mg tid") not in ("within_limits", None)  # cramps max 30 too
