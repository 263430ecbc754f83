"""Titration written around the doses, turned into readings: successive schedule labels are changes the labels'
gap apart ('week 1', 'week 2'), a schedule labelled from its first day opens with a first dose, and a stated step
('by weekly 10 mg steps') is checked as a change of one step at its pace."""

from __future__ import annotations

import re

from assistant.query.lexicon import Lexicon
from assistant.query.readings import DoseMention, DosePlan, DoseReading
from assistant.query.titration import Step, label_days, label_interval, stepped


def scheduled(
    latest: list[DoseMention], turn: int, turns: list[str], lexicon: Lexicon, days: float | None
) -> tuple[list[DoseMention], float | None, DoseMention | None]:
    """Doses labelled with successive times of a schedule ('week 1', 'week 2') are changes, the labels' gap apart; a
    schedule labelled from its first day opens with a first dose (returned). An addition ('plus', 'extra') stays one."""
    here = [m for m in latest if m.turn == turn]
    labels = label_days(turns[turn], [m.span for m in here], lexicon) if len(here) > 1 else []
    gap = label_interval(labels)
    if gap is None:
        return latest, days, None
    added = lexicon.patterns.get("relations.add")
    relabelled = [
        m.model_copy(update={"relation": "change"})
        if m in here[1:] and (m.relation == "unmarked" or (m.relation == "add" and not _adds_more(m, turns, added)))
        else m
        for m in latest
    ]
    first = here[0]
    opening = first if labels[0] and labels[0][0] == 0 and first.relation not in ("current", "history") else None
    return relabelled, gap if days is None else min(days, gap), opening


def _adds_more(dose: DoseMention, turns: list[str], added: re.Pattern[str] | None) -> bool:
    """Words before the dose that add it to another ('plus', 'extra'), beyond a bare 'and' between list items."""
    window = re.sub(r"\band\b", " ", turns[dose.turn][max(0, dose.span.start - 45) : dose.span.start], flags=re.I)
    return bool(added and added.search(window))


def stepped_plan(plan: DosePlan, step: Step, days: float | None) -> DosePlan:
    """Each reading with the stated titration step checked: a change of one step, at the stated pace."""
    out = DosePlan(not_understood=list(plan.not_understood))
    for r in plan.readings:
        applies = bool(r.previous) or len(plan.readings) == 1
        pairs = stepped(r.dose, r.previous, r.starting, step) if applies else []
        if not r.previous or not pairs:
            out.readings.append(r)  # the dose itself, as written or as a first dose
        if applies and not pairs:
            out.not_understood.append(f"the titration step '{step.text}' could not be checked against the doses")
        paces = [d for d in (step.interval_days, r.interval_days if r.previous else days) if d is not None]
        for dose, previous in pairs:
            label = f"{previous} to {dose} in one step of '{step.text}'"
            out.readings.append(
                DoseReading(dose=dose, previous=previous, interval_days=min(paces, default=None), label=label)
            )
    return out
