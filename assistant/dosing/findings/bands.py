"""Findings for the limits of bands.py: renal bands, weight-based doses, formulations, single dose, interval.

Safety: a limit that depends on a fact the conversation did not give (CrCl, weight, formulation) is never
passed silently: if the dose would break that limit for some value of the fact, the verdict is at least caution
(or unable_to_check when no other limit applies), and the message says which fact is missing.
"""

from __future__ import annotations

from assistant.dosing.findings.common import DoseContext, finding
from assistant.dosing.findings.renal import doses_per_day, renal_band_findings
from assistant.dosing.reading.parse import ParsedDose
from assistant.dosing.rules.bands import Formulation, fmt_number
from assistant.dosing.rules.schema import General, IndicationRule
from assistant.types import Finding, Patient, Verdict


def _formulation(rule: IndicationRule, formulation: str | None) -> tuple[str, Formulation] | None:
    if formulation is None:
        return None
    return next(((k, f) for k, f in rule.formulations.items() if f.matches(k, formulation)), None)


def _form_daily_max(f: Formulation) -> float | None:
    if f.max_daily_mg is not None:
        return f.max_daily_mg
    n = doses_per_day(f.frequency)
    return f.max_single_mg * n if f.max_single_mg is not None and n else None


def _form_text(f: Formulation) -> str:
    parts = []
    if f.max_single_mg is not None:
        parts.append(f"{fmt_number(f.max_single_mg)} mg {f.frequency or 'per dose'}")
    if f.max_daily_mg is not None:
        parts.append(f"{fmt_number(f.max_daily_mg)} mg/day")
    return f"{' and '.join(parts)} ({f.label})"


def _form_breach(f: Formulation, dose: ParsedDose) -> str | None:
    single = dose.single_max_mg if dose.single_max_mg is not None else dose.single_mg
    daily = _form_daily_max(f)
    if daily is not None and dose.daily_high_mg > daily:
        return f"{fmt_number(dose.daily_high_mg)} mg/day"
    if f.max_single_mg is not None and single is not None and single > f.max_single_mg:
        return f"{fmt_number(single)} mg per dose"
    n = doses_per_day(f.frequency)
    if n and dose.doses_per_day is not None and dose.doses_per_day > n:
        return f"{fmt_number(dose.doses_per_day)} doses/day"
    return None


def formulation_findings(rule: IndicationRule, dose: ParsedDose, formulation: str | None, label: str) -> list[Finding]:
    """The named formulation's maxima; without one, a dose that some formulation does not allow is a caution."""
    if not rule.formulations:
        return []
    chosen = _formulation(rule, formulation)
    if formulation is not None and chosen is None:
        known = ", ".join(rule.formulations)
        return [
            finding("formulation_unknown", "unable_to_check", f"Unknown formulation '{formulation}' (known: {known}).")
        ]
    forms = [chosen] if chosen else list(rule.formulations.items())
    breaches = {key: _form_breach(f, dose) for key, f in forms}
    out: list[Finding] = []
    for key, f in forms:
        text, what = _form_text(f), breaches[key]
        if what and chosen:
            out.append(
                finding(
                    "formulation_max",
                    "above_max",
                    f"{what} is above the maximum for {f.label} ({label}).",
                    text,
                    f.source,
                )
            )
        elif what:
            verdict: Verdict = "above_max" if all(breaches.values()) else "caution"
            out.append(
                finding(
                    "formulation_max",
                    verdict,
                    f"Formulation not given: {what} is above the maximum for "
                    f"{f.label}; say which formulation ({label}).",
                    text,
                    f.source,
                )
            )
        else:
            out.append(
                finding("formulation_max", "within_limits", f"Maximum for {f.label} ({label}): {text}.", text, f.source)
            )
    return out


def single_and_interval_findings(rule: IndicationRule, dose: ParsedDose, label: str) -> list[Finding]:
    """Maximum single dose and shortest interval between doses."""
    return _single_findings(rule, dose, label) + _interval_findings(rule, dose, label)


def _single_findings(rule: IndicationRule, dose: ParsedDose, label: str) -> list[Finding]:
    out: list[Finding] = []
    mx = rule.max_single_dose_mg
    single = dose.single_max_mg if dose.single_max_mg is not None else dose.single_mg
    if mx is not None:
        if single is None:
            out.append(
                finding(
                    "max_single",
                    "within_limits",
                    f"Single dose not stated; the maximum single dose for {label} is {mx.text()}.",
                    mx.text(),
                    mx.source,
                )
            )
        elif single > mx.value:
            out.append(
                finding(
                    "max_single",
                    "above_max",
                    f"{fmt_number(single)} mg per dose is above the maximum single dose of {mx.text()} for {label}.",
                    mx.text(),
                    mx.source,
                )
            )
        else:
            out.append(
                finding(
                    "max_single",
                    "within_limits",
                    f"Maximum single dose for {label}: {mx.text()}.",
                    mx.text(),
                    mx.source,
                )
            )
    return out


