"""A patient value stated as a range ('eGFR 25–40', 'eGFR < 30') becomes one reading per rule band it overlaps."""

from __future__ import annotations

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.findings.common import headline_rank
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.load import load_rules
from assistant.dosing.scenarios import range_values
from assistant.settings import REPO_ROOT

RULES = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"]

# id, field, low, high, low inclusive, high inclusive, the values to check, headline verdict for 10 mg/day (cramps)
TABLE = [
    ("egfr-25-40", "egfr", 25, 40, True, True, [25, 27.5, 30, 35, 40], "contraindicated"),
    ("egfr-below-30", "egfr", None, 30, True, False, None, "contraindicated"),
    ("egfr-over-60", "egfr", 60, None, False, True, None, "within_limits"),
    ("egfr-30-60", "egfr", 30, 60, True, True, [30, 45, 60], "caution"),
    ("egfr-over-20", "egfr", 20, None, False, True, None, "contraindicated"),
    ("sodium-under-130", "sodium", None, 130, True, False, None, "contraindicated"),
    ("sodium-125-135", "sodium", 125, 135, True, True, [125, 130, 135], "within_limits"),
]


@pytest.mark.parametrize(
    ("field", "low", "high", "low_in", "high_in", "values", "verdict"), [pytest.param(*r[1:], id=r[0]) for r in TABLE]
)
def test_range_readings(
    field: str,
    low: float | None,
    high: float | None,
    low_in: bool,
    high_in: bool,
    values: list[float] | None,
    verdict: str,
) -> None:
    readings = range_values(RULES, field, low, high, (low_in, high_in))
    got = [value for value, _ in readings]
    if values is not None:
        assert got == values
    for v in got:  # never outside the stated range
        assert low is None or (v >= low if low_in else v > low)
        assert high is None or (v <= high if high_in else v < high)
    assert all(label for _, label in readings)
    checks = [
        check_dose(DoseRequest(drug="baclofen", dose="10 mg/day", indication="muscle_cramps", patient={field: v}))
        for v in got
    ]
    assert max((c.verdict for c in checks), key=headline_rank) == verdict


def test_unknown_field_or_empty_range_is_refused() -> None:
    with pytest.raises(ValueError):
        range_values(RULES, "height", 1, 2)
    with pytest.raises(ValueError):
        range_values(RULES, "egfr", 40, 25)
