"""check_dose: a dose, in context, against the rules data; always a DoseCheck, never an exception.

A short composition of named steps: read the request → find the rules it is checked against (drug, route,
indication, the rule covering the patient) → read the doses → collect the findings → decide the verdict.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from assistant.corpus.routes import route_in
from assistant.dosing.findings import bands as bx
from assistant.dosing.findings import co_medication as cm
from assistant.dosing.findings import common as fx
from assistant.dosing.findings import extended as ex
from assistant.dosing.findings import limits as lx
from assistant.dosing.findings import states as st
from assistant.dosing.findings.common import DoseContext, headline_rank
from assistant.dosing.findings.starting import start_findings
from assistant.dosing.reading.parse import ParsedDose, ParseFailure
from assistant.dosing.reading.volume import in_milligrams
from assistant.dosing.reading.weight import read_dose
from assistant.dosing.request import DoseRequest, read_request
from assistant.dosing.rules.load import refused_reason
from assistant.dosing.rules.schema import DrugRules, General, IndicationRule
from assistant.dosing.select import Target, age_reason, covering, limits_applied, merge_findings, select
from assistant.index.library_rules import library_rules, library_texts
from assistant.settings import Settings
from assistant.types import HARD_STOPS, DoseCheck, Finding, Patient

__all__ = ["HARD_STOPS", "check_dose", "headline_rank"]


def check_dose(request: DoseRequest | Mapping[str, Any], rules: Mapping[str, DrugRules] | None = None) -> DoseCheck:
    """Check a proposed dose against the corpus dose rules and return a DoseCheck.

    Args:
        request: the dose and its context (see DoseRequest); a mapping is validated into one, and a request that
            does not validate is unable_to_check with the field named — never an exception.
        rules: the rules to check against (`Assistant.rules`, the CLI's --rules-dir); without them, the rules
            of `Settings().rules_dir` (ASSISTANT_RULES_DIR), checked against the library they cite.

    Returns:
        DoseCheck with verdict: contraindicated > above_max > exceeds_titration_step > caution >
        within_limits (the most severe finding wins), or unable_to_check with a reason when the
        drug, route, indication, patient or dose cannot be read or has no numeric rule. Every
        limit in the findings cites the corpus. Raises RulesError only if the rules files are broken.
    """
    req = read_request(request)
    if isinstance(req, str):
        return _unable(_raw_base(request), req, Patient())
    base: dict[str, Any] = {"drug": req.drug, "dose": req.dose, "route": req.route, "indication": req.indication}
    rules = library_rules(Settings()) if rules is None else rules
    routed = _route_of_the_dose(req, rules.get(req.drug.strip().lower()), getattr(rules, "corpus_dir", None))
    if isinstance(routed, str):
        return _unable(base, routed, req.patient)
    req = routed
    target = _target(req, rules, base)
    if isinstance(target, DoseCheck):
        return _interaction_stop(target, rules.get(req.drug.strip().lower()), req)
    ctx = _context(req, target.drug_rules)
    parsed = ctx.dose
    if isinstance(parsed, ParsedDose) and parsed.route is not None and parsed.route != target.route:
        return _unable(base, f"the dose expression says {parsed.route} but the route is {target.route}", ctx.patient)
    return _verdict(base, target, ctx, _findings(target, ctx, getattr(rules, "corpus_dir", None)))


def _route_of_the_dose(req: DoseRequest, drug_rules: DrugRules | None, corpus_dir: Path | None) -> DoseRequest | str:
    """A route written inside the dose ('2 mcg IV every 6 hours') is read, matched to the drug's routes and taken
    out of the dose; a route the rules lack, or one that contradicts the route given, is the reason it cannot be
    checked. The route words are the reader data of the rules' library (settings only for rules loaded bare)."""
    if drug_rules is None:
        return req
    named = route_in(req.dose, corpus_dir or Settings().corpus_dir)
    if named is None:
        return req
    general, words, rest = named
    key = drug_rules.route_key(general) or drug_rules.route_key(words)
    if key is None:
        known = ", ".join(drug_rules.routes)
        return f"the dose says '{words}' ({general}), a route these rules do not cover (known: {known})"
    given = drug_rules.route_key(req.route)
    if "route" in req.model_fields_set and given != key:
        return f"the dose says '{words}' ({key}) but the route is {req.route}"
    return req.model_copy(update={"dose": rest, "route": key})


def _raw_base(raw: object) -> dict[str, Any]:
    """What a request that did not validate still names, for the DoseCheck that says why."""
    get = raw.get if isinstance(raw, Mapping) else (lambda _key, default=None: default)
    indication = get("indication")
    return {
        "drug": str(get("drug", "")),
        "dose": str(get("dose", "")),
        "route": str(get("route", "oral")),
        "indication": None if indication is None else str(indication),
    }


def _unable(base: dict[str, Any], reason: str, patient: Patient, found: list[Finding] | None = None) -> DoseCheck:
    return DoseCheck(
        **base,
        verdict="unable_to_check",
        hard_stop=False,
        reason=reason,
        findings=found or [],
        patient=patient.known(),
    )


def _target(req: DoseRequest, rules: Mapping[str, DrugRules], base: dict[str, Any]) -> Target | DoseCheck:
    """The rules the request is checked against, or the DoseCheck that says why there are none. Fills `base`
    with the canonical drug, route and indication names, so callers can look the rules up again."""
    pt = req.patient
    drug_rules = rules.get(req.drug.strip().lower())
    if drug_rules is None:
        refused = refused_reason(rules, req.drug)
        if refused is not None:  # a rules file with a problem is never half-used
            return _unable(base, f"rules for {req.drug.strip().lower()} refused: {refused}", pt)
        return _unable(base, f"no dose rules for drug '{req.drug}' (known: {', '.join(sorted(rules)) or 'none'})", pt)
    base["drug"] = drug_rules.drug
    route = drug_rules.route_key(req.route)
    if route is None:
        return _unable(base, f"unknown route '{req.route}' (known: {', '.join(drug_rules.routes)})", pt)
    base["route"] = route
    route_rule = drug_rules.routes[route]
    if route_rule.no_limits_reason:
        why = route_rule.no_limits_reason
        message = f"{route.capitalize()} {drug_rules.drug}: {why}."
        return _unable(
            base, why, pt, [fx.finding("route_no_limits", "within_limits", message, None, route_rule.source)]
        )
    candidates = select(drug_rules, route, req.indication)
    if isinstance(candidates, str):
        return _unable(base, candidates, pt)
    if req.indication is not None:
        base["indication"] = candidates[0].indication  # canonical, also when the population is not covered
    selected, uncovered, groups = covering(drug_rules, candidates, pt)
    if not selected:
        why = age_reason(drug_rules, candidates, pt) or st.not_covered_reason(drug_rules, groups, candidates)
        return _unable(base, why, pt)
    return Target(drug_rules, route, selected, uncovered, groups, req.indication is None)


def _interaction_stop(unable: DoseCheck, drug_rules: DrugRules | None, req: DoseRequest) -> DoseCheck:
    """A dose that cannot be checked (unknown indication, uncovered population) is still contraindicated when a
    co-medication rule forbids the pair: that holds for every dose and indication."""
    if drug_rules is None or not req.co_medications or unable.verdict != "unable_to_check":
        return unable
    stops = [f for f in ex.interactions(drug_rules, tuple(req.co_medications))[0] if f.verdict == "contraindicated"]
    if not stops:
        return unable
    why = f"The dose itself was not checked: {unable.reason}."
    found = [*stops, fx.finding("dose_not_checked", "unable_to_check", why)]
    return unable.model_copy(update={"verdict": "contraindicated", "hard_stop": True, "findings": found})


def _context(req: DoseRequest, drug_rules: DrugRules) -> DoseContext:
    """The dose and the current dose read (weight-based doses with the patient's weight)."""
    pt = req.patient
    strength = _strength(drug_rules, req.formulation)
    dose, converted = in_milligrams(req.dose, strength)
    previous_text = in_milligrams(req.previous_dose, strength)[0] if req.previous_dose is not None else None
    previous = read_dose(previous_text, pt) if previous_text is not None else None
    return DoseContext(
        drug=drug_rules.drug,
        patient=pt,
        dose=read_dose(dose, pt),
        converted=f"{req.dose} read as {dose} ({converted})" if converted else None,
        previous_text=req.previous_dose,
        previous=previous,
        interval_days=req.interval_days,
        starting=req.starting,
        formulation=req.formulation,
        co_medications=tuple(req.co_medications),
    )


def _strength(drug_rules: DrugRules, formulation: str | None) -> float | None:
    """mg per mL of the drug's liquid: the formulation's, else the only strength the rules give (several: none)."""
    fitting = [c for c in drug_rules.concentrations if not c.formulations or (formulation in c.formulations)]
    strengths = {round(c.mg_per_ml, 9) for c in fitting}
    return strengths.pop() if len(strengths) == 1 else None


def _findings(target: Target, ctx: DoseContext, corpus_dir: Path | None) -> list[Finding]:
    """Every finding: those shared by the indications, then each selected rule's; stops first, then cautions,
    then the limits shown for information (stable within each)."""
    drug_rules, pt = target.drug_rules, ctx.patient
    general = drug_rules.general
    shared = lx.for_dose(general, ctx)
    shared += st.renal_state(general, pt, ctx.drug) + st.crcl_not_egfr(general, target.selected, pt)
    shared += st.population_assumed(drug_rules, pt)
    if ctx.converted:
        shared.append(fx.finding("volume_converted", "within_limits", f"Volume converted: {ctx.converted}."))
    if target.uncovered:
        why = st.not_covered_reason(drug_rules, target.groups, [])
        message = f"Not checked for {', '.join(target.uncovered)}: {why}."
        shared.append(fx.finding("population_not_covered", "caution", message))
    if isinstance(ctx.dose, ParsedDose):
        shared += bx.general_band_findings(general, ctx.dose, pt, ctx.drug, _start(ctx))
        shared += ex.hepatic(general.hepatic_bands, ctx.dose, pt, "every indication")
    if ctx.co_medications:
        shared += _co_medications(drug_rules, ctx, corpus_dir)
    labels = target.labels
    per_rule = {r.indication: _rule_findings(r, labels[r.indication], ctx, general) for r in target.selected}
    found = merge_findings(shared, per_rule, labels)
    return sorted(found, key=lambda f: ("hard", "soft", "info").index(f.severity))


def _start(ctx: DoseContext) -> tuple[bool, bool]:
    """(a first dose, a dose known to continue a current one): which renal bands speak to it."""
    return ctx.starting, ctx.previous_text is not None and not ctx.starting


def _co_medications(drug_rules: DrugRules, ctx: DoseContext, corpus_dir: Path | None) -> list[Finding]:
    """Co-medication rules first; for a drug no rule names, the drug's own guideline text; else an assumption
    (never implied checked)."""
    found, unaddressed = ex.interactions(drug_rules, ctx.co_medications)
    if unaddressed:
        documents = library_texts(Settings(corpus_dir=corpus_dir) if corpus_dir else Settings())
        stated, silent = cm.stated_in_text(drug_rules, unaddressed, documents, corpus_dir)
        found += stated
        if silent:
            message = (
                f"Assumed: no interaction with {', '.join(silent)} (no rule or guideline sentence on it; not checked)."
            )
            found.append(fx.finding("co_medications", "within_limits", message))
    return found


def _rule_findings(rule: IndicationRule, label: str, ctx: DoseContext, general: General) -> list[Finding]:
    """The findings of one indication's rule."""
    dose, pt = ctx.dose, ctx.patient
    if isinstance(dose, ParsedDose):
        out = lx.for_rule(rule, label, ctx, dose)
        if ctx.previous is None:
            out += start_findings(rule, label, dose, ctx.starting, ctx.formulation)
    else:
        out = lx.sodium(rule, label, pt, ctx.drug)
    out += st.state_stops(rule.stop_criteria, label, pt, ctx.drug) + st.unused_facts(general, rule, label, pt)
    if isinstance(dose, ParsedDose):
        out += bx.extra_rule_findings(rule, label, dose, ctx)
        out += ex.for_rule(rule, label, ctx, dose)
    return out


def _verdict(base: dict[str, Any], target: Target, ctx: DoseContext, found: list[Finding]) -> DoseCheck:
    """The most severe finding decides; a dose that could not be read, or a limit that could not be checked,
    is never green (an unreadable dose of a drug contraindicated for the patient is still contraindicated)."""
    common: dict[str, Any] = {**base, "findings": found, "limits_applied": limits_applied(target)}
    common["patient"] = ctx.patient.known()
    parsed = ctx.dose
    if isinstance(parsed, ParseFailure):
        if fx.worst(found) != "contraindicated":
            return DoseCheck(
                **common, verdict="unable_to_check", hard_stop=False, reason=f"dose not read: {parsed.reason}"
            )
        message = f"The dose itself could not be checked: {parsed.reason}."
        found.append(fx.finding("dose_unreadable", "unable_to_check", message))
        return DoseCheck(**common, verdict="contraindicated", hard_stop=True)
    verdict = fx.worst(found)
    grey = [f for f in found if f.verdict == "unable_to_check"]
    if grey and verdict not in HARD_STOPS:
        return DoseCheck(**common, verdict="unable_to_check", hard_stop=False, reason=grey[0].message)
    return DoseCheck(
        **common,
        verdict=verdict,
        hard_stop=verdict in HARD_STOPS,
        single_dose_mg=parsed.single_mg,
        daily_dose_mg=parsed.daily_mg,
        daily_dose_max_mg=parsed.daily_max_mg,
        doses_per_day=parsed.doses_per_day,
    )
