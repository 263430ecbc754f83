"""The CDS Hooks 2.0 service: `GET /cds-services` (discovery), `POST /cds-services/dose-check` for the
`order-sign` and `order-select` hooks, and `POST /cds-services/dose-check/feedback` (card outcomes, audited).

Orders are FHIR R4 MedicationRequests parsed with fhir.resources' R4B models; patient facts come only from the
prefetch (nothing is fetched); each order goes through the same `check_dose` as the chat and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

import anyio
from fastapi import APIRouter, Request
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.medicationrequest import MedicationRequest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant import DoseRequest, InputError, Patient
from assistant.interfaces.server.cds_auth import verify_call
from assistant.interfaces.server.cds_cards import CardsResponse, order_card
from assistant.interfaces.server.config import ServerSettings
from assistant.interfaces.server.errors import ApiError
from assistant.interfaces.server.fhir_facts import PatientFacts, concept_words, first_error, read_prefetch
from assistant.interfaces.server.fhir_orders import identify_drug, read_order

if TYPE_CHECKING:
    from assistant.interfaces.server.service import Service

SERVICE_ID = "dose-check"
SERVICES = {"order-sign": SERVICE_ID, "order-select": f"{SERVICE_ID}-select"}  # one service id per hook
PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "observations": "Observation?patient={{context.patientId}}&category=laboratory,vital-signs&_sort=-date&_count=50",
    "conditions": "Condition?patient={{context.patientId}}&clinical-status=active",
    "medications": "MedicationRequest?patient={{context.patientId}}&status=active",
}


class HookContext(BaseModel):
    model_config = ConfigDict(extra="allow")

    userId: str | None = None
    patientId: str = Field(min_length=1)
    encounterId: str | None = None
    draftOrders: dict[str, Any]
    selections: list[str] | None = None


class HookRequest(BaseModel):
    """A CDS Hooks call (the fields this service reads; others are allowed and ignored)."""

    model_config = ConfigDict(extra="allow")

    hook: Literal["order-sign", "order-select"]
    hookInstance: str = Field(min_length=1)
    fhirServer: str | None = None
    context: HookContext
    prefetch: dict[str, Any] | None = None


class Feedback(BaseModel):
    model_config = ConfigDict(extra="allow")

    feedback: list[dict[str, Any]] = Field(min_length=1, max_length=100)


def cds_router(
    service: Callable[[], Service], config: ServerSettings, clock: Callable[[], datetime] | None = None
) -> APIRouter:
    router = APIRouter(tags=["cds-hooks"])
    now = clock or (lambda: datetime.now(UTC))

    @router.get("/cds-services")
    def discovery() -> dict[str, Any]:
        """CDS Hooks discovery: the dose check for order-sign and for order-select."""
        return {
            "services": [
                {
                    "hook": hook,
                    "id": service_id,
                    "title": "Guideline dose check",
                    "description": "Checks each draft medication order against the library's guideline dose rules; "
                    "cards quote the guideline sentence behind each finding.",
                    "prefetch": PREFETCH,
                    "usageRequirements": "Send the prefetch: the service fetches nothing from the FHIR server.",
                }
                for hook, service_id in SERVICES.items()
            ]
        }

    @router.post(f"/cds-services/{SERVICES['order-select']}", response_model=CardsResponse)
    @router.post(f"/cds-services/{SERVICE_ID}", response_model=CardsResponse)
    async def dose_check(body: HookRequest, request: Request) -> Any:
        """Cards for the draft orders (order-select: only the selected ones)."""
        verify_call(request.headers.get("authorization"), config, str(request.url).split("?")[0])
        base = str(request.base_url).rstrip("/")
        return await anyio.to_thread.run_sync(lambda: _cards(service(), body, config, now(), base))

    @router.post(f"/cds-services/{SERVICE_ID}/feedback")
    async def feedback(body: Feedback, request: Request) -> dict[str, Any]:
        """Card outcomes (accepted / overridden, with the override reason), one audit line."""
        verify_call(request.headers.get("authorization"), config, str(request.url).split("?")[0])
        svc = service()
        await anyio.to_thread.run_sync(
            lambda: svc.record("feedback", extra={"surface": "cds_hooks", "card_feedback": body.feedback})
        )
        return {}

    return router


def _orders(body: HookRequest) -> list[MedicationRequest]:
    try:
        bundle = Bundle.model_validate(body.context.draftOrders)
    except (ValueError, KeyError, TypeError) as exc:  # fhir.resources: KeyError for an unknown resourceType
        raise ApiError("bad_input", f"context.draftOrders is not a FHIR R4 Bundle: {first_error(exc)}") from None
    orders = [e.resource for e in bundle.entry or [] if isinstance(e.resource, MedicationRequest)]
    if body.hook == "order-select":
        selected = {s.rsplit("/", 1)[-1] for s in body.context.selections or []}
        orders = [o for o in orders if o.id in selected]
    return orders


def _cards(svc: Service, body: HookRequest, config: ServerSettings, now: datetime, base_url: str) -> dict[str, Any]:
    orders = _orders(body)
    try:
        prefetched = read_prefetch(body.prefetch, now, config.observation_max_days)
    except InputError as exc:
        raise ApiError("bad_input", str(exc)) from None
    patient, fact_notes = _patient(prefetched)
    rules = svc.assistant.rules
    library_drugs = {d.lower() for d in svc.assistant.glossary.drugs} | set(rules)
    titles = {d.doc_id: d.title for d in svc.assistant.corpus_status().documents}
    cards, outcomes = [], []
    for order in orders:
        reading = read_order(order, rules, library_drugs)
        covered = reading.drug is not None and reading.drug in library_drugs
        check = None
        if covered and reading.dose and not reading.reasons:
            request = DoseRequest(
                drug=reading.drug or "",
                dose=reading.dose,
                indication=reading.indication,
                route=reading.route or "oral",
                patient=patient,
                previous_dose=_current_dose(prefetched, reading.drug, rules, library_drugs),
                co_medications=_co_medications(prefetched, reading.drug),
            )
            check = svc.check(request)
        unidentified = reading.drug is None and bool(reading.reasons)
        card = (
            order_card(reading, check, titles, base_url, [*prefetched.notes, *fact_notes])
            if covered or unidentified
            else None
        )
        if card is not None:
            cards.append(card)
        outcomes.append(
            {
                "order": reading.order_id,
                "drug": reading.drug,
                "dose": reading.dose,
                "verdict": check.verdict if check else ("not_covered" if not covered else "unable_to_check"),
                "reasons": reading.reasons,
                "card": card.indicator if card else None,
            }
        )
    svc.record(
        "cds_hooks",
        patient=patient.known(),
        extra={
            "surface": "cds_hooks",
            "hook": body.hook,
            "hook_instance": body.hookInstance,
            "patient_id": svc.hashed_id(body.context.patientId),
            "user_id": svc.hashed_id(body.context.userId),
            "orders": outcomes,
        },
    )
    return CardsResponse(cards=cards).model_dump(mode="json")


def _patient(prefetched: PatientFacts) -> tuple[Patient, list[str]]:
    """The facts as a Patient; a value outside its plausible bounds is dropped and named, not used."""
    facts, notes = dict(prefetched.facts), list[str]()
    while True:
        try:
            return Patient.model_validate(facts), notes
        except ValidationError as exc:
            field = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else next(iter(facts), "")
            if field not in facts:
                return Patient(), [*notes, "patient facts could not be read: none used"]
            notes.append(f"{field} {facts.pop(field)} is outside its plausible range: not used")


def _same_drug(order: MedicationRequest, drug: str | None, rules: Any, library: set[str]) -> bool:
    return drug is not None and identify_drug(order, rules, library)[0] == drug


def _current_dose(prefetched: PatientFacts, drug: str | None, rules: Any, library: set[str]) -> str | None:
    """The dose of an active order for the same drug: the draft is then a change from it."""
    for order in prefetched.medications:
        if _same_drug(order, drug, rules, library):
            return read_order(order, rules, library).dose
    return None


def _co_medications(prefetched: PatientFacts, drug: str | None) -> list[str]:
    names = [concept_words(m.medicationCodeableConcept) for m in prefetched.medications if m.medicationCodeableConcept]
    return [n for n in names if n and (drug or "") not in n.lower()]
