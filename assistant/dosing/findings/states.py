"""Patient states against the rules data: populations covered, named renal states, CrCl, stop states,
and the closed world (a stated fact that no rule of the indication uses is never silently ignored)."""

from __future__ import annotations

from collections.abc import Iterator

from assistant.dosing.findings.common import finding
from assistant.dosing.rules.bands import band_fields
from assistant.dosing.rules.populations import DEFAULT_ADULT_MIN_AGE, DEFAULT_LABELS, Populations
from assistant.dosing.rules.schema import DrugRules, General, IndicationRule, Statement, fmt
from assistant.types import Finding, Patient, facts_noted_when_unused, patient_bounds

# Patient fields the population gate reads: they are used by every rule.
POPULATION_FIELDS = frozenset({"age", "age_group", "pregnant", "breastfeeding"})
# A field is used by a rule when a rules key contains its name (or one of these parts): data-driven, so new
# limits such as CrCl bands or mg/kg maxima count as soon as they are in the rules.
FIELD_KEY_PARTS: dict[str, tuple[str, ...]] = {"weight": ("weight", "kg")}


def patient_groups(populations: Populations | None, patient: Patient) -> frozenset[str]:
    """The populations the patient belongs to: 'adult' or 'paediatric', plus 'pregnancy' / 'breastfeeding'."""
    child = patient.age_group == "child"
    if patient.age is not None and patient.age < adult_min_age(populations):
        child = True  # the stricter of a stated age and a stated age group
    groups = {"paediatric" if child else "adult"}
    if patient.pregnant:
        groups.add("pregnancy")
    if patient.breastfeeding:
        groups.add("breastfeeding")
    return frozenset(groups)


def adult_min_age(populations: Populations | None) -> float:
    """The age from which the rules' limits apply: the file's own, else the default (rules cover adults only)."""
    return populations.adult_min_age if populations is not None else DEFAULT_ADULT_MIN_AGE


def not_covered_reason(drug_rules: DrugRules, groups: frozenset[str], candidates: list[IndicationRule]) -> str:
    """Plain words for a patient no candidate rule covers, naming the populations no rule covers."""
    covered = {g for r in candidates for g in r.covers}
    missing = sorted(g for g in groups if g not in covered) or sorted(groups - {"adult"}) or sorted(groups)
    pops = drug_rules.populations
    names = [pops.label(g) if pops else DEFAULT_LABELS.get(g, f"for the population '{g}'") for g in missing]
    return f"the guidelines in the library do not cover dosing {' or '.join(names)}, so no dose is given or checked"


def population_assumed(drug_rules: DrugRules, patient: Patient) -> list[Finding]:
    """What the check assumed about the population because nothing was said (shown with a green verdict too)."""
    pops = drug_rules.populations
    assumed: list[str] = []
    if patient.age is None and patient.age_group is None:
        cut = f"age {fmt(adult_min_age(pops))} years or more"
        if pops is None:
            cut += " — the default cut-off: these rules name no populations, so they cover adults only"
        elif pops.assumption:
            cut += " — an assumed cut-off"
        assumed.append(f"an adult ({cut})")
    if patient.pregnant is None:
        assumed.append("not pregnant")
    if patient.breastfeeding is None:
        assumed.append("not breastfeeding")
    if not assumed:
        return []
    return [finding("population_assumed", "within_limits", f"Not stated, so assumed: {', '.join(assumed)}.")]


def fact_text(patient: Patient, field: str) -> str:
    """A stated patient fact in words, e.g. 'acute kidney injury now', 'weight 70 kg', 'renal impairment moderate'."""
    value = getattr(patient, field)
    if isinstance(value, bool):
        description = Patient.model_fields[field].description or field
        return description.rstrip(".").lower()
    unit = patient_bounds().get(field, (0, 0, ""))[2]
    shown = fmt(value) if isinstance(value, float | int) else str(value)
    return " ".join(x for x in (field.replace("_", " "), shown, unit) if x)


def _keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _states(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("patient_state"), str):
            yield value["patient_state"]
        for item in value.values():
            yield from _states(item)
    elif isinstance(value, list):
        for item in value:
            yield from _states(item)


