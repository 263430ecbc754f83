"""Findings of the rule values in rules/extended.py and the newer IndicationRule fields: a cap on doses per day,
a usual range with no maximum, a stepped ladder, a per-dose titration step, hepatic bands, statements the format
cannot hold (each at most a caution), and co-medication rules."""

from __future__ import annotations

from assistant.dosing.findings.co_medication import aliases
from assistant.dosing.findings.common import DoseContext, finding
from assistant.dosing.reading.parse import ParsedDose
from assistant.dosing.rules.extended import HepaticBand, Ladder
from assistant.dosing.rules.schema import DrugRules, IndicationRule, fmt
from assistant.types import Finding, Patient, Verdict


def for_rule(rule: IndicationRule, label: str, ctx: DoseContext, dose: ParsedDose) -> list[Finding]:
    """Every finding of the newer fields of one rule."""
    out = _cap(rule, label, dose) + _range(rule, label, dose) + _single_caution(rule, label, dose)
    out += _weekly(rule, label, dose)
    if rule.ladder is not None:
        out += _ladder(rule.ladder, label, ctx, dose)
    out += _per_dose_step(rule, label, ctx, dose)
    out += hepatic(rule.hepatic_bands, dose, ctx.patient, label) + _schedules(rule, label, dose)
    for s in rule.unchecked:
        message = f"Not checked ({label}): {s.text} — the rules cannot hold this limit, so the dose is a caution."
        out.append(finding("not_checkable", "caution", message, None, s.source))
    return out


def _cap(rule: IndicationRule, label: str, dose: ParsedDose) -> list[Finding]:
    cap = rule.max_doses_per_day
    if cap is None:
        return []
    if dose.doses_per_day is None:
        message = f"Doses per day not stated; at most {fmt(cap.value)} in 24 hours ({label})."
        return [finding("max_doses_per_day", "caution", message, f"{fmt(cap.value)} doses/24 h", cap.source)]
    if dose.doses_per_day > cap.value:
        message = (
            f"{fmt(dose.doses_per_day)} doses a day is more than the {fmt(cap.value)} allowed in 24 hours ({label})."
        )
        return [finding("max_doses_per_day", "above_max", message, f"{fmt(cap.value)} doses/24 h", cap.source)]
    message = f"At most {fmt(cap.value)} doses in 24 hours ({label})."
    return [finding("max_doses_per_day", "within_limits", message, f"{fmt(cap.value)} doses/24 h", cap.source)]


def _range(rule: IndicationRule, label: str, dose: ParsedDose) -> list[Finding]:
    usual = rule.range_daily_mg
    if usual is None:
        return []
    low, high = dose.daily_mg, dose.daily_high_mg
    if low < usual.low * (1 - 1e-6) or high > usual.high * (1 + 1e-6):  # a volume read in mg is not exact
        message = (
            f"{fmt(low)}{'' if high == low else '–' + fmt(high)} mg/day is outside the usual {usual.text()} "
            f"({label}); the guideline states no hard maximum, so this is a caution, not a stop."
        )
        return [finding("usual_range", "caution", message, usual.text(), usual.source)]
    message = f"Within the usual {usual.text()} ({label}); titrated to effect."
    return [finding("usual_range", "within_limits", message, usual.text(), usual.source)]


