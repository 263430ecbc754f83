"""A patient value stated as a range becomes one value per rule band it overlaps; the judge checks each.

'eGFR 25–40' overlaps the avoid band (< 30) and the reduce band (30–60), so both are checked and the strictest
wins. The band edges come from the rules data, so a new band in a rules file needs no code change.
"""

from __future__ import annotations

from itertools import pairwise

from assistant.dosing.rules.schema import DrugRules, fmt
from assistant.types import patient_bounds

_EDGE_KEYS = ("value", "low", "high", "adult_min_age")


def _edges(value: object, inside: bool, field: str) -> set[float]:
    """Numbers of the rules that sit under a key naming the field (e.g. avoid_egfr_below.value)."""
    out: set[float] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            here = inside or field in str(key)
            if here and key in _EDGE_KEYS and isinstance(item, int | float) and not isinstance(item, bool):
                out.add(float(item))
            out |= _edges(item, here, field)
    elif isinstance(value, list):
        for item in value:
            out |= _edges(item, inside, field)
    return out


def band_edges(drug_rules: DrugRules, field: str) -> list[float]:
    """Every threshold the rules state for a numeric patient field, sorted."""
    return sorted(_edges(drug_rules.model_dump(exclude_none=True), False, field))


def range_values(
    drug_rules: DrugRules,
    field: str,
    low: float | None,
    high: float | None,
    inclusive: tuple[bool, bool] = (True, True),
) -> list[tuple[float, str]]:
    """(value, label) pairs covering every band of the rules that the range overlaps.

    An open end (None) is the field's plausible bound. Each included end and each rule edge inside the range is
    a value, and so is the middle of every segment between them (so an open segment such as '20 < eGFR < 30'
    is checked too). Raises ValueError for a field that is not a numeric patient field or an empty range.
    """
    if field not in patient_bounds():
        raise ValueError(f"'{field}' is not a numeric patient field")
    least, most, unit = patient_bounds()[field]
    lo, hi = (least if low is None else float(low)), (most if high is None else float(high))
    lo_in, hi_in = inclusive[0] or low is None, inclusive[1] or high is None
    if lo > hi or (lo == hi and not (lo_in and hi_in)):
        raise ValueError(f"empty range for {field}: {fmt(lo)}–{fmt(hi)}")
    bounds = [lo, *[e for e in band_edges(drug_rules, field) if lo < e < hi], hi]
    points: dict[float, str] = {}
    for i, edge in enumerate(bounds):
        if (i == 0 and not lo_in) or (i == len(bounds) - 1 and not hi_in):
            continue
        points[edge] = f"{field} {fmt(edge)}"
    for a, b in pairwise(bounds):
        if b > a:
            points.setdefault((a + b) / 2, f"{field} between {fmt(a)} and {fmt(b)} {unit}".rstrip())
    return sorted(points.items())
