"""Weight-based dose expressions ("15 mg/kg every 12 hours", "20 mg/kg/day"): read with the patient's weight.

A per-kg dose is turned into mg with the weight and then read by the ordinary dose reader, so frequencies and
ranges behave the same. Without a weight it cannot be checked, and says so.
"""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.dosing.reading.parse import ParsedDose, ParseFailure, parse_dose
from assistant.text.quantities import unit_named, unit_pattern
from assistant.types import Patient

_MG_PER_KG = unit_pattern((unit_named("mg/kg"),))
_PER_KG = re.compile(
    rf"^\s*(?P<a>\d+(?:\.\d+)?)\s*(?:(?:-|–|to)\s*(?P<b>\d+(?:\.\d+)?)\s*)?{_MG_PER_KG}(?P<rest>.*)$",
    re.IGNORECASE,
)
_PER_DAY_AFTER_KG = re.compile(r"^\s*(?:/\s*day|/\s*d\b|per\s*day)", re.IGNORECASE)


def per_kg_amount(text: str) -> tuple[float, float | None, str] | None:
    """(low, high, rest) in mg/kg for a per-kg expression, else None."""
    m = _PER_KG.match(text)
    if not m:
        return None
    return float(m["a"]), (float(m["b"]) if m["b"] else None), m["rest"]


def read_dose(text: str, patient: Patient) -> ParsedDose | ParseFailure:
    """The dose in mg: an ordinary expression as is; a per-kg one multiplied by the patient's weight."""
    amount = per_kg_amount(text) if isinstance(text, str) else None
    if amount is None:
        return parse_dose(text)
    if patient.weight is None:
        return ParseFailure(
            text=text, code="weight_based", reason="a per-kg dose needs the patient's weight (weight=KG)"
        )
    low, high, rest = amount
    weight = Decimal(str(patient.weight))
    mg_low = Decimal(str(low)) * weight
    span = f"{_plain(mg_low)}-{_plain(Decimal(str(high)) * weight)}" if high is not None else _plain(mg_low)
    rest = _PER_DAY_AFTER_KG.sub("/day", rest, count=1)
    parsed = parse_dose(f"{span} mg{rest}")
    if isinstance(parsed, ParseFailure):
        return ParseFailure(text=text, code=parsed.code, reason=parsed.reason)
    per_kg = f"{low:g}" + (f"-{high:g}" if high is not None else "")
    note = f"{per_kg} mg/kg × {patient.weight:g} kg"
    return parsed.model_copy(update={"text": text, "notes": [*parsed.notes, note]})


def _plain(d: Decimal) -> str:
    """A Decimal without exponent or trailing zeros (the dose reader reads plain digits)."""
    text = format(d.normalize(), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text
