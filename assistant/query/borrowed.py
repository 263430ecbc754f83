"""A new dose written as a bare number after a verb of change ('been on 20 mg/d for a week' … 'ok to go up one step to
30?') takes the unit of the daily dose written before it: 30 mg/d. Only a daily total lends its unit ('10 mg tid' …
'up to 15' could be 15 mg a dose or a day, so it stays unread), and a number another role claims ('sodium went to
122') is never a dose."""

from __future__ import annotations

import re

from assistant.dosing.reading.parse import ParsedDose, parse_dose
from assistant.query.counted import MAX_COUNT
from assistant.query.lexicon import Lexicon
from assistant.query.numbers import DoseSpan

_PER_DAY = re.compile(r"/\s*(?:day|d)\b|\bdaily\b|\ba day\b|\bper day\b", re.IGNORECASE)
_LEADING_AMOUNT = re.compile(r"^\s*\d+(?:\.\d+)?")


def daily_total(span: DoseSpan) -> bool:
    """The dose is written as an amount per day, with no dose count ('20 mg/d', '10 mg a day')."""
    parsed = parse_dose(span.expression)
    return isinstance(parsed, ParsedDose) and parsed.doses_per_day is None and bool(_PER_DAY.search(span.expression))


def _claimed(text: str, lexicon: Lexicon) -> list[tuple[int, int]]:
    """Where the reader's number roles (eGFR, sodium, age, …) claim numbers in the text."""
    out: list[tuple[int, int]] = []
    for rp in lexicon.roles:
        for m in rp.pattern.finditer(text):
            out += [m.span(k) for k, v in m.groupdict().items() if v and k not in ("cmp", "unit")]
    return out


def bare_targets(text: str, spans: list[DoseSpan], lexicon: Lexicon, earlier: DoseSpan | None) -> list[DoseSpan]:
    """Doses written as bare numbers after a verb of change, in the unit of the daily dose before them (in this
    turn, else `earlier`, the last dose of the patient's earlier turns)."""
    pattern = lexicon.patterns.get("relations.bare_target")
    found = list(pattern.finditer(text)) if pattern is not None else []
    if not found:
        return []
    claimed = _claimed(text, lexicon) + [(d.start, d.end) for d in spans]
    out: list[DoseSpan] = []
    for m in found:
        start, end = m.span("n")
        if any(start < e and s < end for s, e in claimed):
            continue
        before = [d for d in spans if d.end <= start]
        reference = before[-1] if before else earlier
        if reference is None or not daily_total(reference) or float(m["n"]) <= MAX_COUNT:
            continue  # '… to 2' may count tablets: never read as mg
        expression = _LEADING_AMOUNT.sub(m["n"], reference.expression, count=1)
        out.append(DoseSpan(text=m["n"], expression=expression, start=start, end=end))
    return out
