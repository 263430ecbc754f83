"""check_dose: a dose, in context, against the rules data; always a DoseCheck, never an exception."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from assistant.dosing.findings import bands as bx
from assistant.dosing.findings import limits as fx
from assistant.dosing.findings import states as st
from assistant.dosing.findings.limits import headline_rank
from assistant.dosing.rules.load import load_rules
from assistant.dosing.reading.parse import ParsedDose, ParseFailure
from assistant.dosing.rules.schema import DrugRules, IndicationRule
from assistant.dosing.findings.starting import start_findings
from assistant.dosing.reading.weight import read_dose
from assistant.errors import one_line
from assistant.settings import Settings
from assistant.types import HARD_STOPS, DoseCheck, Finding, Patient

__all__ = ["HARD_STOPS", "check_dose", "headline_rank"]


def check_dose(
    drug: str,
    dose: str,
    indication: str | None = None,
    route: str = "oral",
    patient: Patient | dict | None = None,
    previous_dose: str | None = None,
    interval_days: float | None = None,
    *,
    starting: bool = False,
    formulation: str | None = None,
    rules: Mapping[str, DrugRules] | None = None,
) -> DoseCheck:
    """Check a proposed dose against the corpus dose rules and return a DoseCheck.

    Args:
        drug: drug name, case-insensitive: the name of a rules file in corpus/rules.
        dose: dose expression, e.g. "10 mg/day", "5 mg three times daily", "40-80 mg daily", or a weight-based
            "15 mg/kg every 12 hours" (needs the patient's weight).
        indication: an indication of the rules file (or one of its aliases); None checks every
            indication and a dose that exceeds any of them is at least `caution`.
        route: a route of the rules file (or one of its aliases).
        patient: stated facts (see Patient). A child, pregnancy or breastfeeding that no rule covers is
            unable_to_check; a stated fact that no limit of the indication uses is at least `caution`.
        previous_dose: the current dose expression, to check the titration step.
        interval_days: days since the last dose change (with previous_dose).
        starting: the dose is a first dose (no previous_dose): above the guideline's start it skips titration.
        formulation: a formulation key or spelling from the rule (e.g. immediate vs extended release).
        rules: the rules to check against (`Assistant.rules`, the CLI's --rules-dir); without them, the rules
            of `Settings().rules_dir` (ASSISTANT_RULES_DIR), the one place that setting is read.

    Returns:
        DoseCheck with verdict: contraindicated > above_max > exceeds_titration_step > caution >
        within_limits (the most severe finding wins), or unable_to_check with a reason when the
        drug, route, indication, patient or dose cannot be read or has no numeric rule. Every
        limit in the findings cites the corpus. Raises RulesError only if the rules files are broken.
    """
    base: dict[str, Any] = {
        "drug": str(drug),
        "dose": str(dose),
        "route": str(route),
        "indication": None if indication is None else str(indication),
    }

    def unable(reason: str, found: list[Finding] | None = None, pt: Patient | None = None) -> DoseCheck:
        return DoseCheck(
            **base,
            verdict="unable_to_check",
            hard_stop=False,
            reason=reason,
            findings=found or [],
            patient=pt.known() if pt else {},
        )

    pt = _patient(patient)
    if isinstance(pt, str):
        return unable(pt)
    table = load_rules(Settings().rules_dir) if rules is None else rules
    drug_rules = table.get(str(drug).strip().lower()) if isinstance(drug, str) else None
    if drug_rules is None:
        return unable(f"no dose rules for drug '{drug}' (known: {', '.join(sorted(table)) or 'none'})", pt=pt)
    base["drug"] = drug_rules.drug  # canonical name, so callers can look the rules up again
    route_key = drug_rules.route_key(str(route))
    if route_key is None:
        return unable(f"unknown route '{route}' (known: {', '.join(drug_rules.routes)})", pt=pt)
    base["route"] = route_key
    route_rule = drug_rules.routes[route_key]
    if route_rule.no_limits_reason:
        info = [
            fx.finding(
                "route_no_limits",
                "within_limits",
                f"{route_key.capitalize()} {drug_rules.drug}: {route_rule.no_limits_reason}.",
                None,
                route_rule.source,
            )
        ]
        return unable(route_rule.no_limits_reason, info, pt)
    candidates = _select(drug_rules, route_key, indication)
    if isinstance(candidates, str):
        return unable(candidates, pt=pt)
    if indication is not None:
        base["indication"] = candidates[0].indication  # canonical, also when the population is not covered
    groups = st.patient_groups(drug_rules.populations, pt)
    selected, uncovered = _covering(drug_rules, candidates, groups)
    if not selected:
        return unable(st.not_covered_reason(drug_rules, groups, candidates), pt=pt)
    interval = _interval(interval_days)
    if isinstance(interval, str):
        return unable(interval, pt=pt)

    parsed = read_dose(dose if isinstance(dose, str) else str(dose), pt)
    previous = read_dose(previous_dose, pt) if previous_dose is not None else None
    labels = {r.indication: drug_rules.indications[r.indication].label for r in selected}
    name, general = drug_rules.drug, drug_rules.general
    shared = fx.for_dose(general, parsed, pt, previous_dose, previous, interval, name)
    shared += st.renal_state(general, pt, name) + st.crcl_not_egfr(general, selected, pt)
    shared += st.population_assumed(drug_rules, pt)
    if uncovered:
        shared.append(
            fx.finding(
                "population_not_covered",
                "caution",
                f"Not checked for {', '.join(uncovered)}: {st.not_covered_reason(drug_rules, groups, [])}.",
            )
        )
    if isinstance(parsed, ParsedDose) and parsed.route is not None and parsed.route != route_key:
        return unable(f"the dose expression says {parsed.route} but the route is {route_key}", pt=pt)
    prev_ok = previous if isinstance(previous, ParsedDose) else None
    if isinstance(parsed, ParsedDose):
        shared += bx.general_band_findings(drug_rules.general, parsed, pt, drug_rules.drug)
    per_rule: dict[str, list[Finding]] = {}
    for r in selected:
        label = labels[r.indication]
        per_rule[r.indication] = (
            (
                fx.for_rule(r, label, parsed, pt, prev_ok, interval, name)
                + ([] if previous is not None else start_findings(r, label, parsed, starting))
                if isinstance(parsed, ParsedDose)
                else fx.sodium(r, label, pt, name)
            )
            + st.state_stops(r.stop_criteria, label, pt, name)
            + st.unused_facts(general, r, label, pt)
        )
        if isinstance(parsed, ParsedDose):
            per_rule[r.indication] += bx.extra_rule_findings(r, label, parsed, pt, name, formulation)
    # Stops first, then cautions, then the limits shown for information; stable within each.
    found = sorted(_merge(shared, per_rule, labels), key=lambda f: ("hard", "soft", "info").index(f.severity))
    applied = _limits_applied(drug_rules, route_key, selected, indication is None)

    if isinstance(parsed, ParseFailure):
        reason = f"dose not read: {parsed.reason}"
        if fx.worst(found) != "contraindicated":
            return DoseCheck(
                **base,
                verdict="unable_to_check",
                hard_stop=False,
                reason=reason,
                findings=found,
                limits_applied=applied,
                patient=pt.known(),
            )
        # The drug itself is contraindicated for this patient, whatever the dose: say so.
        found.append(
            fx.finding("dose_unreadable", "unable_to_check", f"The dose itself could not be checked: {parsed.reason}.")
        )
        return DoseCheck(
            **base,
            verdict="contraindicated",
            hard_stop=True,
            findings=found,
            limits_applied=applied,
            patient=pt.known(),
        )

    verdict = fx.worst(found)
    grey = [f for f in found if f.verdict == "unable_to_check"]
    if grey and verdict not in HARD_STOPS:  # a limit that could not be checked never lets a dose through as green
        return DoseCheck(
            **base,
            verdict="unable_to_check",
            hard_stop=False,
            reason=grey[0].message,
            findings=found,
            limits_applied=applied,
            patient=pt.known(),
        )
    return DoseCheck(
        **base,
        verdict=verdict,
        hard_stop=verdict in HARD_STOPS,
        findings=found,
        limits_applied=applied,
        single_dose_mg=parsed.single_mg,
        daily_dose_mg=parsed.daily_mg,
        daily_dose_max_mg=parsed.daily_max_mg,
        doses_per_day=parsed.doses_per_day,
        patient=pt.known(),
    )


def _patient(patient: Patient | dict | None) -> Patient | str:
    """A validated Patient, or a one-line reason it is not usable."""
    if patient is None:
        return Patient()
    try:
        pt = patient if isinstance(patient, Patient) else Patient.model_validate(patient)
    except ValidationError as exc:
        return f"patient {one_line(exc)}"
    for key in ("egfr", "age", "sodium"):
        value = getattr(pt, key)
        if value is not None and (not math.isfinite(value) or value < 0):
            return f"patient {key}: must be a finite number ≥ 0, got {value}"
    return pt


def _interval(interval_days: object) -> float | None | str:
    if interval_days is None:
        return None
    try:
        value = float(interval_days)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"interval_days must be a number, got {interval_days!r}"
    if isinstance(interval_days, bool) or not math.isfinite(value) or value < 0:
        return f"interval_days must be a finite number ≥ 0, got {interval_days!r}"
    return value


def _select(drug_rules: DrugRules, route: str, indication: str | None) -> list[IndicationRule] | str:
    """The rules (every population) for the indication, or every rule on the route when no indication is given."""
    if indication is None:
        found = drug_rules.rules_for_route(route)
        return found or f"no rules for {route} {drug_rules.drug}"
    key = drug_rules.indication_key(str(indication))
    if key is None:
        return f"unknown indication '{indication}' (known: {', '.join(drug_rules.indications)})"
    found = [r for r in drug_rules.rules_for_route(route) if r.indication == key]
    return found or f"no rule for {route} {drug_rules.drug} in {key}"


def _covering(
    drug_rules: DrugRules, candidates: list[IndicationRule], groups: frozenset[str]
) -> tuple[list[IndicationRule], list[str]]:
    """Per indication, the rule that covers the patient's populations; and the labels of indications with none."""
    chosen: list[IndicationRule] = []
    missing: list[str] = []
    for key in dict.fromkeys(r.indication for r in candidates):
        rule = drug_rules.rule_for(candidates[0].route, key, groups)
        if rule is None:
            missing.append(drug_rules.indications[key].label)
        else:
            chosen.append(rule)
    return chosen, missing


def _merge(shared: list[Finding], per_rule: dict[str, list[Finding]], labels: dict[str, str]) -> list[Finding]:
    """Combine findings; with several indications a stop that not all share becomes a caution."""
    if len(per_rule) == 1:
        return shared + next(iter(per_rule.values()))
    verdicts = {k: fx.worst(shared + fs) for k, fs in per_rule.items()}
    floor = min(verdicts.values(), key=fx.RANK.__getitem__)
    out = list(shared)
    for key, fs in per_rule.items():
        for f in fs:
            if fx.RANK[f.verdict] > max(fx.RANK[floor], fx.RANK["caution"]):
                # Not every indication stops here: without the indication this is a caution, not a stop.
                f = f.model_copy(
                    update={
                        "verdict": "caution",
                        "severity": "soft",
                        "message": f"If the indication is {labels[key]}: {f.message}",
                    }
                )
            out.append(f)
    listing = ", ".join(f"{labels[k]} → {v}" for k, v in verdicts.items())
    if len(set(verdicts.values())) > 1:
        out.append(
            fx.finding(
                "indication_needed",
                "caution",
                f"No indication given and the limits differ by indication ({listing}); "
                "give the indication to check against the right limits.",
            )
        )
    else:
        out.append(
            fx.finding(
                "indication_needed",
                "within_limits",
                f"No indication given: checked against every indication's limits ({listing}); the strictest apply.",
            )
        )
    return out


def _limits_applied(drug_rules: DrugRules, route: str, selected: list[IndicationRule], all_indications: bool) -> str:
    names = ", ".join(r.indication for r in selected)
    if all_indications:
        return (
            f"{route} {drug_rules.drug}, no indication given: every indication checked ({names}); the strictest applies"
        )
    return f"{route} {drug_rules.drug} for {names}"
