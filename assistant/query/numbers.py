"""Every number the user wrote gets a role — a dose, a patient value, an age, a duration, a time, a lab value
that no rule uses — or is reported as not understood (which keeps a verdict from being green)."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.query.counted import COUNT_HEAD, closing, count_value, counted, scaled, unit_moved, units_carried
from assistant.query.lexicon import Lexicon
from assistant.text.quantities import dose_forms, unit_named, unit_pattern, units

# A number as written, digit groups (space, thin space, comma, period, apostrophe) and a decimal comma included, so a
# digit inside a dose is never dropped: the dose grammar reads the whole and greys what it cannot read for sure.
_GROUP_SEP = "[ ,.'\u2019\u2009\u202f]"
_NUM = rf"(?:\d{{1,3}}(?:{_GROUP_SEP}\d{{3}})+(?![\d])|\d+)(?:\.\d+|,\d{{1,2}}(?![\d]))?"
_NOT_INSIDE_A_NUMBER = "(?:(?<![\\w.,'\u2019\u2009\u202f])|(?<=\\d[x×]))"  # '2x10mg': after a count's 'x'
# Units from the one table (assistant.text.quantities.UNITS): a dose is a mass, a volume, units or dose forms.
_MASS = unit_pattern(units("mass"))
_FORM = unit_pattern(dose_forms())
_ML = unit_pattern((unit_named("mL"),))
_UNIT = unit_pattern(units("mass", "volume", "unit") + dose_forms())
_COUNT_WORDS = "one|two|three|four|five|six|half a|a half|1/2"
_FREQ = (
    r"(?:\s*/\s*(?:day|d|24\s*h(?:ours?)?|dose|week|wk|night)\b"
    r"|\s+(?:per|a|an|each|every)\s+(?:day|d|24\s*h(?:ours?)?|dose|week|wk|night)\b(?!\s+(?:ago|later|before|earlier))"
    r"|\s*(?:(?:divided|split)\s+)?(?:once|twice|thrice|three times|four times|five times|[1-6]\s*(?:x|times))"
    r"\s*(?:/|a|per|each)?\s*(?:day|daily|d)\b"
    r"|\s*x\s*[1-6]\s*(?:/|a|per)\s*(?:day|d)\b"
    r"|\s*(?:(?:divided|split)\s+)?(?:daily|nightly|od|qd|bid|b\.i\.d\.?|tid|t\.i\.d\.?|qid|q\.i\.d\.?|qds|tds|bd|qhs|qn|nocte|mane|prn)\b"
    r"|\s*(?:every|q)\s*\d+\s*(?:h|hours?|hrs?)\b"
    r"|\s*(?:once\s+|twice\s+)?(?:weekly|a\s+week|per\s+week|every\s+week)\b"  # longer than a day: read exactly
    r"|\s*(?:once\s+)?every\s+(?:other\s+day|\d+\s*(?:days?|weeks?)|(?:two|three|four)\s+(?:days|weeks))\b"
    r"|\s*(?:at night|at bedtime|in the morning|in the evening|before bed)"
    r"|\s*(?:divided|split)(?:\s+up)?\s+(?:into|in)\s+(?:\d|two|three|four|five|six)"
    r"(?:\s+(?:divided\s+|equal\s+|separate\s+)?doses)?(?:\s+(?:a|per)\s+day|\s+daily)?"
    r"|\s*,?\s*(?:in|as|given in)\s+(?:\d|two|three|four|five|six)\s+(?:divided\s+|equal\s+|separate\s+)?doses)*"
)
DOSE_SPAN = re.compile(
    rf"(?:\b(?:{_COUNT_WORDS}|\d)\s+(?=\d))?{_NOT_INSIDE_A_NUMBER}-?{_NUM}(?:\s*(?:-|–|to)\s*{_NUM})?\s*{_UNIT}"
    rf"(?!\s*/\s*(?:dl|l|min)\b)(?:\s*/\s*(?:kg|\d*\s*{_ML}))?(?![a-z])"
    rf"(?:\s+(?:\w+\s+)?{_FORM})?{_FREQ}"
    rf"|{_NOT_INSIDE_A_NUMBER}{_NUM}"
    rf"(?=\s*(?:tid|bid|qid|tds|qds|bd|od|qd|x\s*\d\s*/\s*d|times (?:a|per) day|a day|/day|/d)\b){_FREQ}"
    rf"(?:\s*\(\s*{_MASS}\s*\)|\s+{_MASS}(?![a-z/]))?",  # '20 tid mg', '20 TID (mg)': the unit after the frequency
    re.IGNORECASE,
)
_HAS_FREQ = re.compile(rf"\d\s*{_UNIT}(?:\s*/\s*\d*\s*{_ML})?\S*(?:\s+\w+)?{_FREQ[:-1]}+", re.IGNORECASE)
_LATE_FREQ = re.compile(rf"^\s*(?:of\s+)?(?:[a-z]+\s+){{0,2}}?(?P<f>{_FREQ[:-1]}+)", re.IGNORECASE)
_TIMES_OF_DAY = re.compile(r"^\s*at\s+((?:\d{1,2}(?::\d{2})?\s*(?:am|pm)?(?:\s*(?:,|and)\s*)?){2,6})", re.IGNORECASE)
_ONCE_WORDS = re.compile(
    r"\s*(?:at night|at bedtime|in the morning|in the evening|before bed|nightly|qhs|qn|od|o\.d\.|nocte|mane)$", re.I
)
_LABEL_BEFORE = re.compile(r"\b(?:weeks?|wks?|days?|months?)\s*#?\s*(?:\d{1,3}\s*(?:-|–|to|through)\s*)?$", re.I)
_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")


class NumberRole(BaseModel):
    """One number (or dose expression) of the text and what it was read as."""

    text: str = Field(description="The number or expression as written.")
    role: str = Field(description="dose, egfr, crcl, sodium, age, weight, duration, time_of_day, lab_value, …")
    start: int
    end: int
    fact: str | None = Field(default=None, description="Patient field this number sets, if any.")
    value: float | None = Field(default=None, description="The value for a patient fact (latest of a trend).")
    low: float | None = Field(default=None, description="Range: low end (a comparator or 'X-Y').")
    high: float | None = Field(default=None, description="Range: high end.")


class DoseSpan(BaseModel):
    """A dose expression and the canonical text the dose parser reads."""

    text: str
    expression: str = Field(description="What is passed to the dose parser (times of day counted, 'at night' → daily).")
    start: int
    end: int


# 'from 10 to 20 mg/day', '20 -> 30 mg/day': a change whose first figure borrows the second's unit (never a range).
_CHANGE_PAIR = re.compile(
    rf"(?:\bfrom\s+(?P<a>{_NUM})\s*(?:to|->|→|=>)\s*|(?<![\w.])(?P<b>{_NUM})\s*(?:->|→|=>)\s*)"
    rf"(?=(?P<second>{_NUM}\s*{_UNIT}))",
    re.IGNORECASE,
)


def dose_spans(text: str) -> list[DoseSpan]:
    """Dose expressions in order; '10 mg at 8 am, 2 pm and 10 pm' is read as three times daily."""
    out: list[DoseSpan] = []
    for pair in _CHANGE_PAIR.finditer(text):
        second = next((m for m in DOSE_SPAN.finditer(text, pair.end()) if m.start() == pair.end()), None)
        if second is None:
            continue
        first = pair.group("a") or pair.group("b")
        unit_and_rest = re.sub(rf"^{_NUM}", "", second.group(0).strip())
        start = pair.start("a") if pair.group("a") else pair.start("b")
        out.append(DoseSpan(text=first, expression=f"{first}{unit_and_rest}", start=start, end=start + len(first)))
        out.append(
            DoseSpan(
                text=second.group(0).strip(), expression=second.group(0).strip(), start=second.start(), end=second.end()
            )
        )
    for head in COUNT_HEAD.finditer(text):  # '2 x 10 mg tablets tid', '1.5 tabs of 10 mg tid'
        count, m = count_value(head["count"]), DOSE_SPAN.match(text[head.end() :])
        if count is None or m is None or _overlaps(head.start(), head.end() + m.end(), [(d.start, d.end) for d in out]):
            continue
        closed = closing(text[head.end() + m.end() :]) if "(" in head.group(0) else 0
        strength = _span(text, head.end(), m.group(0), head.end() + m.end() + closed)
        raw = text[head.start() : strength.end]
        expression = scaled(strength.expression, count) or raw  # not one plain strength: left for the grammar to refuse
        out.append(DoseSpan(text=raw, expression=expression, start=head.start(), end=strength.end))
    for m in DOSE_SPAN.finditer(text):
        if _LABEL_BEFORE.search(text[: m.start()]) and (head_count := re.match(r"\d+\s+(?=\d)", m.group(0))):
            m = DOSE_SPAN.match(text, m.start() + head_count.end()) or m  # 'days 1-3 10 mg/day': a label, not a count
        if any(d.start <= m.start() < d.end or m.start() <= d.start < m.end() for d in out):
            continue
        out.append(_span(text, m.start(), m.group(0), m.end()))
    out = sorted(out, key=lambda d: d.start)  # overlapping spans were never added
    carried = units_carried([d.expression for d in out])
    return [d.model_copy(update={"expression": e}) for d, e in zip(out, carried, strict=True)]


def _span(text: str, start: int, written: str, end: int) -> DoseSpan:
    """The dose written at `start` and its canonical expression: times of day counted, a late frequency taken in."""
    expr = written.strip()
    if times := _TIMES_OF_DAY.match(text[end:]):
        count = len(re.findall(r"\d{1,2}(?::\d{2})?\s*(?:am|pm)?", times.group(1)))
        expr, end = f"{expr} {count} times daily", end + times.end()
    if not _HAS_FREQ.search(expr) and (late := _LATE_FREQ.match(text[end:])):
        expr, end = f"{expr} {late.group('f').strip()}", end + late.end()  # '10 mg of X at night'
    expr = unit_moved(expr)
    per_day = re.search(r"/\s*(?:day|d)\b|\bdaily\b|\ba day\b|\bper day\b", expr, re.I)
    expr = _ONCE_WORDS.sub("" if per_day else " once daily", expr).strip()
    expr = counted(expr)
    expr = re.sub(r"\s*x\s*([1-6])\s*(?:/|a|per)\s*(?:day|d)\b", r" \1 times daily", expr, flags=re.I)
    return DoseSpan(text=text[start:end], expression=expr, start=start, end=end)


def read_numbers(text: str, lexicon: Lexicon, skip: list[tuple[int, int]]) -> tuple[list[NumberRole], list[str]]:
    """Roles for every number outside `skip` (dose spans, drug names); and the numbers no role claimed."""
    taken = list(skip)
    roles: list[NumberRole] = []
    trend = lexicon.patterns.get("trend.next")
    earlier = lexicon.patterns.get("trend.earlier")
    for rp in lexicon.roles:
        for m in rp.pattern.finditer(text):
            groups = {k: v for k, v in m.groupdict().items() if v and k not in ("cmp", "unit")}
            if not groups or _overlaps(m.start(), m.end(), taken):
                continue
            role = _role(m, rp.role, rp.fact)
            end = m.end()
            while rp.fact:
                if (
                    earlier is not None
                    and (old := earlier.search(text[end:]))
                    and not _overlaps(end, end + old.end(), taken)
                ):
                    end += old.end()  # an older value: read past it, the latest stays
                    continue
                if trend is None or not (nxt := trend.search(text[end:])) or _overlaps(end, end + nxt.end(), taken):
                    break
                later = float(nxt.group("n"))
                role = role.model_copy(update={"value": later, "low": None, "high": None})
                end += nxt.end()
            role = role.model_copy(update={"end": end, "text": text[m.start() : end]})
            roles.append(role)
            taken.append((m.start(), end))
    unclaimed = [m.group(0) for m in _DIGITS.finditer(text) if not _overlaps(m.start(), m.end(), taken)]
    return roles, unclaimed


def _role(m: re.Match[str], role: str, fact: str | None) -> NumberRole:
    groups = m.groupdict()
    first = next(float(groups[k].replace(",", "")) for k in ("n", "j", "m", "k", "a", "d") if groups.get(k))
    second = float(groups["m"]) if groups.get("n") and groups.get("m") and role != "weight" else None
    cmp = (groups.get("cmp") or "").strip().lower()
    low = high = None
    if second is not None:
        low, high = min(first, second), max(first, second)
    elif cmp.startswith(("<", "≤", "less", "under", "below", "at most")):
        low, high = None, first - (0.01 if not cmp.startswith(("<=", "≤", "at most")) else 0.0)
    elif cmp.startswith((">", "≥", "over", "above", "more", "greater", "at least")):
        low, high = first + (0.01 if not cmp.startswith((">=", "≥", "at least")) else 0.0), None
    value = first if low is None and high is None else None
    if role == "age" and groups.get("k") and groups.get("n") is None:
        value = float(groups["k"])
    return NumberRole(
        text=m.group(0), role=role, start=m.start(), end=m.end(), fact=fact, value=value, low=low, high=high
    )


def _overlaps(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(start < e and s < end for s, e in spans)
