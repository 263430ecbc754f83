"""The prompt of the optional LLM path: system rules, the last turns, the numbered sources, patient facts and the
dose check the orchestrator computed (the model never writes the verdict block)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from assistant.answer.citations import CitationNumbering
from assistant.answer.compose import dose_check_lines
from assistant.text.citations import strip_citations
from assistant.types import Chunk, DoseCheck, Draft, Hit, Patient, RuleSource

MAX_HISTORY_TURNS = 6
MAX_TURN_CHARS = 800

SYSTEM_PROMPT = """Answer the clinician's question using only the numbered guideline sources below. \
Copy the wording and the numbers of the source you use; never calculate, convert or round a number. \
End every sentence with the number of its source in square brackets. \
Do not call a dose safe, fine or acceptable and do not answer yes or no: the dose check is \
shown to the clinician separately. If the sources do not answer the question, say so.

Example (another drug):
Guideline sources:
[1] Drug X > Administration: Drug X should be taken with food.
[2] Drug X > Monitoring: Check liver tests before starting drug X.
Question: What should be checked before drug X is started?
Answer: Check liver tests before starting drug X [2]."""


class Turn(Protocol):
    """One turn of the conversation as the prompt needs it (`assistant.pipeline.Turn` is one)."""

    @property
    def role(self) -> str: ...

    @property
    def content(self) -> str: ...


def numbered_sources(
    hits: list[Hit], dose_check: DoseCheck | None, source_chunk: Callable[[RuleSource], Chunk | None]
) -> tuple[Draft, list[str]]:
    """Citations 1..k for the retrieved chunks (then limit sources), and the orchestrator's dose-check lines."""
    cands = CitationNumbering()
    for hit in hits:
        cands.cite(hit.chunk)
    lines = dose_check_lines(dose_check, cands, source_chunk) if dose_check is not None else []
    return Draft(text="", citations=cands.citations, checker_lines=lines), lines


def build_messages(
    history: Sequence[Turn], question: str, draft: Draft, patient: Patient, dose_check: DoseCheck | None
) -> list[BaseMessage]:
    """System rules, the last turns of the conversation, then sources, patient, dose check and the question."""
    messages: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT)]
    for turn in list(history)[-MAX_HISTORY_TURNS:]:
        content = strip_citations(turn.content)[:MAX_TURN_CHARS]  # old [n] point at other numbering
        messages.append(HumanMessage(content) if turn.role == "user" else AIMessage(content))
    sources = "\n".join(f"[{c.n}] {c.title} > {c.section}: {c.text}" for c in draft.citations)
    facts = ", ".join(f"{k} {v}" for k, v in patient.known().items()) or "none given"
    parts = [f"Guideline sources:\n{sources}", f"Patient facts: {facts}"]
    if dose_check is not None:
        parts.append("Dose check (already computed and shown to the clinician):\n" + "\n".join(draft.checker_lines))
    parts.append(f"Question: {question}")
    messages.append(HumanMessage("\n\n".join(parts)))
    return messages
