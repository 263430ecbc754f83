"""CDS Hooks cards from dose checks: one card per order with a finding. within_limits and drugs the library does
not cover give no card (alert fatigue); the audit line still records them."""

from __future__ import annotations

import uuid
from typing import Literal

from pydantic import BaseModel, Field

from assistant import VERDICT_LABELS, DoseCheck, Finding
from assistant.interfaces.server.fhir_orders import OrderReading

Indicator = Literal["info", "warning", "critical"]
INDICATOR: dict[str, Indicator] = {
    "above_max": "critical",
    "contraindicated": "critical",
    "caution": "warning",
    "exceeds_titration_step": "warning",
    "unable_to_check": "info",
}
SUMMARY_MAX = 139


class Source(BaseModel):
    label: str
    url: str | None = None


class Card(BaseModel):
    """A CDS Hooks 2.0 card."""

    uuid: str = Field(default_factory=lambda: str(uuid.uuid4()))
    summary: str = Field(max_length=140, description="The dose and the limit, under 140 characters.")
    detail: str = Field(description="Markdown: the verdict, the quoted guideline sentence, what was not read.")
    indicator: Indicator
    source: Source
    extension: dict[str, str] = Field(
        default_factory=dict, description="'order': the MedicationRequest the card is about (CDS Hooks extension)."
    )


class CardsResponse(BaseModel):
    cards: list[Card] = Field(default_factory=list)


def decisive(check: DoseCheck) -> Finding | None:
    """The finding that sets the verdict (the first of that verdict), for the summary's limit and the source."""
    return next((f for f in check.findings if f.verdict == check.verdict), None)


def order_card(
    reading: OrderReading, check: DoseCheck | None, titles: dict[str, str], base_url: str, notes: list[str]
) -> Card | None:
    """The card for one order, or None when there is nothing to say."""
    verdict = check.verdict if check is not None else "unable_to_check"
    if verdict == "within_limits":
        return None
    what = f"{reading.label} {reading.dose}" if reading.dose else reading.label
    if check is not None and check.daily_dose_mg is not None and "a day" in (reading.dose or ""):
        what += f" ({check.daily_dose_mg:g} mg/day)"
    key = decisive(check) if check is not None else None
    limit = f" (limit {key.limit})" if key is not None and key.limit else ""
    summary = f"{what}: {VERDICT_LABELS[verdict].lower()}{limit}"
    if len(summary) > SUMMARY_MAX:
        summary = summary[: SUMMARY_MAX - 1].rstrip() + "…"
    lines = [f"**{VERDICT_LABELS[verdict]}**" + (f": {check.reason}" if check is not None and check.reason else "")]
    if reading.reasons:
        lines.append("Not read from the order: " + "; ".join(reading.reasons) + ".")
    if check is not None:
        for finding in check.findings:
            if finding.verdict == "within_limits" and finding.severity == "info":
                continue
            lines.append(f"- {finding.message}" + (f" (limit {finding.limit})" if finding.limit else ""))
            if finding.citation:
                c = finding.citation
                lines.append(f"  > {c.quote}\n  > — *{titles.get(c.doc_id, c.doc_id)}, {c.section}*")
    lines += [f"- {n}" for n in [*reading.notes, *notes]]
    source = Source(label="Guideline dose rules")
    if key is not None and key.citation is not None:
        c = key.citation
        source = Source(label=f"{titles.get(c.doc_id, c.doc_id)} › {c.section}", url=f"{base_url}/documents/{c.doc_id}")
    order = {"order": f"MedicationRequest/{reading.order_id}"} if reading.order_id else {}
    return Card(summary=summary, detail="\n".join(lines), indicator=INDICATOR[verdict], source=source, extension=order)
