"""LLMRequest: everything the optional LLM path needs for one turn, built once by the pipeline and passed down.

One typed context instead of a dozen parameters: the question, hits and dose check are the extractive answer's,
the single drug's rules are read from the one rule set (`rules`), so no caller can pass two that disagree.
Imports nothing of LangChain (the pipeline builds it before the LLM path is loaded).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from assistant.dosing.rules.schema import DrugRules
from assistant.settings import Settings
from assistant.types import Answer, Chunk, DoseCheck, Hit, Patient, RuleSource

if TYPE_CHECKING:
    from assistant.llm.prompt import Turn


@dataclass(frozen=True, kw_only=True)
class LLMRequest:
    """One turn for the LLM path: the guarded extractive answer and the context its draft is checked against."""

    extractive: Answer  # the guarded extractive answer: question, hits and dose check, and the fallback
    history: Sequence[Turn]  # the conversation before this message
    patient: Patient  # the stated facts (explicit fields over those read from the text)
    source_chunk: Callable[[RuleSource], Chunk | None]  # the indexed chunk behind a rule's quote
    guard_question: str  # the question text the guard compares numbers with
    allowed: dict[str, Chunk]  # chunks a sentence may cite: the hits and the chunks behind the dose check
    rules: Mapping[str, DrugRules]  # the loaded rules of every drug (the check_dose tool's too)
    drug: str | None  # the drug the question is about
    settings: Settings
    on_text: Callable[[str], None] | None = None  # receives the guarded text while the model writes

    @property
    def question(self) -> str:
        return self.extractive.question

    @property
    def hits(self) -> list[Hit]:
        return self.extractive.hits

    @property
    def dose_check(self) -> DoseCheck | None:
        return self.extractive.dose_check

    @property
    def drug_rules(self) -> DrugRules | None:
        """The rules of the question's drug, from `rules`."""
        return self.rules.get(self.drug) if self.drug else None
