"""What the assistant read from a conversation, as the JSON `understood` field and the chat's reading panel show it."""

from __future__ import annotations

from assistant.query.understand import Query


def understood_report(query: Query, scope_reason: str | None, corrections: dict[str, str]) -> dict[str, object]:
    """What the assistant read from the conversation, for the JSON `understood` and the chat's reading panel."""
    out: dict[str, object] = {"intent": query.intent}
    for key in ("drug", "indication", "route", "previous_dose", "interval_days"):
        if (value := getattr(query, key)) is not None:
            out[key] = value
    if len(query.indications) > 1:
        out["indications"] = query.indications
    if query.doses:
        out["doses"] = query.doses
    if query.readings:
        out["readings"] = [r.model_dump(exclude_none=True) for r in query.readings]
    out["numbers"] = (
        [{"text": n.text.strip(), "role": n.role} for n in query.numbers]
        + [
            {"text": r.dose, "role": "proposed dose" if r.previous else "first dose" if r.starting else "dose"}
            for r in query.readings
        ]
        + [{"text": p, "role": "dose of another drug"} for p in query.other_doses]
    )
    if facts := query.patient.known():
        out["patient"] = facts
    if query.patient_ranges:
        out["patient_ranges"] = {k: list(v) for k, v in query.patient_ranges.items()}
    out["assumptions"] = query.assumptions
    out["not_understood"] = query.not_understood
    if query.is_followup:
        out["follow_up"] = True
    if corrections:
        out["corrected"] = corrections
    if scope_reason:
        out["scope"] = scope_reason
    return out
