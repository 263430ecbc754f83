"""Findings for one rule: each function reads the rule data and returns cited Findings.

Numbers in messages come only from the rule (which cites the corpus) or from the dose and
patient as given.
"""

from __future__ import annotations

from assistant.dosing.findings.common import DoseContext, finding, statements
from assistant.dosing.findings.renal import renal
from assistant.dosing.findings.titration import titration
from assistant.dosing.reading.parse import ParsedDose, ParseFailure
from assistant.dosing.rules.schema import General, IndicationRule, Limit, fmt
from assistant.types import Finding, Patient


def older_adults(general: General, dose: ParsedDose, patient: Patient) -> list[Finding]:
    """Caution above a daily dose from an (assumed) age."""
    o = general.older_adults
    if o is None or dose.daily_high_mg <= o.caution_above_daily_mg.value:
        return []
    age, cap = o.min_age, o.caution_above_daily_mg
    assumed = " (an assumed, configurable age)" if age.assumption else ""
    if patient.age is None and patient.age_group == "older_adult":
        return [
            finding(
                "older_adults",
                "caution",
                f"Older adult stated (age not given): {fmt(dose.daily_high_mg)} "
                f'mg/day is above {cap.text()}: "{cap.source.quote}".',
                _older_limit(age, cap),
                cap.source,
            )
        ]
    if patient.age is None:
        return [
            finding(
                "older_adults",
                "within_limits",
                f"Age not given: from age {fmt(age.value)}{assumed}, more than "
                f'{cap.text()} calls for caution: "{cap.source.quote}".',
                _older_limit(age, cap),
                cap.source,
            )
        ]
    if patient.age < age.value:
        return []
    return [
        finding(
            "older_adults",
            "caution",
            f"Age {fmt(patient.age)} ≥ {fmt(age.value)}{assumed}: {fmt(dose.daily_high_mg)} mg/day "
            f'is above {cap.text()}: "{cap.source.quote}".',
            _older_limit(age, cap),
            cap.source,
        )
    ]


def sodium(rule: IndicationRule, label: str, patient: Patient, drug: str) -> list[Finding]:
    """The serum-sodium stop criterion, with the verdict the rule gives it."""
    stop = rule.sodium_stop
    if stop is None:
        return []
    lim = stop.below
    note = f" Note: {stop.note}." if stop.note else ""
    if patient.sodium is not None and patient.sodium < lim.value:
        return [
            finding(
                "sodium_stop",
                stop.verdict,
                f"Serum sodium {fmt(patient.sodium)} mmol/L is below {lim.text()}: "
                f"a stop criterion for {drug} ({label}).{note}",
                f"sodium < {lim.text()}",
                lim.source,
            )
        ]
    if stop.verdict != "contraindicated":
        return []
    known = f"Serum sodium {fmt(patient.sodium)} mmol/L" if patient.sodium is not None else "Serum sodium not given"
    return [
        finding(
            "sodium_stop",
            "within_limits",
            f"{known}; stop {drug} ({label}) if it falls below {lim.text()}.",
            f"sodium < {lim.text()}",
            lim.source,
        )
    ]


def for_rule(rule: IndicationRule, label: str, ctx: DoseContext, dose: ParsedDose) -> list[Finding]:
    """Every finding of one indication's rule for a readable dose."""
    patient, previous = ctx.patient, ctx.previous_read
    out = sodium(rule, label, patient, ctx.drug)
    hi, mx = dose.daily_high_mg, rule.max_daily_mg
    what = f"{fmt(hi)} mg/day" + (" (upper end of the range)" if dose.daily_max_mg is not None else "")
    if mx is not None and hi > mx.value:
        out.append(
            finding(
                "max_daily",
                "above_max",
                f"{what} is above the maximum of {mx.text()} for {label}.",
                mx.text(),
                mx.source,
            )
        )
    elif mx is not None:
        out.append(finding("max_daily", "within_limits", f"Maximum for {label}: {mx.text()}.", mx.text(), mx.source))
    out += _frequency(rule, label, dose)
    if previous is not None:  # with none, dosing/findings/starting.py compares the dose with the guideline's start
        out += titration(rule, label, dose, previous, ctx.interval_days)
    out += [
        finding("usual_range", "within_limits", f"Usual range for {label}: {u.text()}.", u.text(), u.source)
        for u in rule.usual_daily_mg
    ]
    out += statements("stop_criterion", rule.stop_criteria, f"Stop criterion ({label}): ")
    out += statements("monitoring", rule.monitoring, f"Monitoring ({label}): ")
    extra = (
        f" (stated for {rule.population}; this patient is recorded as not having cirrhosis)"
        if rule.population and patient.cirrhosis is False
        else ""
    )
    out += statements("population", rule.notes, f"Note ({label}){extra}: ")
    return out


def _frequency(rule: IndicationRule, label: str, dose: ParsedDose) -> list[Finding]:
    band = rule.doses_per_day
    if band is None:
        return []
    n = dose.doses_per_day
    if n is None:
        return [
            finding(
                "doses_per_day",
                "within_limits",
                f"Frequency not stated: for {label} give {band.text()} (divided doses).",
                band.text(),
                band.source,
            )
        ]
    if band.low <= n <= band.high:
        return [
            finding(
                "doses_per_day",
                "within_limits",
                f"{fmt(n)} doses/day is within {band.text()} for {label}.",
                band.text(),
                band.source,
            )
        ]
    return [
        finding(
            "doses_per_day",
            "caution",
            f"{fmt(n)} doses/day is outside {band.text()} for {label} (give in divided doses).",
            band.text(),
            band.source,
        )
    ]


def for_dose(general: General, ctx: DoseContext) -> list[Finding]:
    """Findings shared by every indication: renal, age, previous dose, abrupt stopping."""
    dose, patient, previous = ctx.dose, ctx.patient, ctx.previous
    out = renal(general, patient, ctx.drug)
    stopping = isinstance(dose, ParseFailure) and dose.code in ("stop", "zero")
    if isinstance(dose, ParsedDose):
        out += older_adults(general, dose, patient)
        if dose.single_mg is None:
            out.append(
                finding(
                    "single_dose",
                    "within_limits",
                    "Single dose not stated (daily total only); the corpus gives no maximum single dose.",
                )
            )
    if ctx.previous_text is None:
        if ctx.interval_days is not None:
            out.append(
                finding(
                    "interval_ignored",
                    "within_limits",
                    "Days since the last change were given without a previous dose, so they were not used.",
                )
            )
    elif isinstance(previous, ParseFailure):
        out.append(
            finding(
                "previous_dose_unreadable",
                "caution",
                f"Previous dose could not be read ({previous.reason}), so titration was not checked.",
            )
        )
    elif isinstance(dose, ParsedDose) and previous is not None and dose.daily_high_mg < previous.daily_high_mg:
        stopping = True
    if stopping:
        out += statements("abrupt_discontinuation", general.abrupt_discontinuation, "Dose decrease or stop: ")
    return out


def _older_limit(age: Limit, cap: Limit) -> str:
    assumed = " (assumed)" if age.assumption else ""
    return f"{cap.text()} from age {fmt(age.value)}{assumed}"
