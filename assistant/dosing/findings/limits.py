"""Findings for one rule: each function reads the rule data and returns cited Findings.

Numbers in messages come only from the rule (which cites the corpus) or from the dose and
patient as given.
"""

from __future__ import annotations

from assistant.dosing.reading.parse import ParsedDose, ParseFailure
from assistant.dosing.rules.schema import General, IndicationRule, Limit, Statement, fmt
from assistant.types import Finding, Patient, RuleSource, Severity, Verdict, verdict_rank

RANK: dict[Verdict, int] = {
    "unable_to_check": -1,
    "within_limits": 0,
    "caution": 1,
    "exceeds_titration_step": 2,
    "above_max": 3,
    "contraindicated": 4,
}
_SEVERITY: dict[str, Severity] = {
    "contraindicated": "hard",
    "above_max": "hard",
    "exceeds_titration_step": "soft",
    "caution": "soft",
    "unable_to_check": "soft",
}


def finding(
    code: str, verdict: Verdict, message: str, limit: str | None = None, source: RuleSource | None = None
) -> Finding:
    """A Finding whose severity follows from its verdict (hard stop, soft stop or info)."""
    return Finding(
        code=code,
        severity=_SEVERITY.get(verdict, "info"),
        verdict=verdict,
        message=message,
        limit=limit,
        citation=source,
    )


def worst(findings: list[Finding]) -> Verdict:
    """The most severe verdict among the findings (within_limits when there are none)."""
    return max((f.verdict for f in findings), key=RANK.__getitem__, default="within_limits")


def headline_rank(verdict: Verdict) -> int:
    """Rank of a verdict when several readings are checked: the highest is the headline."""
    return verdict_rank(verdict)  # the one verdict order, beside Verdict in assistant.types


def statements(code: str, items: list[Statement], prefix: str) -> list[Finding]:
    return [finding(code, "within_limits", f"{prefix}{s.text}.", None, s.source) for s in items]


def renal(general: General, patient: Patient, drug: str) -> list[Finding]:
    """Avoid at low eGFR or on dialysis (hard stop); reduce in the middle band (caution)."""
    r = general.renal
    if r is None:
        return []
    avoid, band = r.avoid_egfr_below, r.reduce_egfr
    if patient.dialysis:
        return [
            finding(
                "renal_avoid",
                "contraindicated",
                f"On renal replacement therapy: {r.avoid_dialysis.text}.",
                "renal replacement therapy",
                r.avoid_dialysis.source,
            )
        ]
    if patient.egfr is not None and patient.egfr < avoid.value:
        return [
            finding(
                "renal_avoid",
                "contraindicated",
                f"eGFR {fmt(patient.egfr)} is below {avoid.text()}: avoid {drug} (risk of neurotoxicity).",
                f"eGFR < {avoid.text()}",
                avoid.source,
            )
        ]
    if patient.egfr is not None and band.low <= patient.egfr <= band.high:
        return [
            finding(
                "renal_reduce",
                "caution",
                f"eGFR {fmt(patient.egfr)} is within {band.text()}: dose reduction is recommended. "
                "The corpus gives no reduced dose, so the dose was checked against the usual limits only.",
                f"eGFR {band.text()}",
                band.source,
            )
        ]
    known = "not given, so not checked" if patient.egfr is None else f"{fmt(patient.egfr)}, so this does not apply"
    return [
        finding(
            "renal_avoid",
            "within_limits",
            f"Avoid below eGFR {avoid.text()} or on renal replacement therapy (eGFR {known}).",
            f"eGFR < {avoid.text()}",
            avoid.source,
        ),
        finding(
            "renal_reduce",
            "within_limits",
            f"Reduce the dose at eGFR {band.text()} (eGFR {known}).",
            f"eGFR {band.text()}",
            band.source,
        ),
    ]


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
                f"mg/day is above {cap.text()}; older adults rarely tolerate higher doses.",
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
                f"{cap.text()} calls for caution, as older adults rarely tolerate higher doses.",
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
            f"is above {cap.text()}; older adults rarely tolerate higher doses.",
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


def for_rule(
    rule: IndicationRule,
    label: str,
    dose: ParsedDose,
    patient: Patient,
    previous: ParsedDose | None,
    interval_days: float | None,
    drug: str,
) -> list[Finding]:
    """Every finding of one indication's rule for a readable dose."""
    out = sodium(rule, label, patient, drug)
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
        out += _titration(rule, label, dose, previous, interval_days)
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


def _titration(
    rule: IndicationRule, label: str, dose: ParsedDose, previous: ParsedDose, interval_days: float | None
) -> list[Finding]:
    # Conservative for ranges: the increase is from the lowest previous to the highest proposed dose.
    increase = dose.daily_high_mg - previous.daily_mg
    if increase <= 0:
        return []
    t = rule.titration
    if t is None:
        # No numeric step: the increase cannot be shown to be allowed, so never green.
        change = (
            f"The increase from {fmt(previous.daily_mg)} to {fmt(dose.daily_high_mg)} mg/day "
            "could not be checked against a step"
        )
        note = rule.titration_note
        if note is None:
            return [finding("titration", "caution", f"{change}: the rules give no titration limits for {label}.")]
        return [
            finding(
                "titration",
                "caution",
                f'{change}: for {label} the guideline gives no step size or interval, only "{note.source.quote}".',
                None,
                note.source,
            )
        ]
    step, gap = t.step_daily_mg, t.min_interval_days
    rule_text = f"increase by at most {step.text()}, no faster than {gap.stated_as or gap.text()} ({gap.text()})"
    limit = f"{step.text()} per {gap.text()}"  # every number the messages state, so it is a checker output
    out: list[Finding] = []
    if increase > step.value:
        out.append(
            finding(
                "titration_step",
                "exceeds_titration_step",
                f"The increase from {fmt(previous.daily_mg)} to {fmt(dose.daily_high_mg)} mg/day "
                f"is larger than the {step.text()} step for {label}.",
                limit,
                step.source,
            )
        )
    if interval_days is None:
        out.append(
            finding(
                "titration_interval",
                "caution",
                f"Days since the last change not given; for {label}: {rule_text}.",
                limit,
                gap.source,
            )
        )
    elif interval_days < gap.value:
        out.append(
            finding(
                "titration_interval",
                "exceeds_titration_step",
                f"An increase after {fmt(interval_days)} days is faster than "
                f"{gap.stated_as or gap.text()} ({gap.text()}) for {label}.",
                limit,
                gap.source,
            )
        )
    if not out:
        out.append(
            finding(
                "titration_step",
                "within_limits",
                f"The increase is within the titration limits for {label}: {rule_text}.",
                limit,
                step.source,
            )
        )
    return out


def for_dose(
    general: General,
    dose: ParsedDose | ParseFailure,
    patient: Patient,
    previous_text: str | None,
    previous: ParsedDose | ParseFailure | None,
    interval_days: float | None,
    drug: str,
) -> list[Finding]:
    """Findings shared by every indication: renal, age, previous dose, abrupt stopping."""
    out = renal(general, patient, drug)
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
    if previous_text is None:
        if interval_days is not None:
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