def _ladder(ladder: Ladder, label: str, ctx: DoseContext, dose: ParsedDose) -> list[Finding]:
    levels = " → ".join(fmt(s) for s in ladder.steps_daily_mg) + " mg/day"
    limit = f"{levels}, at least {fmt(ladder.days)} days each"
    new = ladder.level(dose.daily_mg)
    if new is None:
        message = f"{fmt(dose.daily_mg)} mg/day is not a level of the ladder {levels} ({label})."
        return [finding("ladder_level", "caution", message, limit, ladder.source)]
    previous = ctx.previous_read
    if previous is None:
        if ctx.starting and new > 0:
            message = (
                f"A first dose starts at the ladder's first level, {fmt(ladder.steps_daily_mg[0])} mg/day ({label})."
            )
            return [finding("ladder_start", "exceeds_titration_step", message, limit, ladder.source)]
        return [finding("ladder", "within_limits", f"A level of the ladder {levels} ({label}).", limit, ladder.source)]
    old = ladder.level(previous.daily_mg)
    if old is None:
        message = f"The current {fmt(previous.daily_mg)} mg/day is not a level of the ladder {levels} ({label})."
        return [finding("ladder_level", "caution", message, limit, ladder.source)]
    if new > old + 1:
        skipped = ", ".join(fmt(s) for s in ladder.steps_daily_mg[old + 1 : new])
        message = f"From {fmt(previous.daily_mg)} to {fmt(dose.daily_mg)} mg/day skips {skipped} mg/day ({label})."
        return [finding("ladder_skip", "exceeds_titration_step", message, limit, ladder.source)]
    if new == old + 1:
        if ctx.interval_days is None:
            message = f"Time on {fmt(previous.daily_mg)} mg/day not given; at least {fmt(ladder.days)} days ({label})."
            return [finding("ladder_interval", "caution", message, limit, ladder.source)]
        if ctx.interval_days < ladder.days:
            message = (
                f"{fmt(ctx.interval_days)} days on {fmt(previous.daily_mg)} mg/day is less than the "
                f"{fmt(ladder.days)} days each level needs ({label})."
            )
            return [finding("ladder_interval", "exceeds_titration_step", message, limit, ladder.source)]
    return [finding("ladder", "within_limits", f"One level up the ladder {levels} ({label}).", limit, ladder.source)]


def _per_dose_step(rule: IndicationRule, label: str, ctx: DoseContext, dose: ParsedDose) -> list[Finding]:
    step, previous = rule.per_dose_step, ctx.previous_read
    if step is None or previous is None or previous.single_mg is None or dose.single_mg is None:
        return []
    rise = (dose.single_max_mg or dose.single_mg) - previous.single_mg
    limit = f"+{fmt(step.step_single_mg)} mg per dose (this change: +{fmt(rise)} mg)"  # the rise is a checker output
    if rise > step.step_single_mg + 1e-9:
        message = f"Each dose rises by {fmt(rise)} mg, more than {fmt(step.step_single_mg)} mg per dose ({label})."
        return [finding("per_dose_step", "exceeds_titration_step", message, limit, step.source)]
    return [
        finding("per_dose_step", "within_limits", f"Per-dose increase within {limit} ({label}).", limit, step.source)
    ]


def hepatic(bands: list[HepaticBand], dose: ParsedDose, patient: Patient, label: str) -> list[Finding]:
    """The Child-Pugh class decides; liver disease stated without its class is grey (the limits differ by class)."""
    if not bands:
        return []
    grade = patient.child_pugh
    described = "; ".join(_band_text(b) for b in bands)
    if grade is None and patient.cirrhosis is False:  # no liver disease stated: the bands do not apply
        return [finding("hepatic_bands", "within_limits", f"No liver disease stated: {described} not applied.")]
    if grade is None:
        if patient.cirrhosis:
            message = f"Liver disease stated but not its Child-Pugh class; the limits differ by class ({described})."
            return [finding("hepatic_class_needed", "unable_to_check", message, None, bands[0].source)]
        objecting = [b for b in bands if _objects(b, dose)]
        verdict: Verdict = "caution" if objecting else "within_limits"  # as an unknown renal function: never green
        message = f"Child-Pugh class not given; with hepatic impairment: {described} ({label})."
        return [finding("hepatic_bands", verdict, message, None, (objecting or bands)[0].source)]
    out = []
    for band in (b for b in bands if grade in b.child_pugh):
        where = f"{band.describe()} ({label})"
        if band.avoid:
            out.append(
                finding("hepatic_avoid", "contraindicated", f"Not to be used in {where}.", band.describe(), band.source)
            )
        if band.max_daily_mg is not None:
            over: Verdict = "above_max" if dose.daily_high_mg > band.max_daily_mg + 1e-9 else "within_limits"
            message = f"{fmt(dose.daily_high_mg)} mg/day; at most {fmt(band.max_daily_mg)} mg/day in {where}."
            out.append(finding("hepatic_max", over, message, f"{fmt(band.max_daily_mg)} mg/day", band.source))
        if band.caution:
            out.append(
                finding("hepatic_caution", "caution", f"{band.caution} ({where}).", band.describe(), band.source)
            )
    return out


