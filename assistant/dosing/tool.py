"""check_dose as a LangChain tool, for chat models that call tools. Returns the DoseCheck as a dict.

The tool's input schema *is* DoseRequest, the model check_dose takes, so the tool can never lack an argument
the checker has (a first dose, a formulation)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain_core.tools import StructuredTool, ToolException

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.dosing.rules.schema import DrugRules, RulesError
from assistant.errors import one_line

TOOL_NAME = "check_dose"
TOOL_DESCRIPTION = """Check a proposed drug dose against the guideline dose rules.

Returns the DoseCheck as a JSON-able dict: `verdict` (contraindicated, above_max,
exceeds_titration_step, caution, within_limits or unable_to_check), `hard_stop`, `reason`,
`findings` (each with the limit and the guideline text it comes from) and the dose read in mg.
Only a `within_limits` verdict means the dose is acceptable for this patient."""


def check_dose_as_dict(request: DoseRequest, rules: Mapping[str, DrugRules] | None = None) -> dict[str, Any]:
    """check_dose for a tool call: the DoseCheck as a JSON-able dict; broken rules files are a ToolException."""
    try:
        result = check_dose(request, rules=rules)
    except RulesError as exc:
        raise ToolException(f"dose rules unavailable: {exc}") from None
    return result.model_dump(mode="json")


def _validation_message(exc: Exception) -> str:
    """One line for the model: which argument was wrong."""
    return f"invalid arguments: {one_line(exc)}"


def make_check_dose_tool(rules: Mapping[str, DrugRules] | None = None) -> StructuredTool:
    """A fresh StructuredTool wrapping check_dose, checking against `rules` (the caller's, so that a model's tool
    call and the answer's own dose check use the same rules folder)."""

    def check(**kwargs: Any) -> dict[str, Any]:
        return check_dose_as_dict(DoseRequest.model_validate(kwargs), rules=rules)

    return StructuredTool.from_function(
        func=check,
        name=TOOL_NAME,
        description=TOOL_DESCRIPTION,
        args_schema=DoseRequest,
        handle_tool_error=True,
        handle_validation_error=_validation_message,
    )


check_dose_tool = make_check_dose_tool()
