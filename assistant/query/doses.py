"""How the doses in a conversation relate: one proposed dose, a change from a current dose, doses that add
up, or alternatives. Every plausible reading is kept; the checker's strictest verdict wins."""

from __future__ import annotations

import re

from assistant.dosing.reading.parse import ParsedDose, parse_dose
from assistant.query.lexicon import Lexicon
from assistant.query.numbers import DoseSpan, NumberRole
from assistant.query.readings import DoseMention as DoseMention
from assistant.query.readings import DosePlan as DosePlan
from assistant.query.readings import DoseReading as DoseReading
from assistant.query.schedule import scheduled, stepped_plan
from assistant.query.subjects import DrugMention
from assistant.query.titration import chains, interval_days, steps

SENTENCE_MARKS = ".?!;\n"


def attribute(spans: list[DoseSpan], mentions: list[DrugMention], text: str, default: str | None) -> list[str | None]:
    """The drug each dose belongs to: 'N mg of X', else the nearest drug named before it in the sentence, else
    the nearest after it in the sentence, else the conversation's drug."""
    out: list[str | None] = []
    for span in spans:
        after = [
            m
            for m in mentions
            if 0 <= m.start - span.end <= 16
            and re.fullmatch(r"\s*(?:of|of the|of his|of her)?\s*", text[span.end : m.start], re.I)
        ]
        sentence_start, sentence_end = _sentence_start(text, span.start), _sentence_end(text, span.end)
        before = [m for m in mentions if sentence_start <= m.start < span.start]
        later = [m for m in mentions if span.end <= m.start < sentence_end]
        pick = after[0] if after else before[-1] if before else later[0] if later else None
        out.append(pick.name if pick else default)
    return out


def relation(text: str, span: DoseSpan, previous_end: int, first: bool, lexicon: Lexicon) -> str:
    """The role the words before a dose give it."""
    window = text[max(previous_end, span.start - 45) : span.start]
    p = lexicon.patterns

    def near(name: str) -> bool:
        pattern = p.get(f"relations.{name}")
        return bool(pattern and pattern.search(window))

    if first:
        if near("history"):
            return "history"
        return "current" if near("current") and not near("change") else "first"
    for name in ("add", "alternative", "change"):
        if near(name):
            return name
    return "unmarked"  # two doses of one drug, no word relating them: both a change and a sum are checked


def start_mark(text: str, span: DoseSpan, previous_end: int, lexicon: Lexicon) -> str | None:
    """Where words saying treatment begins with this dose stand: 'clause' (in the dose's own clause before it, so
    they outrank a 'current' or 'history' cue such as 'begin at', 'start … before'), 'near' (within the words just
    before it, or after it in its sentence), or None."""
    pattern = lexicon.patterns.get("relations.start")
    if pattern is None:
        return None
    clause_start = max(previous_end, _sentence_start(text, span.start, ",;.?!\n"))
    if pattern.search(text[clause_start : span.start]):
        return "clause"
    before = text[max(previous_end, span.start - 45) : span.start]
    after = text[span.end : min(_sentence_end(text, span.end), span.end + 40)]
    return "near" if pattern.search(before) or pattern.search(after) else None


def _sentence_start(text: str, pos: int, marks: str = SENTENCE_MARKS) -> int:
    """Where the sentence (or, with commas among `marks`, the clause) holding `pos` starts."""
    return max(text.rfind(ch, 0, pos) for ch in marks) + 1


def _sentence_end(text: str, pos: int) -> int:
    """Where the sentence holding `pos` ends (its closing mark, or the end of the text)."""
    return min([i for i in (text.find(ch, pos) for ch in SENTENCE_MARKS) if i >= 0] or [len(text)])


def plan(
    mentions: list[DoseMention], drug: str, turns: list[str], numbers: list[list[NumberRole]], lexicon: Lexicon
) -> DosePlan:
    """Readings for the doses of `drug`: those of the latest turn that has any, with a current dose from an
    earlier turn when the latest names none."""
    own = [m for m in mentions if m.drug == drug]
    if not own:
        return DosePlan()
    last_turn = max(m.turn for m in own)
    latest = [m for m in own if m.turn == last_turn]
    earlier_current = [m for m in own if m.turn < last_turn and m.relation == "current"]
    if earlier_current and latest[0].relation != "current":
        latest = [earlier_current[-1].model_copy(update={"relation": "current"}), *latest]
    turn_ids = sorted({m.turn for m in latest} | {last_turn - 1} - {-1})
    stated = {i: steps(turns[i], lexicon) for i in turn_ids}  # titration written beside the doses
    linked = {i: chains(turns[i], [m.span for m in mentions if m.turn == i], lexicon) for i in turn_ids}
    skip = [
        [(m.span.start, m.span.end) for m in mentions if m.turn == i]
        + [(x.start, x.end) for x in stated[i]]
        + [(c.start, c.end) for c in linked[i]]
        for i in turn_ids
    ]
    days = interval_days([turns[i] for i in turn_ids], lexicon, skip)
    latest, days, opening = scheduled(latest, last_turn, turns, lexicon, days)
    naive = lexicon.patterns.get("relations.naive")
    not_on_it = (
        naive is not None
        and any(naive.search(t) for t in turns)
        and not any(m.relation in ("current", "history") for m in own)
    )
    if not_on_it:  # a patient not yet on the drug: each dose with no current dose is a first dose
        latest = [m.model_copy(update={"starting": True}) for m in latest]
    readings = _readings(latest, days, turns, lexicon)
    if opening is not None:  # 'week 1 20 mg/d, …': the schedule starts with this dose
        label = f"{opening.span.text} as a first dose (the start of the schedule)"
        readings.readings.insert(0, DoseReading(dose=opening.span.expression, starting=True, label=label))
    for chain in (c for i in turn_ids for c in linked[i]):  # 'weekly steps 10 -> 20 -> 30': each link a change
        pace = chain.interval_days if chain.interval_days is not None else days
        for a, b in zip(chain.doses, chain.doses[1:], strict=False):
            label = f"a change from {a} to {b} in the titration history"
            readings.readings.append(DoseReading(dose=b, previous=a, interval_days=pace, label=label))
    step = [x for i in turn_ids for x in stated[i]]
    return stepped_plan(readings, step[-1], days) if step else readings


