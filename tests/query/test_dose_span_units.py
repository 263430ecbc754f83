"""Units in the dose spans of a question come from the one table (no embedding model needed, not slow)."""

from __future__ import annotations

import pytest

from assistant.query.numbers import dose_spans

SPANS = [
    ("two 10 mg tablets three times daily", [("two 10 mg tablets three times daily", "20 mg three times daily")]),
    ("two 10 microgram tablets tid", [("two 10 microgram tablets tid", "20 microgram tid")]),
    ("10 mg at 8 am, 2 pm and 10 pm", [("10 mg at 8 am, 2 pm and 10 pm", "10 mg 3 times daily")]),
    ("from 10 to 20 mg/day", [("10", "10 mg/day"), ("20 mg/day", "20 mg/day")]),
    ("5 mg/5 ml twice daily", [("5 mg/5 ml twice daily", "5 mg/5 ml twice daily")]),
    ("10 mg of it at night", [("10 mg of it at night", "10 mg once daily")]),
    ("2 x 500 mg tablets", [("2 x 500 mg tablets", "1000 mg")]),  # a count of tablets times their strength
    ("10 mg caps tid", [("10 mg caps tid", "10 mg tid")]),
    ("45 mL/min and 10 mg tid", [("10 mg tid", "10 mg tid")]),
    ("10 mg/dL", []),
]


@pytest.mark.parametrize(("text", "spans"), SPANS, ids=[s[0] for s in SPANS])
def test_dose_spans(text: str, spans: list[tuple[str, str]]) -> None:
    assert [(d.text, d.expression) for d in dose_spans(text)] == spans
