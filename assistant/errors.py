"""One user-facing error base and one formatter: the CLI, the UI and the eval print every error the same way."""

from __future__ import annotations

from typing import Literal

from pydantic import ValidationError

# What is wrong with a question, for interfaces that word the refusal their own way (the chat page).
InputProblem = Literal["not_text", "empty", "too_long", "binary"]


class AssistantError(Exception):
    """A problem the user can fix (bad input, a missing or invalid file, an unreachable backend). Its message is
    one line that says what is wrong and, where it helps, the setting or file to change."""


class InputError(AssistantError, ValueError):
    """A question, conversation, dose expression, patient field or batch line the assistant cannot read."""

    def __init__(self, message: str, record_id: object = None, problem: InputProblem | None = None) -> None:
        super().__init__(message)
        self.record_id = record_id  # the batch line's id, when known
        self.problem = problem  # what is wrong with a question, when the validator knows


class LLMError(AssistantError, RuntimeError):
    """A backend that cannot be built or reached; the message names the setting."""


def validation_message(exc: ValidationError) -> str:
    """A pydantic error in one line: 'field: message' per error, joined by '; ' ('Value error, ' dropped)."""
    parts = []
    for err in exc.errors():
        where = ".".join(str(part) for part in err.get("loc", ()))
        message = str(err.get("msg", "invalid value")).removeprefix("Value error, ")
        parts.append(f"{where}: {message}" if where else message)
    return "; ".join(parts) or "invalid value"


def one_line(exc: BaseException, with_type: bool = False) -> str:
    """The first line of an error's message (a pydantic error flattened by `validation_message`), or its class name;
    `with_type` prefixes the class name ('StoreError: ...'), for places that show unexpected errors too."""
    text = validation_message(exc) if isinstance(exc, ValidationError) else str(exc).strip()
    first = text.splitlines()[0] if text else ""
    if not first:
        return type(exc).__name__
    return f"{type(exc).__name__}: {first}" if with_type else first
