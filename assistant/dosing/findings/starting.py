"""Starting doses. A first dose is compared with the starting doses the guideline states; a dose with no current
dose and no word saying it is a first dose is taken as reached by titration, and the check says so."""

from __future__ import annotations

from assistant.dosing.findings.common import finding
from assistant.dosing.reading.parse import ParsedDose
from assistant.dosing.rules.schema import IndicationRule, fmt
from assistant.types import Finding, RuleSource


def _stated_starts(rule: IndicationRule) -> list[tuple[float, str, str, RuleSource]]:
    """(highest daily mg, kind, words, source) of each start the rule states: a daily start, an initial regimen."""
    out: list[tuple[float, str, str, RuleSource]] = []
    if (daily := rule.start_daily_mg) is not None:
        out.append((daily.high, "Starting dose", daily.text(), daily.source))
    if (regimen := rule.start_regimen) is not None:
        out.append((regimen.single_mg * regimen.doses_per_day, "Initial regimen", regimen.text(), regimen.source))
    return out


def _formulation_start(rule: IndicationRule, formulation: str | None) -> tuple[float, str, str, RuleSource] | None:
    """The named formulation's own start, when the rule gives one (it replaces the rule's starts)."""
    if formulation is None:
        return None
    wanted = formulation.strip().lower()
    for key, f in rule.formulations.items():
        start = f.start_daily_mg
        if start is not None and wanted in {key, key.replace("_", " "), *(a.lower() for a in f.aliases)}:
            return start.value, f"Starting dose ({f.label})", start.text(), start.source
    return None


def start_findings(
    rule: IndicationRule, label: str, dose: ParsedDose, starting: bool, formulation: str | None = None
) -> list[Finding]:
    """Findings about where the dose stands against the guideline's start (no current dose was stated).

    Any start the guideline states is acceptable, so a first dose is compared with the highest of them (the
    text may give both a daily range and a per-dose regimen); above it, the first dose skips
    titration steps the guideline takes. A named formulation with its own start is compared with that start."""
    own = _formulation_start(rule, formulation)
    starts = [own] if own is not None else _stated_starts(rule)
    info = [
        finding("start_dose", "within_limits", f"{kind} for {label}: {text}.", text, src)
        for _, kind, text, src in starts
    ]
    what = f"{fmt(dose.daily_high_mg)} mg/day"
    if not starts:
        if not starting:
            return []
        return [
            finding(
                "start_dose",
                "caution",
                f"{what} was asked about as a first dose, but the guideline gives no starting dose for {label}, "
                "so it could not be compared with one.",
            )
        ]
    top, _, top_text, source = max(starts, key=lambda s: s[0])
    if dose.daily_high_mg <= top + 1e-9:
        return info
    words = " or ".join(text for _, _, text, _ in starts)
    if starting:
        return [
            finding(
                "start_dose",
                "exceeds_titration_step",
                f"Starting at {what} is above the starting dose for {label} ({words}); the guideline starts there "
                "and increases step by step.",
                top_text,
                source,
            )
        ]
    return [
        *info,
        finding(
            "start_assumed",
            "within_limits",
            f"Not stated whether {what} is a first dose: it was taken as a dose reached by titration (a first dose "
            f"for {label} is {words}).",
        ),
    ]
