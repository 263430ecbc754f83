"""Which rules of a drug a request is checked against: the route, the indication (or every indication), and per
indication the rule that covers the patient's populations; and how findings of several indications combine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from assistant.dosing.findings import common as fx
from assistant.dosing.findings import states as st
from assistant.dosing.rules.schema import DrugRules, IndicationRule
from assistant.types import Finding, Patient, Verdict


@dataclass(frozen=True)
class Target:
    """The rules a request is checked against."""

    drug_rules: DrugRules
    route: str  # the rules' route key
    selected: list[IndicationRule]  # one covering rule per indication checked
    uncovered: list[str]  # labels of indications with no rule for the patient's populations
    groups: frozenset[str]  # the patient's populations
    every_indication: bool  # no indication was given

    @property
    def labels(self) -> dict[str, str]:
        return {r.indication: self.drug_rules.indications[r.indication].label for r in self.selected}


def select(drug_rules: DrugRules, route: str, indication: str | None) -> list[IndicationRule] | str:
    """The rules (every population) for the indication, or every rule on the route when no indication is given."""
    if indication is None:
        found = drug_rules.rules_for_route(route)
        return found or f"no rules for {route} {drug_rules.drug}"
    key = drug_rules.indication_key(str(indication))
    if key is None:
        return f"unknown indication '{indication}' (known: {', '.join(drug_rules.indications)})"
    found = [r for r in drug_rules.rules_for_route(route) if r.indication == key]
    return found or f"no rule for {route} {drug_rules.drug} in {key}"


def covering(
    drug_rules: DrugRules, candidates: list[IndicationRule], patient: Patient
) -> tuple[list[IndicationRule], list[str], frozenset[str]]:
    """Per indication, the rule that covers the patient's populations; the labels of indications with none; and
    the patient's populations."""
    groups = st.patient_groups(drug_rules.populations, patient)
    chosen: list[IndicationRule] = []
    missing: list[str] = []
    for key in dict.fromkeys(r.indication for r in candidates):
        rule = drug_rules.rule_for(candidates[0].route, key, groups, patient.age)
        if rule is None:
            missing.append(drug_rules.indications[key].label)
        else:
            chosen.append(rule)
    return chosen, missing, groups


def merge_findings(shared: list[Finding], per_rule: dict[str, list[Finding]], labels: dict[str, str]) -> list[Finding]:
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
    out.append(_indication_note(verdicts, labels))
    return out


def _indication_note(verdicts: Mapping[str, Verdict], labels: dict[str, str]) -> Finding:
    listing = ", ".join(f"{labels[k]} → {v}" for k, v in verdicts.items())
    if len(set(verdicts.values())) > 1:
        return fx.finding(
            "indication_needed",
            "caution",
            f"No indication given and the limits differ by indication ({listing}); "
            "give the indication to check against the right limits.",
        )
    return fx.finding(
        "indication_needed",
        "within_limits",
        f"No indication given: checked against every indication's limits ({listing}); the strictest apply.",
    )


def limits_applied(target: Target) -> str:
    names = ", ".join(r.indication for r in target.selected)
    drug, route = target.drug_rules.drug, target.route
    if target.every_indication:
        return f"{route} {drug}, no indication given: every indication checked ({names}); the strictest applies"
    return f"{route} {drug} for {names}"


def age_reason(drug_rules: DrugRules, candidates: list[IndicationRule], patient: Patient) -> str | None:
    """Plain words for a patient no rule fits because the rules are bounded by age, or None."""
    bounded = [r for r in candidates if r.min_age is not None or r.max_age is not None]
    if not bounded:
        return None
    spans = ", ".join(_span(r) for r in bounded)
    if patient.age is None:
        return f"the age is not given and the limits differ by age ({spans})"
    return f"no rule for age {patient.age:g} (rules for ages {spans})"


def _span(rule: IndicationRule) -> str:
    low, high = rule.ages()
    if high is None:
        return f"{low:g} years and older"
    return f"{low or 0:g}–{high:g} years"
