"""Titration written around the doses: time labels of a schedule ('10 mg/d week 1, then 20 mg/d week 2' is a change
after 7 days) and a stated step with its pace ('reached 30 mg/day by weekly 10 mg steps' is a step of 10 mg/day
after 7 days). Both are read from corpus/reader.toml; what cannot be read exactly is reported, never guessed."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.dosing.reading.parse import ParsedDose, parse_dose
from assistant.query.counted import MASS
from assistant.query.lexicon import Lexicon
from assistant.query.numbers import DoseSpan

_UNIT_DAYS = {
    "d": 1.0,
    "day": 1.0,
    "w": 7.0,
    "wk": 7.0,
    "week": 7.0,
    "mo": 30.0,
    "month": 30.0,
    "y": 365.0,
    "yr": 365.0,
    "year": 365.0,
    "h": 1 / 24,
    "hr": 1 / 24,
    "hour": 1 / 24,
}

LABEL_ROLE = "time_label"
_DAILY_UNIT = re.compile(
    rf"^(?P<n>\d+(?:\.\d+)?)\s*(?P<u>{MASS})\s*(?:/\s*d(?:ay)?\b|a day\b|per day\b|daily\b)", re.IGNORECASE
)
_LABEL_GAP_AFTER = re.compile(r"^\s*\(?\s*(?:(?:in|during|for|on|from|at|of)\s+)?(?:the\s+)?$", re.IGNORECASE)
_LABEL_GAP_BEFORE = re.compile(
    r"^\s*(?:onwards?|on|forward|\+|and after)?\s*[:=)\-–,]?\s*(?:(?:then|give|take|on|at)\s+)?$", re.IGNORECASE
)


class Step(BaseModel):
    """A titration step stated in words, with the pace it is taken at."""

    start: int
    end: int
    text: str = Field(description="The words as written.")
    step_mg: float = Field(description="Size of one step, in mg/day.")
    interval_days: float | None = Field(description="Days between steps; None when no pace was stated.")
    past: bool | None = Field(default=None, description="Already taken (True), proposed (False), or not said.")


def _tense(text: str, start: int, end: int, lexicon: Lexicon) -> bool | None:
    """True for a step already taken, False for one proposed, None when the words do not say (or say both)."""
    past, proposal = lexicon.patterns.get("titration.past"), lexicon.patterns.get("titration.proposal")
    sentence = max(text.rfind(ch, 0, start) for ch in ".?!;\n") + 1
    for words in (text[start:end], text[sentence:start]):  # the step's own verb first
        said = (bool(past and past.search(words)), bool(proposal and proposal.search(words)))
        if any(said):
            return said[0] if said[0] != said[1] else None
    return None


def steps(text: str, lexicon: Lexicon) -> list[Step]:
    """Every titration step stated in the text ('by weekly 10 mg steps', 'increased by 5 mg every 3 days')."""
    pattern = lexicon.patterns.get("titration.step")
    out: list[Step] = []
    for m in pattern.finditer(text) if pattern is not None else ():
        g = {k: v for k, v in m.groupdict().items() if v}
        pace = (g.get("period") or g.get("period2") or g.get("every") or "").strip().lower()
        days: float | None = None
        if pace:
            unit = re.sub(r"s$", "", (g.get("u") or pace.split()[-1].lstrip("/")).lower())
            count = (g.get("k") or "1").lower()
            times = float(count) if count.isdigit() else lexicon.word_numbers.get(count, 0.0)
            per = lexicon.pace_days.get(pace) or lexicon.pace_days.get(unit)
            days = times * per if per and times else None
        value = float(g.get("step") or g.get("step2") or 0)
        tense = _tense(text, m.start(), m.end(), lexicon)
        out.append(Step(start=m.start(), end=m.end(), text=m.group(0), step_mg=value, interval_days=days, past=tense))
    return out


class Chain(BaseModel):
    """A titration history written as a chain of numbers ('10 -> 20 -> 30'), in the unit of the dose it ends at."""

    start: int
    end: int
    doses: list[str] = Field(description="Each dose of the chain, in order, as a daily dose expression.")
    interval_days: float | None = Field(description="Days between links, when a pace is stated.")


def chains(text: str, spans: list[DoseSpan], lexicon: Lexicon) -> list[Chain]:
    """Chains of bare numbers ending at the amount of a daily dose written in the same text, in its unit."""
    pattern = lexicon.patterns.get("titration.chain")
    out: list[Chain] = []
    for m in pattern.finditer(text) if pattern is not None else ():
        values = re.findall(r"\d+(?:\.\d+)?", m["chain"])
        if any(m.start("chain") < d.end and d.start < m.end("chain") for d in spans):
            continue
        units = [u["u"] for d in spans if (u := _DAILY_UNIT.match(d.expression)) and float(u["n"]) == float(values[-1])]
        if not units:
            continue  # no daily dose to lend its unit: the numbers stay unread
        pace = (m["pace"] or m["pace2"] or "").lower()
        doses = [f"{v} {units[-1]}/day" for v in values]
        out.append(Chain(start=m.start(), end=m.end(), doses=doses, interval_days=lexicon.pace_days.get(pace)))
    return out


Label = tuple[float, float]  # (first day, last day) of a schedule label, counted from day 0


def label_days(text: str, spans: list[DoseSpan], lexicon: Lexicon) -> list[Label | None]:
    """The schedule days each dose is labelled with ('week 2' → days 7-13, 'days 8-14' → days 7-13), or None: a
    label right after the dose ('20 mg/d week 2'), else right before it ('week 2: 20 mg/d')."""
    role = next((r for r in lexicon.roles if r.role == LABEL_ROLE), None)
    if role is None:
        return [None] * len(spans)
    labels = [(m.start(), m.end(), _day(m, lexicon)) for m in role.pattern.finditer(text)]
    out: list[Label | None] = []
    for i, span in enumerate(spans):
        previous_end = spans[i - 1].end if i else 0
        next_start = spans[i + 1].start if i + 1 < len(spans) else len(text)
        after = [
            d for s, e, d in labels if span.end <= s and e <= next_start and _LABEL_GAP_AFTER.match(text[span.end : s])
        ]
        before = [
            d
            for s, e, d in labels
            if previous_end <= s and e <= span.start and _LABEL_GAP_BEFORE.match(text[e : span.start])
        ]
        out.append(after[0] if after else before[-1] if before else None)
    return out


def _day(m: re.Match[str], lexicon: Lexicon) -> Label | None:
    unit = re.sub(r"s$", "", m.group("unit").lower())
    per = lexicon.pace_days.get(unit)
    if not per:
        return None
    first = (float(m.group("n")) - 1) * per
    return first, (float(m.group("m")) * per - 1 if m.group("m") else first)


def label_interval(labels: list[Label | None]) -> float | None:
    """The shortest time between successive labelled doses (the strictest reading); None unless every dose is
    labelled and each label starts after the one before it ends (overlapping or reversed labels are not read)."""
    known = [d for d in labels if d is not None]
    if len(known) < 2 or len(known) != len(labels):
        return None
    pairs = list(zip(known, known[1:], strict=False))
    if any(b[0] <= a[1] or b[0] <= a[0] for a, b in pairs):
        return None
    return min(b[0] - a[0] for a, b in pairs)


def _daily(expression: str | None) -> ParsedDose | None:
    parsed = parse_dose(expression or "")
    return parsed if isinstance(parsed, ParsedDose) else None


def stepped(dose: str, previous: str | None, starting: bool, step: Step) -> list[tuple[str, str]]:
    """(dose, previous dose) pairs that check the stated step: within a change, its last step; from a first dose or
    with a proposed step, the next step ('increase by 10 mg weekly': 20 → 30); with a step already taken, the last
    one up to the dose ('reached 30 mg/day by 10 mg steps': 20 → 30); both when the words do not say. Empty when
    the doses cannot be read."""
    parsed, before = _daily(dose), _daily(previous) if previous else None
    if parsed is None or (previous and before is None) or step.step_mg <= 0:
        return []
    high = parsed.daily_high_mg
    if before is not None:
        return [(dose, f"{max(before.daily_mg, high - step.step_mg):g} mg/day")]
    forward = (f"{high + step.step_mg:g} mg/day", dose)
    back = (dose, f"{high - step.step_mg:g} mg/day") if high - step.step_mg > 0 else None
    if starting or step.past is False or back is None:
        return [forward]
    return [back] if step.past else [back, forward]


def interval_days(texts: list[str], lexicon: Lexicon, skip: list[list[tuple[int, int]]] | None = None) -> float | None:
    """Days between the last change and the proposed one: time on the current dose (when stated) plus the delay
    before the new dose starts. With several statements the shortest wins (the strictest reading)."""
    delays: list[float] = []
    since: list[float] = []
    p = lexicon.patterns
    for i, text in enumerate(texts):
        spans = skip[i] if skip else []
        for key, days in (("delay_zero", 0.0), ("delay_one", 1.0), ("delay_seven", 7.0), ("delay_fourteen", 14.0)):
            if (pattern := p.get(f"intervals.{key}")) and pattern.search(text):
                delays.append(days)
        if (long := p.get("intervals.since_long")) and long.search(text):
            since.append(30.0)
        for m in p["intervals.since"].finditer(text) if "intervals.since" in p else []:
            if any(m.start() < e and st < m.end() for st, e in spans):
                continue  # '10 mg a day' is a dose, not a duration
            count = m.group("count").lower()
            value = float(count) if count.isdigit() else lexicon.word_numbers.get(count, 1.0)
            unit = re.sub(r"s$", "", m.group("unit").lower())
            days = value * _UNIT_DAYS.get(unit, _UNIT_DAYS.get(unit[:2], _UNIT_DAYS.get(unit[:1], 1.0)))
            prefix = p.get("intervals.delay_prefix")
            if prefix is not None and prefix.search(text[: m.start()]) and not m.group("ago"):
                delays.append(days)
            else:
                since.append(days)
    delay = min(delays) if delays else None
    if since:
        return min(since) + (delay or 0.0)
    return delay
