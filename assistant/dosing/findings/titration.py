"""The titration step: an increase from the current dose, against the rule's step size and interval."""

from __future__ import annotations

from assistant.dosing.findings.common import finding
from assistant.dosing.reading.parse import ParsedDose
from assistant.dosing.rules.schema import IndicationRule, fmt
from assistant.types import Finding


def titration(
    rule: IndicationRule, label: str, dose: ParsedDose, previous: ParsedDose, interval_days: float | None
) -> list[Finding]:
    # Conservative for ranges: the increase is from the lowest previous to the highest proposed dose.
    increase = dose.daily_high_mg - previous.daily_mg
    if increase <= 0:
        return []
    t = rule.titration
    if t is None and (rule.per_dose_step is not None or rule.ladder is not None):
        return []  # the per-dose step or the ladder checks the increase (findings/extended.py)
    if t is None:
        return _no_step(rule, label, dose, previous)
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


def _no_step(rule: IndicationRule, label: str, dose: ParsedDose, previous: ParsedDose) -> list[Finding]:
    """No numeric step: the increase cannot be shown to be allowed, so never green."""
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
