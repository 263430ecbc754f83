"""Does what the guard kept of a model's draft still answer the question?

The guard keeps only supported sentences, but a supported sentence can miss the point ("Drug X is used to
treat condition Y [1]." for "how much do you begin with?"). The extractive answer's lead sentence (and, for a
checked dose, the checker's limits) is the guideline's answer to the question's intent, so the kept text must
use that intent's wording and, when that answer states figures, at least one of them (same value, unit, rate).
"""

from __future__ import annotations

import re

from assistant.answer.compose import answered_intent
from assistant.text.citations import strip_citations
from assistant.text.quantities import Quantity, extract, supported
from assistant.text.sentences import split_sentences
from assistant.types import Answer


def reference_answer(extractive: Answer) -> str:
    """The dose-check block (when a dose was checked) and the first guideline sentence of the extractive answer."""
    blocks = [b for b in extractive.text.split("\n\n") if b.strip()]
    checker, body = (blocks[:1], blocks[1:]) if extractive.dose_check is not None else ([], blocks)
    lead = ""
    if body:
        first_line = body[0].strip().splitlines()[0].lstrip("- ")
        lead = (split_sentences(first_line) or [first_line])[0]
    return strip_citations("\n".join([*checker, lead])).strip()


def unanswered(model_text: str, extractive: Answer) -> str | None:
    """Why the kept model text does not answer the question the extractive answer answers; None when it does."""
    reference = reference_answer(extractive)
    if not reference:
        return None
    text = strip_citations(model_text)
    intent = answered_intent(extractive.intent, extractive.dose_check)
    cue = extractive.answer_cue  # the pipeline stores the cue of the answered intent
    if intent != "general" and cue and not re.search(cue, text, re.IGNORECASE):
        return f"the kept sentences do not say what the question asks ({intent})"
    given = _given(extractive)  # restating the question's own figures answers nothing
    figures = [q for q in extract(reference) if q.dim is not None and not supported(q, given)]
    stated = extract(text)
    if figures and not any(supported(q, stated) for q in figures):
        wanted = ", ".join(dict.fromkeys(q.label() for q in figures))
        return f"the kept sentences state none of the figures the guideline answers with ({wanted})"
    return None


def _given(extractive: Answer) -> list[Quantity]:
    """The figures the clinician supplied: the question, the checked dose and the patient facts."""
    check = extractive.dose_check
    given = extract(" ".join([extractive.question, check.dose if check else ""]))
    facts = check.patient.values() if check else []
    return given + [Quantity(float(v)) for v in facts if isinstance(v, int | float) and not isinstance(v, bool)]
