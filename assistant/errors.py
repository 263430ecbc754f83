"""One user-facing error base and one formatter: the CLI, the UI and the eval print every error the same way."""

from __future__ import annotations

from pydantic import ValidationError


class AssistantError(Exception):
    """A problem the user can fix (bad input, a missing or invalid file, an unreachable backend). Its message is
    one line that says what is wrong and, where it helps, the setting or file to change."""


class InputError(AssistantError, ValueError):
    """A question, conversation, dose expression or patient field the assistant cannot read."""


class LLMError(AssistantError, RuntimeError):
    """A backend that cannot be built or reached; the message names the setting."""


def validation_message(exc: ValidationError) -> str:
    """A pydantic error as 'field: message' for its first error ('Value error, ' prefixes dropped)."""
    first = exc.errors()[0]
    where = ".".join(str(part) for part in first.get("loc", ()))
    message = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
    return f"{where}: {message}" if where else message


def one_line(exc: BaseException) -> str:
    """The first line of an error's message (a pydantic error as its first field's message), or its class name."""
    if isinstance(exc, ValidationError):
        return validation_message(exc)
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
