"""DoseRequest: the one description of a dose to check. check_dose, its LLM tool, the check-dose CLI and batch
lines, the judge and the servers all build this model, so their arguments cannot drift apart."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, field_validator

from assistant.types import Patient


class DoseRequest(BaseModel):
    """A proposed dose of one drug, in context."""

    model_config = ConfigDict(extra="forbid")

    drug: str = Field(description="Generic drug name, case-insensitive: the name of a rules file.")
    dose: str = Field(
        description="Dose expression, e.g. '10 mg/day', '5 mg three times daily', '40-80 mg daily', or a "
        "weight-based '15 mg/kg every 12 hours' (needs the patient's weight)."
    )
    indication: str | None = Field(
        default=None,
        description="Indication as the rules name it (or an alias); omit to check every indication, the strictest "
        "applying.",
    )
    route: str = Field(default="oral", description="Route as the rules name it (or an alias), e.g. 'oral'.")
    formulation: str | None = Field(
        default=None, description="Formulation key or spelling of the rule (e.g. immediate vs extended release)."
    )
    previous_dose: str | None = Field(
        default=None, description="The current dose expression, to check the titration step."
    )
    interval_days: float | None = Field(default=None, description="Days since the last dose change.")
    starting: StrictBool = Field(
        default=False,
        description="The dose is a first dose (no previous dose): above the guideline's start it skips titration.",
    )
    patient: Patient = Field(default_factory=Patient, description="Stated patient facts only (none are assumed).")
    co_medications: list[str] = Field(
        default_factory=list,
        description="Other medicines the patient takes, as named: checked against the co-medication rules and the "
        "drug's guideline text; one neither speaks to is listed as an assumption of the verdict.",
    )

    @field_validator("interval_days")
    @classmethod
    def _finite_interval(cls, value: float | None) -> float | None:
        if value is not None and (not math.isfinite(value) or value < 0):
            raise ValueError(f"must be a finite number ≥ 0, got {value!r}")
        return value

    @field_validator("patient", mode="before")
    @classmethod
    def _no_patient(cls, value: object) -> object:
        return {} if value is None else value


NESTED_MODELS = frozenset({"patient"})


def request_problem(exc: ValidationError) -> str:
    """One line naming each wrong field the way a user wrote it ('patient egfr: …', 'interval_days: …')."""
    parts = []
    for error in exc.errors():
        where = " ".join(str(part) for part in error["loc"]) or "request"
        message = str(error["msg"]).removeprefix("Value error, ")
        # A nested model's own check (Patient's plausible ranges) starts its message with the field it names.
        whole_model = error["type"] == "value_error" and tuple(error["loc"]) in {(m,) for m in NESTED_MODELS}
        parts.append(f"{where} {message}" if whole_model else f"{where}: {message}")
    return "; ".join(parts)


def read_request(raw: DoseRequest | Mapping[str, Any]) -> DoseRequest | str:
    """The request validated, or the one-line reason it cannot be checked."""
    if isinstance(raw, DoseRequest):
        return raw
    try:
        return DoseRequest.model_validate(dict(raw))
    except ValidationError as exc:
        return request_problem(exc)
    except TypeError as exc:  # not a mapping at all
        return f"request: {exc}"