def _objects(band: HepaticBand, dose: ParsedDose) -> bool:
    """Would the band object to this dose if the patient were in it?"""
    too_much = band.max_daily_mg is not None and dose.daily_high_mg > band.max_daily_mg + 1e-9
    return band.avoid or bool(band.caution) or too_much


def _band_text(band: HepaticBand) -> str:
    parts = ["avoid" if band.avoid else "", f"at most {fmt(band.max_daily_mg)} mg/day" if band.max_daily_mg else ""]
    parts.append(band.caution or "")
    return f"{band.describe()}: " + ", ".join(p for p in parts if p)


def interactions(drug_rules: DrugRules, co_medications: tuple[str, ...]) -> tuple[list[Finding], list[str]]:
    """Findings of the co-medication rules that name a drug the patient takes; and the drugs no rule names."""
    out: list[Finding] = []
    unaddressed: list[str] = []
    for name in co_medications:
        names = aliases(name)
        matched = [i for i in drug_rules.interactions if i.names() & names]
        for rule in matched:
            message = f"Taken with {name}: {rule.text}."
            out.append(finding("interaction", rule.verdict, message, f"with {name}", rule.source))
        if not matched:
            unaddressed.append(name)
    return out, unaddressed


def _schedules(rule: IndicationRule, label: str, dose: ParsedDose) -> list[Finding]:
    """With alternative schedules listed, the dose must be one of them (either is acceptable)."""
    if not rule.schedules:
        return []
    for s in rule.schedules:
        per_day = dose.doses_per_day
        if dose.single_mg is not None and abs(dose.single_mg - s.single_mg) < 1e-9 and per_day is not None:
            if abs(per_day - 1 / s.every_days) < 1e-6:
                return [finding("schedule", "within_limits", f"{s.stated_as} ({label}).", s.stated_as, s.source)]
    listed = " or ".join(s.stated_as for s in rule.schedules)
    message = f"Not one of the schedules the guideline gives ({listed}; {label})."
    return [finding("schedule", "caution", message, listed, rule.schedules[0].source)]


def _single_caution(rule: IndicationRule, label: str, dose: ParsedDose) -> list[Finding]:
    """A single dose above what the guideline has studied or advises (not a hard maximum) is a caution."""
    limit = rule.caution_single_above_mg
    single = dose.single_max_mg or dose.single_mg
    if limit is None or single is None or single <= limit.value + 1e-9:
        return []
    message = f"A single dose of {fmt(single)} mg is above {fmt(limit.value)} mg ({label}): see the quoted text."
    return [finding("single_dose_caution", "caution", message, f"{fmt(limit.value)} mg per dose", limit.source)]


def _weekly(rule: IndicationRule, label: str, dose: ParsedDose) -> list[Finding]:
    limit = rule.max_weekly_mg
    if limit is None:
        return []
    if dose.weekly_mg is None:
        message = f"The weekly amount cannot be read (a single dose and how often are needed); at most {limit.text()}."
        return [finding("max_weekly", "unable_to_check", message, limit.text(), limit.source)]
    verdict: Verdict = "above_max" if dose.weekly_mg > limit.value + 1e-9 else "within_limits"
    message = f"{fmt(dose.weekly_mg)} mg per week; at most {limit.text()} ({label})."
    stated = f"{limit.text()} (this dose: {fmt(dose.weekly_mg)} mg per week)"  # the weekly sum is a checker output
    return [finding("max_weekly", verdict, message, stated, limit.source)]
