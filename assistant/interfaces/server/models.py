"""Request and response bodies of the HTTP API: built on the models the CLI uses (a `batch` line, a
`check-dose --batch` line, the answer object), so the OpenAPI schema is the CLI's contract too."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant import DoseCheck, DoseRequest, Patient
from assistant.interfaces.answer_json import AnswerObject

RecordId = str | int | None


class AskRequest(BaseModel):
    """A `batch` line: one question, or a conversation whose last turn is answered."""

    model_config = ConfigDict(extra="forbid")

    id: RecordId = Field(default=None, description="Echoed back, to match answers to questions.")
    question: str | None = Field(default=None, description="The question (give this or `turns`).")
    turns: list[str] | None = Field(
        default=None, min_length=1, max_length=100, description="The user's turns; the last one is answered."
    )
    patient: Patient | None = Field(default=None, description="Patient facts; explicit values win over the text.")

    @model_validator(mode="after")
    def _one_of(self) -> AskRequest:
        if (self.question is None) == (self.turns is None):
            raise ValueError("give 'question' or 'turns', not both and not neither")
        return self

    def conversation(self) -> list[str]:
        return [self.question] if self.question is not None else list(self.turns or [])


class AskResponse(AnswerObject):
    """The `ask --json` object with the request's id."""

    id: RecordId = None


class CheckDoseRequest(DoseRequest):
    """A `check-dose --batch` line."""

    id: RecordId = Field(default=None, description="Echoed back.")

    def dose_request(self) -> DoseRequest:
        return DoseRequest.model_validate(self.model_dump(exclude={"id"}))


class CheckDoseResponse(DoseCheck):
    """The `check-dose --json` object with the request's id."""

    id: RecordId = None


class RulesReview(BaseModel):
    drug: str
    reviewed_by: str
    reviewed_on: str


class DocumentInfo(BaseModel):
    doc_id: str
    title: str
    drugs: list[str]
    chunks: int
    source_date: str = ""
    sha256: str | None = Field(description="SHA-256 of the file as it is now (null when it cannot be read).")
    rules: list[RulesReview] = Field(description="The rules files of its drugs and who reviewed them when.")


class Readiness(BaseModel):
    ready: bool
    documents: int
    rules: list[str]
    rules_refused: dict[str, str]
    app_version: str
    corpus_sha256: str
    rules_sha256: str
    index_sha256: str


def with_id(model: type[BaseModel], record_id: RecordId, payload: dict[str, Any]) -> dict[str, Any]:
    """A response body validated against its model, the id first (as a batch line has it)."""
    return model.model_validate({"id": record_id, **payload}).model_dump(mode="json")
