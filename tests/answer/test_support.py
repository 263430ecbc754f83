"""One pool of 'numbers an answer may state', for the guard, the LLM checks and the eval."""

from __future__ import annotations

from assistant.answer.guard import support_values
from assistant.answer.support import checker_quantities, support_pool
from assistant.text.quantities import Quantity, supported
from assistant.types import DoseCheck, Finding, Patient, RuleSource
from evals.metrics import given_quantities

CHECK = DoseCheck(
    drug="baclofen",
    dose="20 mg twice daily",
    indication="muscle_cramps",
    route="oral",
    verdict="above_max",
    hard_stop=True,
    daily_dose_mg=40.0,
    single_dose_mg=20.0,
    doses_per_day=2.0,
    patient={"egfr": 45.0, "cirrhosis": True, "renal_impairment": "moderate"},
    findings=[
        Finding(
            code="max_daily",
            severity="hard",
            verdict="above_max",
            message="Above 30 mg/day.",
            limit="30 mg/day",
            citation=RuleSource(doc_id="d", section="s", quote="a maximum of 30 mg/day"),
        )
    ],
)


def test_checker_quantities_hold_doses_facts_and_limits_not_messages_text():
    values = sorted({q.value for q in checker_quantities(CHECK)})
    assert values == [2.0, 20.0, 30.0, 40.0, 45.0]


def test_pool_joins_cited_given_patient_and_check():
    pool = support_pool(
        cited=["start at 10 mg/day"], given=["Is 20 mg twice daily OK?"], dose_check=CHECK, patient=Patient(age=70)
    )
    assert supported(Quantity(10.0, "mass", "day"), pool)
    assert supported(Quantity(70.0), pool)
    assert not supported(Quantity(60.0, "mass"), pool)


def test_guard_and_eval_use_the_same_pool():
    turns = ["Is 20 mg twice daily OK?"]
    assert given_quantities(turns, None, CHECK) == support_pool(given=turns, dose_check=CHECK)
    assert support_values([], turns[0], CHECK) == {
        q.value for q in support_pool(given=turns, dose_check=CHECK, words=True)
    }
