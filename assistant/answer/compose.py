"""Deterministic extractive answers: the guideline's own sentences, each ending in [n] citations."""

from __future__ import annotations

from collections.abc import Iterable

from assistant.answer.citations import CitationNumbering
from assistant.answer.ranking import Picked
from assistant.query.understand import Query
from assistant.text.words import words
from assistant.types import SEVERITY_ORDER, VERDICT_LABELS, DoseCheck, Draft, Finding, Intent

REFUSAL = "The guidelines in this assistant's corpus do not cover this question, so it cannot be answered here."

DOSE_INTENTS: frozenset[Intent] = frozenset({"maximum", "start", "titration", "dose"})
# Informational findings worth a line in the answer: the limits themselves. The rest stays in `dose_check`.
LIMIT_CODES = frozenset({"max_daily", "start_dose", "titration_step", "indication_needed", "route_no_limits"})


def _with_marker(sentence: str, numbers: list[int]) -> str:
    """'Text.' → 'Text [n].' (or 'Text [n][m].' for a statement several chunks make) so the markers end the
    sentence they support."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    return f"{body.rstrip('.!?')} {''.join(f'[{n}]' for n in numbers)}{end}"


class DrugNameIndex:
    """Drug names by their words, built once per library: whether a sentence names one of them costs a set look-up
    per word of the sentence, never a pass over every name (a library of thousands of drugs made that the slowest
    step of a reply)."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(n.lower() for n in names)
        self.phrases: dict[str, list[tuple[str, str]]] = {}  # first word → (name, its words joined)
        for name in self.names:
            parts = words(name)
            if len(parts) > 1:
                self.phrases.setdefault(parts[0], []).append((name, " ".join(parts)))

    def names_other(self, sentence: str, subject: str = "") -> bool:
        """Does the sentence name one of the drugs other than `subject` (a word, its plural, or a several-word name)?"""

        def other(word: str) -> bool:
            return word != subject and word in self.names

        tokens = words(sentence)
        if any(other(t) or (t.endswith("s") and other(t[:-1])) for t in tokens):
            return True
        joined = f" {' '.join(tokens)} "
        return any(
            f" {phrase} " in joined for t in set(tokens) for name, phrase in self.phrases.get(t, ()) if name != subject
        )


def _finding_line(finding: Finding, cands: CitationNumbering, source_chunk) -> str:
    chunk = source_chunk(finding.citation) if finding.citation else None
    return f"- {_with_marker(finding.message, [cands.cite(chunk)]) if chunk else finding.message}"


def dose_check_lines(check: DoseCheck, cands: CitationNumbering, source_chunk) -> list[str]:
    """Verdict first, in plain words, then each finding with the corpus text behind its limit."""
    target = check.indication.replace("_", " ") if check.indication else "an unstated indication"
    label = VERDICT_LABELS[check.verdict]
    head = f"**{label}** ({check.verdict}): {check.dose} of {check.route} {check.drug} for {target}."
    if check.reason:
        head += f" {check.reason.rstrip('.')}."
    shown = [f for f in check.findings if f.severity != "info" or f.code in LIMIT_CODES]
    findings = sorted(shown, key=lambda f: SEVERITY_ORDER.index(f.severity))
    return [head, *[_finding_line(f, cands, source_chunk) for f in findings]]


def answered_intent(intent: Intent | None, dose_check: DoseCheck | None) -> Intent:
    """The intent the guideline sentences answer: a checked dose is answered with its limits."""
    intent = intent or "general"
    return "maximum" if dose_check is not None and intent in ("dose", "general") else intent


def dosing_question(query: Query) -> bool:
    """A question about a dose: its figures must be this drug's and this indication's."""
    return query.intent in DOSE_INTENTS or bool(query.doses)


def compose(dose_check: DoseCheck | None, picked: list[Picked], source_chunk) -> Draft:
    """Dose verdict (when a dose was checked), then the guideline's own sentences, chosen by relevance
    (assistant/answer/ranking.py), with [n] citations. `source_chunk(RuleSource) -> Chunk | None` finds the chunk a
    rule limit cites."""
    cands = CitationNumbering()
    blocks: list[str] = []
    checker_lines: list[str] = []
    if dose_check is not None:
        checker_lines = dose_check_lines(dose_check, cands, source_chunk)
        blocks.append("\n".join(checker_lines))
    if picked:
        lead = picked[0]
        blocks.append(_with_marker(lead.sentence, [cands.cite(c) for c in lead.chunks]))
        points = [f"- {_with_marker(p.sentence, [cands.cite(c) for c in p.chunks])}" for p in picked[1:]]
        if points:
            blocks.append("\n".join(points))
    return Draft(text="\n\n".join(blocks), citations=cands.citations, checker_lines=checker_lines)
