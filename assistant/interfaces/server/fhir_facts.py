"""Patient facts from a CDS Hooks `prefetch` (FHIR R4): age from Patient.birthDate, lab values and weight from
Observations by LOINC code (only recent ones, in a known unit), states from active Conditions, co-medications from
active MedicationRequests. Codes and units are data (corpus/fhir_codes.toml). What could not be read is said."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.condition import Condition
from fhir.resources.R4B.medicationrequest import MedicationRequest
from fhir.resources.R4B.observation import Observation
from fhir.resources.R4B.patient import Patient as FhirPatient
from pydantic import ValidationError

from assistant import InputError, one_line
from assistant.errors import validation_message
from assistant.settings import REPO_ROOT

CODES_FILE = REPO_ROOT / "corpus" / "fhir_codes.toml"
INACTIVE = {"inactive", "resolved", "remission"}
NOT_TRUE = {"refuted", "entered-in-error"}


@lru_cache(maxsize=1)
def fhir_codes() -> dict[str, Any]:
    return tomllib.loads(CODES_FILE.read_text(encoding="utf-8"))


@dataclass
class PatientFacts:
    """What the prefetch said: facts for the checker, other medicines, and notes on what was missing or unused."""

    facts: dict[str, Any] = field(default_factory=dict)
    medications: list[MedicationRequest] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


SINGLE: dict[str, Any] = {
    "Patient": FhirPatient,
    "Observation": Observation,
    "Condition": Condition,
    "MedicationRequest": MedicationRequest,
}


def resources(value: Any, where: str) -> list[Any]:
    """The resources of one prefetch entry (a Bundle or a single resource), parsed with the R4B models; InputError
    for a malformed one. An entry of another type is ignored (nothing here reads it)."""
    if value is None:
        return []
    if not isinstance(value, dict):
        raise InputError(f"prefetch {where} must be a FHIR resource or Bundle")
    kind = value.get("resourceType")
    try:
        if kind == "Bundle":
            return [e.resource for e in Bundle.model_validate(value).entry or [] if e.resource is not None]
        return [SINGLE[kind].model_validate(value)] if kind in SINGLE else []
    except (ValueError, KeyError, TypeError) as exc:  # fhir.resources: KeyError for an unknown resourceType
        raise InputError(f"prefetch {where}: {first_error(exc)}") from None


def first_error(exc: Exception) -> str:
    """One line for a FHIR model's refusal: the first error's field path and message."""
    if isinstance(exc, ValidationError):
        return validation_message(exc).split("; ")[0]
    if isinstance(exc, KeyError):  # fhir.resources: an unknown resourceType
        return f"unknown resource type {str(exc.args[0]).rsplit('.', 1)[-1].removesuffix('Type')!r}"
    return one_line(exc)


def concept_words(concept: Any) -> str:
    """The text and the codings' displays of a CodeableConcept, as one string ('' for none)."""
    if concept is None:
        return ""
    return " ".join([concept.text or "", *(c.display or "" for c in concept.coding or [])]).strip()


def read_prefetch(prefetch: dict[str, Any] | None, now: datetime, max_days: float) -> PatientFacts:
    """Every usable fact of the prefetch; each prefetch key is found by the resources it holds, not its name."""
    out = PatientFacts()
    items = prefetch or {}
    found = [r for key, value in items.items() for r in resources(value, key)]
    patients = [r for r in found if isinstance(r, FhirPatient)]
    observations = [r for r in found if isinstance(r, Observation)]
    conditions = [r for r in found if isinstance(r, Condition)]
    meds = [r for r in found if isinstance(r, MedicationRequest)]
    if not items:
        out.notes.append("no prefetch was sent: age, kidney function, sodium, weight and conditions are unknown")
    _age(patients, now, out)
    _observations(observations, now, max_days, out)
    _conditions(conditions, out)
    out.medications = [m for m in meds if m.status in ("active", "on-hold", None)]
    return out


def _age(patients: list[FhirPatient], now: datetime, out: PatientFacts) -> None:
    born = next((p.birthDate for p in patients if p.birthDate), None)
    if born is None:
        out.notes.append("age unknown (no Patient.birthDate in the prefetch)")
        return
    born_date = born if isinstance(born, date) else date.fromisoformat(str(born)[:10])
    today = now.date()
    out.facts["age"] = float(
        today.year - born_date.year - ((today.month, today.day) < (born_date.month, born_date.day))
    )


def _observations(observations: list[Observation], now: datetime, max_days: float, out: PatientFacts) -> None:
    latest: dict[str, tuple[datetime, float]] = {}
    for fact, spec in fhir_codes()["observations"].items():
        for obs in observations:
            codes = {c.code for c in (obs.code.coding or []) if c.code}
            if not codes & set(spec["loinc"]) or obs.status in ("entered-in-error", "cancelled", "preliminary"):
                continue
            when = _when(obs)
            quantity = obs.valueQuantity
            if when is None or quantity is None or quantity.value is None:
                out.notes.append(f"{fact} observation {obs.id or ''} has no date or value: not used".replace("  ", " "))
                continue
            unit = quantity.code or quantity.unit or ""
            if unit not in spec["units"]:
                out.notes.append(f"{fact} in '{unit}' is not a unit the checker reads: not used")
                continue
            age_days = (now - when).total_seconds() / 86400
            if age_days > max_days:
                out.notes.append(f"{fact} from {when.date().isoformat()} is older than {max_days:g} days: not used")
                continue
            value = float(quantity.value) * float(spec["units"][unit])
            if fact not in latest or when > latest[fact][0]:
                latest[fact] = (when, value)
        if fact in latest:
            out.facts[fact] = round(latest[fact][1], 3)


def _when(obs: Observation) -> datetime | None:
    value = obs.effectiveDateTime or (obs.effectivePeriod.end if obs.effectivePeriod else None) or obs.issued
    if value is None:
        return None
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _conditions(conditions: list[Condition], out: PatientFacts) -> None:
    for condition in conditions:
        status = _status(condition.clinicalStatus)
        verification = _status(condition.verificationStatus)
        if status in INACTIVE or verification in NOT_TRUE:
            continue
        codes = {c.code for c in (condition.code.coding or []) if c.code} if condition.code else set()
        words = concept_words(condition.code).lower()
        for spec in fhir_codes()["conditions"].values():
            if codes & set(spec["codes"]) or any(w in words for w in spec["words"]):
                out.facts[spec["field"]] = spec.get("value", True)


def _status(concept: Any) -> str | None:
    if concept is None:
        return None
    return next((c.code for c in concept.coding or [] if c.code), None)
