"""One error shape for every surface: `{"error": {"code": ..., "message": ...}}`; a typed code, a one-line message."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, Field

ErrorCode = Literal[
    "bad_input",  # a question, dose, patient field or FHIR resource that cannot be read (the CLI's InputError)
    "invalid_request",  # the body does not fit the endpoint's schema
    "invalid_json",
    "unauthorized",
    "forbidden",  # a Host or Origin this server does not serve (DNS rebinding, foreign pages)
    "not_found",
    "method_not_allowed",
    "payload_too_large",
    "request_timeout",  # the client took too long to send its body
    "rate_limited",
    "timeout",  # the answer took longer than the request limit
    "store_unavailable",
    "llm_unavailable",
    "audit_failed",  # the audit line could not be written: no answer leaves unaudited
    "internal",
]

STATUS: dict[str, int] = {
    "bad_input": 400,
    "invalid_request": 422,
    "invalid_json": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "payload_too_large": 413,
    "request_timeout": 408,
    "rate_limited": 429,
    "timeout": 504,
    "store_unavailable": 503,
    "llm_unavailable": 502,
    "audit_failed": 500,
    "internal": 500,
}


class ErrorDetail(BaseModel):
    code: ErrorCode = Field(description="What went wrong, as a fixed word.")
    message: str = Field(description="One line saying what is wrong and, where it helps, what to change.")


class ErrorBody(BaseModel):
    """Every error response of the API and the CDS Hooks service."""

    error: ErrorDetail


class ApiError(Exception):
    """Raised by a handler to answer with this error."""

    def __init__(self, code: ErrorCode, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message.splitlines()[0] if message else code
        self.headers = headers or {}

    @property
    def status(self) -> int:
        return STATUS[self.code]

    def body(self) -> bytes:
        error = {"error": {"code": self.code, "message": self.message}}
        return json.dumps(error, ensure_ascii=False, separators=(",", ":")).encode()


def error_code(exc: Exception) -> ErrorCode:
    """The typed code of a user-facing error (the CLI's exception classes)."""
    from assistant import InputError, audit
    from assistant.errors import LLMError
    from assistant.index.store import StoreError

    if isinstance(exc, StoreError):
        return "store_unavailable"
    if isinstance(exc, LLMError):
        return "llm_unavailable"
    if isinstance(exc, audit.AuditError):
        return "audit_failed"
    if isinstance(exc, InputError):
        return "bad_input"
    return "bad_input"
