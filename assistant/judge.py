"""The dose verdict for a understood question: every reading of the doses × every stated patient scenario is
checked, the strictest verdict wins, and the closed-world rule applies — green only when everything the user
wrote that bears on the check was understood; otherwise at best `unable_to_check`, with the reason."""

from __future__ import annotations

from collections.abc import Mapping

from assistant.dosing.check import check_dose
from assistant.dosing.findings.common import finding, headline_rank
from assistant.dosing.findings.states import not_covered_reason, patient_groups, used_fields
from assistant.dosing.rules.schema import DrugRules
from assistant.dosing.scenarios import range_values
from assistant.query.understand import Query
from assistant.types import DoseCheck, Patient

RENAL_FIELDS = ("egfr", "crcl", "dialysis", "renal_impairment", "aki")


def strictest(checks: list[DoseCheck]) -> DoseCheck:
    """The headline check: any stop beats a caution, and a reading that could not be checked beats a green one."""
    return max(checks, key=lambda c: headline_rank(c.verdict))


def range_points(drug_rules: DrugRules | None, field: str, low: float, high: float) -> list[float]:
    """The values a stated range is checked at: both ends, every band edge of the drug's rules inside it and the
    middle of each segment between them (the same enumeration the rules' bands need), else both ends."""
    if drug_rules is None:
        return list(dict.fromkeys((low, high)))
    try:
        return [value for value, _label in range_values(drug_rules, field, low, high)]
    except ValueError:  # not a numeric field with bounds: its two ends
        return list(dict.fromkeys((low, high)))


def scenarios(
    query: Query, explicit: Patient | None, drug_rules: DrugRules | None = None
) -> tuple[list[Patient], list[str]]:
    """Patients to check: the text's facts (a stated range at every band edge of the drug's rules it spans) and,
    where an explicit field disagrees with the text, both values. Returns the conflicts in words."""
    text_patient = query.patient
    base = [text_patient]
    for key, (low, high) in query.patient_ranges.items():  # every stated range, in every combination
        base = [p.model_copy(update={key: v}) for p in base for v in range_points(drug_rules, key, low, high)]
    if explicit is None:
        return base, []
    given = explicit.known()
    conflicts = [
        f"{k}: the question says {text_patient.known()[k]}, the patient record says {v}"
        for k, v in given.items()
        if k in text_patient.known() and text_patient.known()[k] != v
    ]
    conflicts += [
        f"{k}: the question gives a range, the patient record says {v}"
        for k, v in given.items()
        if k in query.patient_ranges
    ]
    merged = [Patient.model_validate({**p.known(), **given}) for p in base]
    return (base + merged if conflicts else merged), conflicts


def standard_assumptions(patient: Patient, query: Query) -> list[str]:
    """Facts never mentioned do not block green; the verdict says what it assumed instead."""
    out = list(query.assumptions)
    known = patient.known()
    if "age" not in known and "age_group" not in known:
        out.append("an adult (no age given)")
    if not any(k in known for k in RENAL_FIELDS):
        out.append("no kidney impairment (none stated)")
    if not query.indications:
        out.append("no indication named: every indication's limits were checked")
    if query.route is None:
        out.append("oral route (no route named)")
    out.append("interactions with other medicines are not checked")
    return out


