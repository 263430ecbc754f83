"""check_dose as a LangChain tool, for chat models that call tools. Returns the DoseCheck as a dict."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.tools import StructuredTool, ToolException
from pydantic import BaseModel, Field

from assistant.dosing.check import check_dose
from assistant.dosing.rules.schema import DrugRules, RulesError
from assistant.errors import one_line
from assistant.types import Patient

TOOL_NAME = "check_dose"


class CheckDoseInput(BaseModel):
    """Arguments of the check_dose tool."""

    drug: str = Field(description="Generic drug name, as in the guidelines.")
    dose: str = Field(description="Dose expression, e.g. '10 mg/day' or '5 mg three times daily'.")
    indication: str | None = Field(default=None, description="Indication as the guidelines name it; omit if unknown.")
    route: str = Field(default="oral", description="Route, e.g. 'oral'.")
    patient: Patient | None = Field(default=None, description="Known patient facts (only those stated).")
    previous_dose: str | None = Field(default=None, description="Current dose expression, to check the titration step.")
    interval_days: float | None = Field(default=None, description="Days since the last dose change.")


def check_dose_as_dict(
    drug: str,
    dose: str,
    indication: str | None = None,
    route: str = "oral",
    patient: Patient | dict[str, Any] | None = None,
    previous_dose: str | None = None,
    interval_days: float | None = None,
    *,
    rules: Mapping[str, DrugRules] | None = None,
) -> dict[str, Any]:
    """Check a proposed drug dose against the guideline dose rules.

    Returns the DoseCheck as a JSON-able dict: `verdict` (contraindicated, above_max,
    exceeds_titration_step, caution, within_limits or unable_to_check), `hard_stop`, `reason`,
    `findings` (each with the limit and the guideline text it comes from) and the dose read in mg.
    Only a `within_limits` verdict means the dose is acceptable for this patient.
    """
    try:
        result = check_dose(
            drug,
            dose,
            indication=indication,
            route=route,
            patient=patient,
            previous_dose=previous_dose,
            interval_days=interval_days,
            rules=rules,
        )
    except RulesError as exc:
        raise ToolException(f"dose rules unavailable: {exc}") from None
    return result.model_dump(mode="json")


def _validation_message(exc: Exception) -> str:
    """One line for the model: which argument was wrong."""
    return f"invalid arguments: {one_line(exc)}"


def make_check_dose_tool(rules: Mapping[str, DrugRules] | None = None) -> StructuredTool:
    """A fresh StructuredTool wrapping check_dose_as_dict, checking against `rules` (the caller's, so that a
    model's tool call and the answer's own dose check use the same rules folder)."""

    def check(**kwargs: Any) -> dict[str, Any]:
        return check_dose_as_dict(**kwargs, rules=rules)

    return StructuredTool.from_function(
        func=check,
        name=TOOL_NAME,
        description=(check_dose_as_dict.__doc__ or "").strip(),
        args_schema=CheckDoseInput,
        handle_tool_error=True,
        handle_validation_error=_validation_message,
    )


check_dose_tool = make_check_dose_tool()
