"""Checks a model's sentences need on top of the guard (which was built for the guideline's own words), and the
guarding of a whole model draft: dose-check lines first, then what the model wrote, through the same guard."""

from __future__ import annotations

import re

from assistant.answer.guard import Guarded, guard
from assistant.answer.support import support_pool
from assistant.dosing.rules.schema import DrugRules
from assistant.text.citations import cited_numbers, normalise_markers, strip_citations
from assistant.text.quantities import numbers_in, unsupported
from assistant.text.sentences import split_sentences
from assistant.text.words import content_terms
from assistant.types import (
    VERDICT_ORDER,
    Chunk,
    Citation,
    DoseCheck,
    Draft,
    GuardRemoval,
    GuardReport,
    RemovalCode,
)

Problem = tuple[RemovalCode, str]  # why a sentence goes: its code and the reason in words
MIN_TERM_SHARE = 0.6  # a model sentence must mostly use the words of the text it cites (or of the question)

# The checker's own verdict words, and wording that claims the dose is within limits. ('Caution' and
# 'contraindicated' are ordinary clinical words and stay with the guard's other checks.)
_VERDICT_NAMES = re.compile(r"\b(" + "|".join(v for v in VERDICT_ORDER if "_" in v) + r")\b", re.I)
_WITHIN = re.compile(
    r"\bwithin (?:the )?(?:guideline'?s? |recommended |dosing |usual |safe )?(?:limits?|range)\b", re.I
)
# Permission to give the dose, in any wording the guard's acceptability check does not cover ('I can increase').
_PERMITS = re.compile(
    r"\b(?:can|may|could|able to)\s+(?:safely\s+|still\s+)?(?:be\s+)?(?:increased?|given|give|used?|taken|take|"
    r"continued?|started|start|prescribed?|go(?:ne)? up|raised?)\b|\bgo ahead\b|\bno (?:problem|concern)s?\b",
    re.I,
)
_YES_NO = re.compile(r"^\W*(?:yes|no)\s*[,.;:!\u2014-]", re.I)
_GLUED = re.compile(
    r"(?:(?<=[A-Za-z])|(?<=[A-Za-z/%][.,]))[0-9]+(?:\.[0-9]+)?"
)  # 'day.5', 'q8h': numbers_in skips them


def normalise(text: str) -> str:
    """Put markers written after the full stop before it, expand [1-3] and [1][2], drop list numbering."""
    text = normalise_markers(text)
    return re.sub(r"(?m)^(\s*)\d{1,2}[.)]\s+", r"\1- ", text).strip()


def model_checks(
    text: str,
    sources: Draft,
    question: str,
    allowed: dict[str, Chunk],
    dose_check: DoseCheck | None,
    drug_rules: DrugRules | None,
) -> tuple[str, list[GuardRemoval]]:
    """Checks a model's sentences need on top of the guard (which was built for the guideline's own words):
    a verdict word other than the checker's, a bare yes/no verdict, a number glued to a word (invisible to the
    number check), and a sentence whose words are mostly not in the text it cites. A sentence the guard itself
    removes is left to the guard, so that its reason is the one reported."""
    by_n = {c.n: c for c in sources.citations}
    context = set(content_terms(" ".join([question, *sources.checker_lines])))
    removed: list[GuardRemoval] = []
    lines: list[str] = []
    seen: set[str] = set()
    facts = ". ".join(
        f"{k} {v}" for k, v in (dose_check.patient if dose_check else {}).items() if not isinstance(v, bool)
    )
    for line in text.split("\n"):
        kept: list[str] = []
        for sentence in split_sentences(line) if line.strip() else [line]:
            if guard(
                Draft(text=sentence, citations=sources.citations), question, allowed, dose_check, drug_rules
            ).report.removed:
                kept.append(sentence)  # the guard's own pass removes it, with its reason
            elif (key := " ".join(content_terms(strip_citations(sentence)))) in seen and key:
                removed.append(
                    GuardRemoval(sentence=sentence.strip(), code="repeat", reason="repeats an earlier sentence")
                )
            elif problem := (
                _model_problem(sentence, by_n, context, dose_check)
                or _unit_problem(sentence, by_n, question, sources, facts)
            ):
                removed.append(GuardRemoval(sentence=sentence.strip(), code=problem[0], reason=problem[1]))
            else:
                seen.add(key)
                kept.append(sentence)
        if kept or not line.strip():
            lines.append(" ".join(kept))
    return "\n".join(lines), removed