def judge(
    query: Query,
    rules: Mapping[str, DrugRules],
    explicit: Patient | None = None,
    indication: str | None = None,
    route: str | None = None,
) -> DoseCheck | None:
    """The verdict on the doses of the question, or None when it proposes none."""
    if query.drug is None:
        if query.other_doses and query.not_covered:
            return check_dose({"drug": query.not_covered[0], "dose": query.other_doses[0].split(" (")[0]}, rules=rules)
        return None
    if not query.readings:
        if not query.not_understood or not any("change" in n or "dose" in n for n in query.not_understood):
            return None
        return DoseCheck(
            drug=query.drug,
            dose="(not stated)",
            indication=query.indication,
            route=query.route or "oral",
            verdict="unable_to_check",
            hard_stop=False,
            reason="; ".join(query.not_understood),
        )
    patients, conflicts = scenarios(query, explicit, rules.get(query.drug.lower()))
    chosen = indication or (query.indication if len(query.indications) == 1 else None)
    checks: list[tuple[str, DoseCheck]] = []
    for reading in query.readings:
        for patient in patients:
            request = {  # a mapping: a value the checker refuses becomes unable_to_check, never an exception
                "drug": query.drug,
                "dose": reading.dose,
                "indication": chosen,
                **({"route": route or query.route} if route or query.route else {}),
                "patient": patient,
                "previous_dose": reading.previous,
                "interval_days": reading.interval_days,
                "starting": reading.starting,
                "co_medications": list(query.not_covered),  # other drugs named: interactions checked, or assumed
            }
            check = check_dose(request, rules=rules)
            checks.append((reading.label, check))
    worst = strictest([c for _, c in checks])
    out = worst.model_copy(deep=True)
    labels = list(dict.fromkeys(f"{label}: {c.verdict}" for label, c in checks))
    if len(labels) > 1:
        out.readings = labels
        out.findings.append(
            finding(
                "readings", "within_limits", "Readings checked (the strictest is shown): " + "; ".join(labels) + "."
            )
        )
    for conflict in conflicts:
        out.findings.insert(
            0,
            finding(
                "patient_conflict",
                "caution",
                f"The question and the patient record disagree ({conflict}); "
                "both were checked and the stricter verdict is shown.",
            ),
        )
        if out.verdict == "within_limits":
            out.verdict = "caution"
    unreadable = [f.message for f in out.findings if f.code == "crcl_not_egfr" and "could not be checked" in f.message]
    if unreadable and out.verdict in ("within_limits", "caution"):  # a stated fact the rules cannot use: grey
        out.verdict, out.reason = (
            "unable_to_check",
            (unreadable[0].rstrip(".") + "; renal limits (avoid or reduce) need an eGFR"),
        )
    unread = unread_facts(query, rules.get(query.drug.lower()), chosen)
    if unread and out.verdict in ("within_limits", "caution"):  # closed over concepts, not only digits
        out.verdict, out.reason = "unable_to_check", unread
    if query.not_understood:
        reason = "not everything in the question could be read: " + "; ".join(query.not_understood)
        if out.verdict == "within_limits":
            out.verdict, out.reason = "unable_to_check", reason
        else:
            out.findings.insert(0, finding("not_understood", "caution", reason[0].upper() + reason[1:] + "."))
    out.hard_stop = out.verdict in ("contraindicated", "above_max")
    out.assumptions = (
        standard_assumptions(patients[0], query) if out.verdict == "within_limits" else list(query.assumptions)
    )
    if out.verdict == "within_limits" and any(f.code == "start_assumed" for f in out.findings):
        out.assumptions.insert(-1, "a dose reached by titration, not a first dose (not stated)")
    return out


def unread_facts(query: Query, drug_rules: DrugRules | None, indication: str | None = None) -> str | None:
    """The reason green is blocked by patient facts named but not read, when the rules checked (the indication's,
    else every rule of the drug) use them; None when nothing such was named. Facts they never use do not count."""
    if drug_rules is None:
        return None
    key = drug_rules.indication_key(indication) if indication else None
    checked = [r for r in drug_rules.rules if key is None or r.indication == key]
    used = frozenset().union(*(used_fields(drug_rules.general, r) for r in checked))
    named = list(dict.fromkeys(f"'{m.text}'" for m in query.unread_mentions if used & set(m.fields)))
    if not named:
        return None
    return (
        f"the question mentions {', '.join(named)} but no value or state could be read from it; "
        "the limits that depend on it could not be checked"
    )


def not_for(check: DoseCheck | None, populations: list[str]) -> DoseCheck | None:
    """The dose check of a question about a population the guidelines never mention (a refusal names it): grey,
    whatever the adult limits say — never green beside a refusal."""
    if check is None or not populations or check.verdict == "unable_to_check":
        return check
    reason = f"the guidelines in the library say nothing about {', '.join(populations)}, so no dose is checked"
    return check.model_copy(update={"verdict": "unable_to_check", "hard_stop": False, "reason": reason})


def uncovered_population(rules: DrugRules, patient: Patient) -> str | None:
    """The population of the patient that no rule of the drug covers, in words, or None (rules data decide)."""
    groups = patient_groups(rules.populations, patient)
    if any(all(g in r.covers for g in groups) for r in rules.rules):
        return None
    return not_covered_reason(rules, groups, rules.rules)


def population_gap(patient: Patient, drug_rules: DrugRules | None) -> str | None:
    """The population a patient belongs to that no rule of the drug covers, in words (None when covered)."""
    return uncovered_population(drug_rules, patient) if drug_rules is not None else None
