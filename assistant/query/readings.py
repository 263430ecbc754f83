"""The readings of a conversation's doses: each dose with its drug and role, and each way of reading them that the
checker is asked about (a dose as written, a first dose, a change, a sum, an alternative)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.query.numbers import DoseSpan


class DoseMention(BaseModel):
    """A dose expression, the drug it belongs to and its role in the sentence."""

    span: DoseSpan
    drug: str | None = Field(description="Drug the dose belongs to; None when no drug was named anywhere.")
    turn: int = Field(description="Index of the user turn it was written in.")
    relation: str = Field(description="first, current, change, add, alternative or history.")
    starting: bool = Field(default=False, description="The words around it say treatment begins with this dose.")


class DoseReading(BaseModel):
    """One way to read the doses: what is checked, from what, after how long."""

    dose: str = Field(description="Dose expression checked (a sum is written as 'N mg/day').")
    previous: str | None = Field(default=None, description="The dose it changes from, if any.")
    interval_days: float | None = Field(default=None, description="Days since the last change, when stated.")
    starting: bool = Field(default=False, description="A first dose: compared with the guideline's starting dose.")
    label: str = Field(description="Plain words for this reading, shown with its verdict.")


class DosePlan(BaseModel):
    readings: list[DoseReading] = Field(default_factory=list)
    not_understood: list[str] = Field(default_factory=list)
    route: str | None = Field(default=None, description="Route of doses carried from an earlier patient.")