def _unit_problem(
    sentence: str, by_n: dict[int, Citation], question: str, sources: Draft, facts: str
) -> Problem | None:
    """A supported number with another unit ('10 years' where the question says '10 mg'): the guard compares
    values only, so the model's quantities are also compared with their units."""
    cited = [by_n[n].text for n in cited_numbers(sentence) if n in by_n]
    pool = support_pool(cited=cited, given=[question, facts, *sources.checker_lines])
    if bad := unsupported(sentence, pool):
        stated = ", ".join(q.label() for q in bad)
        return "wrong_unit", f"quantity {stated} is not stated so in the cited text, the question or the dose check"
    return None


def _model_problem(
    sentence: str, by_n: dict[int, Citation], context: set[str], dose_check: DoseCheck | None
) -> Problem | None:
    actual = dose_check.verdict if dose_check else None
    named: set[str | None] = {m.group(1).lower() for m in _VERDICT_NAMES.finditer(sentence)}
    if dose_check is not None and _WITHIN.search(sentence):  # said of the proposed dose
        named.add("within_limits")
    if named - {actual}:
        wrong = ", ".join(sorted(str(v) for v in named - {actual}))
        return "wrong_verdict", f"states verdict {wrong} but the dose checker says {actual or 'no dose check'}"
    if dose_check is not None and actual != "within_limits" and _PERMITS.search(sentence):
        return "permits_dose", f"permits the dose but the dose checker says {actual}"
    if _YES_NO.match(sentence):
        return "yes_no", "a yes/no verdict is the dose checker's and the guideline's, not the model's"
    if glued := _GLUED.findall(strip_citations(sentence)):
        return "glued_number", f"number {', '.join(glued)} is glued to a word, so it cannot be checked"
    cited = [by_n[n] for n in cited_numbers(sentence) if n in by_n]
    figures = set(numbers_in(sentence))
    if cited and figures and not figures & set(numbers_in(" ".join(c.text for c in cited))):
        return (
            "restates_given",
            "none of its figures is in the text it cites (it only restates the question or the dose check)",
        )
    terms = set(content_terms(strip_citations(sentence)))
    if cited and terms:
        vocabulary = context | set(content_terms(" ".join(f"{c.title} {c.section} {c.text}" for c in cited)))
        share = len(terms & vocabulary) / len(terms)
        if share < MIN_TERM_SHARE:
            needs = f"needs {MIN_TERM_SHARE:.0%}"
            return "off_source_words", f"only {share:.0%} of its words are in the cited text or the question ({needs})"
    return None


def guard_draft(
    model_text: str,
    sources: Draft,
    question: str,
    allowed: dict[str, Chunk],
    dose_check: DoseCheck | None,
    drug_rules: DrugRules | None,
) -> tuple[Guarded, str]:
    """Dose-check lines + the model's text through the guard, and the model's kept sentences alone."""
    text, pre_removed = model_checks(normalise(model_text), sources, question, allowed, dose_check, drug_rules)
    text = "\n".join(
        line for line in text.split("\n") if line not in sources.checker_lines
    )  # copies of the checker's lines
    model_only = guard(Draft(text=text, citations=sources.citations), question, allowed, dose_check, drug_rules)
    body = "\n\n".join(part for part in ("\n".join(sources.checker_lines), text) if part)
    full = guard(
        Draft(text=body, citations=sources.citations, checker_lines=sources.checker_lines),
        question,
        allowed,
        dose_check,
        drug_rules,
    )
    full.report = GuardReport(removed=pre_removed + full.report.removed)
    return full, model_only.text
