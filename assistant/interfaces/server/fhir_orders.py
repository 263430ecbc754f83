"""One FHIR R4 MedicationRequest → the dose request the checker reads, or the reason it cannot be read.

The drug comes from medicationCodeableConcept (RxNorm codes mapped through the rules files' `rxnorm`, else the
text or display words against the rules' drug names and the drug dictionary), the dose from doseQuantity (a mass
unit of corpus/fhir_codes.toml), the schedule from timing.repeat, the route and the indication from their text.
Whatever cannot be read leaves a reason: the order is then `unable_to_check`, never assumed."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B.medicationrequest import MedicationRequest

from assistant import DrugRules
from assistant.interfaces.server.fhir_facts import concept_words, fhir_codes
from assistant.text.quantities import unit_of, units


@dataclass
class OrderReading:
    """What one order asks for, as far as it could be read."""

    order_id: str
    drug: str | None  # the rules file's drug, or the dictionary name; None when not identified
    label: str  # how the order names the drug, for the card
    dose: str | None = None  # a dose expression the checker reads
    route: str | None = None
    indication: str | None = None
    reasons: list[str] = field(default_factory=list)  # why the dose cannot be checked
    notes: list[str] = field(default_factory=list)  # read, but worth saying (e.g. the reason code is not a rule's)


def identify_drug(order: MedicationRequest, rules: Mapping[str, DrugRules], known: set[str]) -> tuple[str | None, str]:
    """(drug, label): by RxNorm code first, then by a word of the order's text that names a drug the library knows
    (a rules file's drug, or a dictionary name of a library drug or any drug)."""
    concept = order.medicationCodeableConcept
    if concept is None and order.medicationReference is not None:
        label = order.medicationReference.display or order.medicationReference.reference or "medicationReference"
        return _by_words(label, rules, known), label
    label = concept_words(concept) or "unnamed medication"
    codes = (
        {c.code for c in (concept.coding or []) if c.code and "rxnorm" in (c.system or "").lower()}
        if concept
        else set()
    )
    for drug, drug_rules in rules.items():
        if codes & set(drug_rules.rxnorm):
            return drug, concept.text if concept and concept.text else label
    return _by_words(label, rules, known), label


def _by_words(text: str, rules: Mapping[str, DrugRules], known: set[str]) -> str | None:
    words = re.findall(r"[A-Za-z][A-Za-z-]+", text)
    lowered = [w.lower() for w in words]
    joined = f" {' '.join(lowered)} "
    for drug in [*rules, *sorted(known)]:
        if f" {drug} " in joined:
            return drug
    from assistant.corpus.drug_dictionary import find_drug_names

    names = [name.lower() for name, _, _ in find_drug_names(words)]
    return next((n for n in names if n in rules or n in known), names[0] if names else None)


def read_order(order: MedicationRequest, rules: Mapping[str, DrugRules], known: set[str]) -> OrderReading:
    drug, label = identify_drug(order, rules, known)
    reading = OrderReading(order_id=order.id or "", drug=drug, label=label)
    if order.medicationCodeableConcept is None:
        reading.reasons.append("the drug is given as medicationReference, which the service does not resolve")
    instructions = order.dosageInstruction or []
    if len(instructions) != 1:
        reading.reasons.append(
            "no dosageInstruction" if not instructions else "several dosageInstructions (a taper or split schedule)"
        )
        return reading
    dosage = instructions[0]
    if dosage.asNeededBoolean or dosage.asNeededCodeableConcept is not None:
        reading.reasons.append("an as-needed (PRN) dose: the doses per day are not fixed")
    mg = _dose_mg(dosage, reading)
    per_day = _doses_per_day(dosage, reading)
    if mg is not None and per_day is not None and not reading.reasons:
        reading.dose = _expression(mg, per_day, reading)
    drug_rules = rules.get(drug or "")
    if dosage.route is not None:
        reading.route = _route(concept_words(dosage.route), drug_rules)
    reading.indication = _indication(order, drug_rules, reading)
    return reading


def _dose_mg(dosage: Any, reading: OrderReading) -> float | None:
    rates = dosage.doseAndRate or []
    quantity = next((r.doseQuantity for r in rates if r.doseQuantity is not None), None)
    if quantity is None:
        dose_range = next((r.doseRange for r in rates if r.doseRange is not None), None)
        reading.reasons.append("the dose is a range (doseRange)" if dose_range else "no doseQuantity in the order")
        return None
    unit = (quantity.code or quantity.unit or "").strip()
    mass = unit_of(unit, units("mass"))  # UCUM's mg, g, ug are spellings of the project's one unit table
    factor = mass.factor if mass is not None else None
    if quantity.value is None or factor is None:
        what = f"in '{unit}'" if unit else "without a unit"
        reading.reasons.append(f"the dose is {what}; the checker needs a mass (mg, g, mcg)")
        return None
    return float(quantity.value) * float(factor)


def _doses_per_day(dosage: Any, reading: OrderReading) -> float | None:
    timing = dosage.timing
    repeat = timing.repeat if timing is not None else None
    if repeat is None:
        coded = timing is not None and timing.code is not None
        reading.reasons.append(
            f"the schedule is only a timing code ('{concept_words(timing.code)}'), without timing.repeat"
            if coded
            else "no timing.repeat: doses per day unknown"
        )
        return None
    if repeat.frequencyMax is not None or repeat.periodMax is not None:
        reading.reasons.append("the schedule is a range (frequencyMax/periodMax)")
        return None
    days = fhir_codes()["period_days"].get(repeat.periodUnit or "")
    if repeat.period is None or days is None or float(repeat.period) <= 0:
        reading.reasons.append("timing.repeat has no period or an unknown periodUnit")
        return None
    return (repeat.frequency or 1) / (float(repeat.period) * float(days))


def _expression(mg: float, per_day: float, reading: OrderReading) -> str | None:
    """'10 mg 3 times a day' or '10 mg every 8 hours': the dose grammar's words for a daily schedule."""
    if abs(per_day - round(per_day)) < 1e-9 and round(per_day) >= 1:
        n = round(per_day)
        return f"{mg:g} mg once a day" if n == 1 else f"{mg:g} mg {n} times a day"
    hours = 24 / per_day
    if abs(hours - round(hours)) < 1e-9 and 24 % round(hours) == 0:
        return f"{mg:g} mg every {round(hours)} hours"
    reading.reasons.append(f"{per_day:.3g} doses a day is not a daily schedule the checker reads")
    return None


def _route(text: str, drug_rules: DrugRules | None) -> str | None:
    if not text:
        return None
    if drug_rules is None:
        return text
    plain = re.sub(r"\(.*?\)", " ", text.lower())
    candidates = [text, plain, re.sub(r"\b(route|use|administration)\b", " ", plain), *plain.split()]
    return next((key for c in candidates if c.strip() and (key := drug_rules.route_key(c))), text)


def _indication(order: MedicationRequest, drug_rules: DrugRules | None, reading: OrderReading) -> str | None:
    texts = [concept_words(c) for c in order.reasonCode or []]
    texts = [t for t in texts if t]
    if not texts or drug_rules is None:
        return None
    found: set[str] = set()
    for text in texts:
        key = drug_rules.indication_key(text)
        if key is None:  # an alias inside a longer text ('Spasticity due to multiple sclerosis')
            low = f" {' '.join(re.findall(r'[a-z0-9]+', text.lower()))} "
            matched = {
                k
                for k, i in drug_rules.indications.items()
                for a in [k.replace("_", " "), *i.aliases]
                if f" {a.lower()} " in low
            }
            key = next(iter(matched)) if len(matched) == 1 else None
        if key:
            found.add(key)
    if len(found) == 1:
        return found.pop()
    reading.notes.append(f"reason '{'; '.join(texts)}' names no single indication of the rules: every one checked")
    return None
