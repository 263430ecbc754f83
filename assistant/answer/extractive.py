"""The guarded extractive answer: the composed draft (verdict, then the chosen sentences) through the guard."""

from __future__ import annotations

import logging
from typing import Any

from assistant.answer.compose import REFUSAL, compose
from assistant.answer.guard import guard
from assistant.answer.ranking import Picked
from assistant.dosing.rules.schema import DrugRules
from assistant.types import Answer, Chunk, DoseCheck, Hit

log = logging.getLogger("assistant")


def extractive_answer(
    question: str,
    picked: list[Picked],
    hits: list[Hit],
    dose_check: DoseCheck | None,
    source_chunk,
    drug_rules: DrugRules | None,
    common: dict[str, Any],
) -> tuple[Answer, dict[str, Chunk]]:
    """The guarded answer (a refusal when the guard keeps nothing), and the chunks its sentences may cite: the hits
    and the chunks behind the dose check's findings."""
    draft = compose(dose_check, picked, source_chunk)
    allowed = {h.chunk.id: h.chunk for h in hits}
    for finding in dose_check.findings if dose_check else []:
        if finding.citation and (chunk := source_chunk(finding.citation)):
            allowed[chunk.id] = chunk
    guarded = guard(draft, question, allowed, dose_check, drug_rules)
    if guarded.report.removed:
        log.warning(
            "guard removed %d sentence(s): %s", len(guarded.report.removed), [r.reason for r in guarded.report.removed]
        )
    if not guarded.text.strip():
        return Answer(text=REFUSAL, refused=True, dose_check=dose_check, guard=guarded.report, **common), allowed
    named = common.get("not_covered") or []
    note = f"\n\nNot covered by the library: {', '.join(named)}." if named else ""
    answer = Answer(
        text=guarded.text + note,
        refused=False,
        citations=guarded.citations,
        dose_check=dose_check,
        guard=guarded.report,
        **common,
    )
    return answer, allowed


def finding_chunks(check: DoseCheck | None, source_chunk) -> list[str]:
    """Ids of the chunks behind the dose check's hard and soft findings: the text that answers a checked dose."""
    if check is None:
        return []
    chunks = [source_chunk(f.citation) for f in check.findings if f.severity != "info" and f.citation]
    return list(dict.fromkeys(c.id for c in chunks if c))