def used_fields(general: General, rule: IndicationRule) -> frozenset[str]:
    """Patient fields the general modifiers and this rule read, found in the rules data itself."""
    data = {"general": general.model_dump(exclude_none=True), "rule": rule.model_dump(exclude_none=True)}
    keys = " ".join(_keys(data)).lower()
    used = {f for f in Patient.model_fields if any(part in keys for part in FIELD_KEY_PARTS.get(f, (f,)))}
    return frozenset(used | set(_states(data)) | POPULATION_FIELDS | band_fields(general, rule))


def stated_fields(patient: Patient) -> list[str]:
    """Fields stated with a value that can change a check (a stated 'no' cannot: it is not reported)."""
    return [k for k, v in patient.known().items() if v is not False]


def unused_facts(general: General, rule: IndicationRule, label: str, patient: Patient) -> list[Finding]:
    """A caution for every stated fact no limit of this indication uses (CrCl is reported by crcl_not_egfr)."""
    used = used_fields(general, rule) | {"crcl"}
    noted = facts_noted_when_unused()
    return [
        finding(
            "unused_patient_fact",
            "within_limits" if f in noted else "caution",
            f"Stated: {fact_text(patient, f)}. No rule for {label} uses it, so what it means for this dose "
            "could not be checked.",
        )
        for f in stated_fields(patient)
        if f not in used
    ]


def crcl_not_egfr(general: General, rules: list[IndicationRule], patient: Patient) -> list[Finding]:
    """CrCl (mL/min) is a different measure from eGFR: never used in place of it."""
    if patient.crcl is None or any("crcl" in used_fields(general, r) for r in rules):
        return []
    renal = general.renal
    uses = "these rules state their renal limits by eGFR" if renal else "these rules state no CrCl limit"
    cited = f" (eGFR < {renal.avoid_egfr_below.text()})" if renal else ""
    checked = (
        "the eGFR limits were checked with the eGFR given"
        if patient.egfr is not None
        else f"the renal limit{cited} could not be checked"
    )
    return [
        finding(
            "crcl_not_egfr",
            "caution",
            f"Creatinine clearance {fmt(patient.crcl)} mL/min was stated but not used: {uses}, and CrCl is not "
            f"eGFR, so {checked}.",
            None,
            renal.avoid_egfr_below.source if renal else None,
        )
    ]


def renal_state(general: General, patient: Patient, drug: str) -> list[Finding]:
    """A named renal impairment mapped to the rules' own bands (never to an invented eGFR)."""
    state, bands, renal = patient.renal_impairment, general.renal_impairment, general.renal
    if state is None or renal is None:
        return []
    words = f"Renal impairment stated as {state.replace('_', ' ')}"
    if bands is not None and state in bands.avoid:
        avoid = renal.avoid_egfr_below
        return [
            finding(
                "renal_avoid",
                "contraindicated",
                f"{words}: the rules put it under their avoid band (eGFR < {avoid.text()}): avoid {drug}.",
                f"eGFR < {avoid.text()}",
                avoid.source,
            )
        ]
    if bands is not None and state in bands.reduce:
        band = renal.reduce_egfr
        return [
            finding(
                "renal_reduce",
                "caution",
                f"{words}: the rules put it under their dose-reduction band (eGFR {band.text()}). "
                "The rule gives no reduced dose, so the dose was checked against the usual limits only.",
                f"eGFR {band.text()}",
                band.source,
            )
        ]
    return [
        finding(
            "renal_state_unmapped",
            "caution",
            f"{words}: the rules do not say which of their eGFR bands that is, "
            "so the renal limits could not be checked from it.",
        )
    ]


def state_stops(statements: list[Statement], label: str, patient: Patient, drug: str) -> list[Finding]:
    """Stop criteria linked to a patient state that is stated true: the drug is stopped."""
    return [
        finding(
            "stop_criterion",
            "contraindicated",
            f"Stated: {fact_text(patient, s.patient_state)}. This is a stop criterion for {drug} ({label}): {s.text}.",
            None,
            s.source,
        )
        for s in statements
        if s.patient_state and getattr(patient, s.patient_state) is True
    ]