def _interval_findings(rule: IndicationRule, dose: ParsedDose, label: str) -> list[Finding]:
    out: list[Finding] = []
    gap = rule.min_interval
    if gap is not None:
        words = gap.stated_as or f"{fmt_number(gap.hours)} hours"
        limit = f"at least {fmt_number(gap.hours)} hours between doses"
        if dose.doses_per_day is None:
            out.append(
                finding(
                    "min_interval",
                    "within_limits",
                    f"Frequency not stated; doses for {label} no closer than {words}.",
                    limit,
                    gap.source,
                )
            )
        elif 24 / dose.doses_per_day < gap.hours:
            out.append(
                finding(
                    "min_interval",
                    "above_max",
                    f"{fmt_number(dose.doses_per_day)} doses/day is more often than {words} for {label}.",
                    limit,
                    gap.source,
                )
            )
        else:
            out.append(
                finding(
                    "min_interval", "within_limits", f"Doses for {label} no closer than {words}.", limit, gap.source
                )
            )
    return out


def per_kg_findings(rule: IndicationRule, dose: ParsedDose, patient: Patient, label: str) -> list[Finding]:
    """mg/kg limits against the dose divided by the patient's weight; no weight → caution (or grey when alone)."""
    pk = rule.per_kg
    if pk is None:
        return []
    kind, high = ("per dose", pk.per_dose_high) if pk.per_dose_high is not None else ("per day", pk.per_day_high)
    low = pk.per_dose_low if kind == "per dose" else pk.per_day_low
    span = f"{fmt_number(low)}–{fmt_number(high)}" if low is not None else f"up to {fmt_number(high)}"
    limit = f"{span} mg/kg {kind}" + (f" {pk.frequency}" if pk.frequency and kind == "per dose" else "")
    if patient.weight is None:
        alone = rule.max_daily_mg is None and rule.max_single_dose_mg is None and not rule.formulations
        verdict: Verdict = "unable_to_check" if alone else "caution"
        return [
            finding(
                "per_kg",
                verdict,
                f"Weight not given: the {label} dose is {limit}; give weight=KG to check it.",
                limit,
                pk.source,
            )
        ]
    amount = (dose.single_max_mg or dose.single_mg) if kind == "per dose" else dose.daily_high_mg
    if amount is None:
        return [
            finding(
                "per_kg",
                "caution",
                f"Single dose not stated, so the {limit} limit for {label} was not checked.",
                limit,
                pk.source,
            )
        ]
    per_kg = amount / patient.weight
    stated = (
        f"{fmt_number(round(per_kg, 2))} mg/kg {kind} ({fmt_number(amount)} mg for {fmt_number(patient.weight)} kg)"
    )
    if high is None:  # the model requires one of the two highs; kept for the type checker
        return []
    if per_kg > high + 1e-9:
        return [finding("per_kg", "above_max", f"{stated} is above {limit} for {label}.", limit, pk.source)]
    out = [finding("per_kg", "within_limits", f"{stated} is within {limit} for {label}.", limit, pk.source)]
    n = doses_per_day(pk.frequency) if kind == "per dose" else None
    if n and dose.doses_per_day is not None and dose.doses_per_day > n:
        out.append(
            finding(
                "per_kg_frequency",
                "above_max",
                f"{fmt_number(dose.doses_per_day)} doses/day is more often than {pk.frequency} for {label}.",
                limit,
                pk.source,
            )
        )
    return out


def extra_rule_findings(rule: IndicationRule, label: str, dose: ParsedDose, ctx: DoseContext) -> list[Finding]:
    """Every finding of the bands.py limits of one rule; a renal band for starting (or continuing) only speaks to
    such a dose (unknown: both, the stricter wins)."""
    start = (ctx.starting, ctx.previous_text is not None and not ctx.starting)
    patient, drug = ctx.patient, ctx.drug
    return (
        single_and_interval_findings(rule, dose, label)
        + formulation_findings(rule, dose, ctx.formulation, label)
        + per_kg_findings(rule, dose, patient, label)
        + renal_band_findings([b for b in rule.renal_bands if b.applies(*start)], dose, patient, drug, label)
    )


def general_band_findings(
    general: General, dose: ParsedDose, patient: Patient, drug: str, start: tuple[bool, bool] = (False, False)
) -> list[Finding]:
    bands = [b for b in general.renal_bands if b.applies(*start)]
    return renal_band_findings(bands, dose, patient, drug, "every indication")
