"""check_readings: one question read several ways (alternative numbers, candidate indications, a range of a
patient value); every reading is checked and the strictest verdict is the headline."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from assistant.dosing.findings import limits as fx
from assistant.dosing.check import HARD_STOPS, check_dose
from assistant.dosing.rules.schema import DrugRules
from assistant.types import DoseCheck, Finding

READING_KEYS = frozenset(inspect.signature(check_dose).parameters) - {"drug", "rules"}
LABEL_KEY = "label"


def _label(reading: Mapping[str, Any], common: Mapping[str, Any]) -> str:
    """The reading's own label, else its differences from the common arguments, e.g. 'indication <key>'."""
    if reading.get(LABEL_KEY):
        return str(reading[LABEL_KEY])
    parts = [f"{k} {v}" for k, v in reading.items() if k != LABEL_KEY and common.get(k) != v]
    return ", ".join(parts) or "as given"


def check_readings(
    drug: str, readings: list[dict[str, Any]], *, rules: Mapping[str, DrugRules] | None = None, **common: Any
) -> DoseCheck:
    """Check every reading of a question and return the strictest verdict, naming which reading gives which.

    Args:
        drug: as for check_dose.
        readings: one dict per reading, each holding the check_dose arguments that differ between readings
            (dose, indication, route, patient, previous_dose, interval_days) and an optional 'label' naming the
            reading in plain words ("a total of 30 mg/day", "eGFR 25"); unlabelled readings are named by their
            arguments.
        rules: rules to use instead of load_rules() (for tests).
        **common: check_dose arguments shared by every reading (a reading's own value wins).

    Returns:
        The DoseCheck of the strictest reading, with one 'reading' finding per reading (its verdict and label),
        a 'reading_judged' finding naming the reading shown, and the other readings' non-info findings
        prefixed with their label. Headline order (findings.headline_rank): contraindicated > above_max >
        exceeds_titration_step > unable_to_check > caution > within_limits, so a reading that could not be
        checked is never hidden behind a green or a cautioned one. No readings → unable_to_check.
    """
    base: dict[str, Any] = {
        "drug": str(drug),
        "dose": str(common.get("dose", "")),
        "indication": common.get("indication"),
        "route": str(common.get("route", "oral")),
    }
    unknown = sorted(
        {k for r in readings for k in r if k not in READING_KEYS | {LABEL_KEY}} | (set(common) - READING_KEYS)
    )
    if unknown or not readings:
        reason = f"unknown reading argument(s): {', '.join(unknown)}" if unknown else "no reading of the dose to check"
        return DoseCheck(**base, verdict="unable_to_check", hard_stop=False, reason=reason)

    checked: list[tuple[str, DoseCheck]] = []
    for reading in readings:
        args = {**common, **{k: v for k, v in reading.items() if k != LABEL_KEY}}
        checked.append((_label(reading, common), check_dose(drug, rules=rules, **args)))
    if len(checked) == 1:
        return checked[0][1]

    label, top = max(checked, key=lambda item: fx.headline_rank(item[1].verdict))  # first of the strictest
    notes = [_reading_finding(lab, chk) for lab, chk in checked]
    others = [
        f.model_copy(update={"message": f"If {lab}: {f.message}"})
        for lab, chk in checked
        if chk is not top
        for f in chk.findings
        if f.severity != "info"
    ]
    judged = fx.finding(
        "reading_judged",
        "within_limits",
        f"The verdict shown is for the strictest of {len(checked)} readings: {label} ({top.verdict}).",
    )
    findings = [judged, *notes, *top.findings, *others]
    why = f"{label}: {top.reason}" if top.verdict == "unable_to_check" else None
    return top.model_copy(update={"findings": findings, "reason": why, "hard_stop": top.verdict in HARD_STOPS})


def _reading_finding(label: str, check: DoseCheck) -> Finding:
    why = f" ({check.reason})" if check.reason else ""
    return fx.finding("reading", check.verdict, f"Reading '{label}': {check.verdict}{why}.")
