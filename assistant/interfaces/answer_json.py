"""The public JSON shape of one answer (DESIGN.md 'Public interfaces'): `ask --json`, a `batch` line, `POST /v1/ask`
and the MCP `ask` tool all build it here, so the CLI and the servers cannot drift apart."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from assistant.types import Answer, Citation, DoseCheck, GuardReport


class AnswerObject(BaseModel):
    """One answer as scripts and servers receive it."""

    question: str = Field(description="The question as validated (the last turn of a conversation).")
    answer: str = Field(description="Markdown with [n] markers; each marker is a citation below.")
    refused: bool = Field(description="True when the library does not answer the question.")
    citations: list[Citation] = Field(description="The exact guideline text behind each [n].")
    dose_check: DoseCheck | None = Field(description="The dose checker's verdict on the dose talked about, or null.")
    understood: dict[str, Any] = Field(description="Each number with its role, facts used, assumptions, gaps.")
    clarify: str | None = Field(default=None, description="A question back to the user, or null.")
    not_covered: list[str] = Field(default_factory=list, description="Named things the library does not cover.")
    guard: GuardReport = Field(description="What the guard removed from a written answer, and why.")
    backend: str = Field(description="Answer writer: 'none' (extractive) or the LLM backend.")
    notes: list[str] = Field(default_factory=list, description="Visible notes (e.g. an LLM fallback).")


def answer_model(answer: Answer) -> AnswerObject:
    return AnswerObject(
        question=answer.question,
        answer=answer.text,
        refused=answer.refused,
        citations=answer.citations,
        dose_check=answer.dose_check,
        understood=answer.understood,
        clarify=answer.clarify,
        not_covered=answer.not_covered,
        guard=answer.guard,
        backend=answer.backend,
        notes=answer.notes,
    )


def answer_object(answer: Answer) -> dict[str, Any]:
    """The answer as a JSON-ready dict."""
    return answer_model(answer).model_dump(mode="json")