def _daily(expression: str) -> ParsedDose | None:
    parsed = parse_dose(expression)
    return parsed if isinstance(parsed, ParsedDose) else None


def _sum(parts: list[DoseMention]) -> str | None:
    """The total daily dose of several expressions, or None when one of them cannot be read."""
    parsed = [_daily(p.span.expression) for p in parts]
    if any(p is None for p in parsed):
        return None
    return f"{sum(p.daily_high_mg for p in parsed if p):g} mg/day"


def _readings(doses: list[DoseMention], days: float | None, turns: list[str], lexicon: Lexicon) -> DosePlan:
    if len(doses) == 1:
        only = doses[0]
        after = turns[only.turn][only.span.end :]
        change = lexicon.patterns.get("relations.change")
        target = p_target.search(after) if (p_target := lexicon.patterns.get("relations.unstated_target")) else None
        if change is not None and target and change.search(after):
            return DosePlan(
                not_understood=[f"a change from {only.span.text} was asked about without the new dose as a number"]
            )
        label = f"{only.span.text} as {'a first dose' if only.starting else 'written'}"
        return DosePlan(readings=[DoseReading(dose=only.span.expression, starting=only.starting, label=label)])
    groups: list[list[DoseMention]] = [[doses[0]]]
    kinds: list[str] = []
    for d in doses[1:]:
        if d.relation == "add":
            groups[-1].append(d)
        else:
            groups.append([d])
            kinds.append(d.relation)
    plan = DosePlan()
    totals = [_sum(g) if len(g) > 1 else g[0].span.expression for g in groups]
    if any(t is None for t in totals):
        plan.not_understood.append("doses that add up could not all be read, so their total is unknown")
        return plan
    for i, total in enumerate(totals):
        group = groups[i]
        if (
            i > 0
            and kinds[i - 1] == "unmarked"
            and not _same_total(totals[i - 1], total)
            and (both := _sum([*groups[i - 1], *group])) is not None
        ):  # the same total twice is a restatement
            plan.readings.append(
                DoseReading(
                    dose=both,
                    starting=all(g.starting for g in [*groups[i - 1], *group]),  # none is current
                    label=f"{' + '.join(g.span.text for g in [*groups[i - 1], *group])} taken together (total {both})",
                )
            )
        label = " + ".join(g.span.text for g in group) + (f" (total {total})" if len(group) > 1 else "")
        if i == 0:
            added = len(group) > 1 and any(_adds(turns[g.turn], g, lexicon) for g in group[1:])
            previous = group[0].span.expression if added else None
            if i == len(totals) - 1 or kinds[0] == "alternative":
                plan.readings.append(
                    DoseReading(
                        dose=str(total),
                        previous=previous,
                        interval_days=days if previous else None,
                        starting=previous is None and any(g.starting for g in group),
                        label=label + (f", added to {group[0].span.text}" if added else ""),
                    )
                )
            continue
        kind = kinds[i - 1]
        if kind == "alternative":
            first_dose = any(g.starting for g in [*groups[0], *group])  # 'start at 10 or 20?': both are starts
            plan.readings.append(DoseReading(dose=str(total), starting=first_dose, label=f"{label} (an alternative)"))
        else:
            prev = totals[i - 1]
            plan.readings.append(
                DoseReading(
                    dose=str(total),
                    previous=str(prev),
                    interval_days=days,
                    label=f"a change from {' + '.join(g.span.text for g in groups[i - 1])} to {label}",
                )
            )
    return plan


def _same_total(first: str | None, second: str | None) -> bool:
    a, b = _daily(first or ""), _daily(second or "")
    return a is not None and b is not None and abs(a.daily_high_mg - b.daily_high_mg) < 1e-9


def _adds(text: str, dose: DoseMention, lexicon: Lexicon) -> bool:
    """An added dose that is new ('wants to add 10 mg'), not part of a standing regimen ('plus 10 mg at night')."""
    pattern = lexicon.patterns.get("relations.add_is_change")
    window = text[max(0, dose.span.start - 45) : dose.span.start]
    return bool(pattern and pattern.search(window))
