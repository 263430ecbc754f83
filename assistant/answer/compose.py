"""Deterministic extractive answers: the guideline's own sentences, each ending in [n] citations."""

from __future__ import annotations

import re
from functools import lru_cache

from assistant.answer.citations import CitationNumbering
from assistant.answer.indications import sentence_indication
from assistant.dosing.rules.schema import DrugRules
from assistant.query.understand import Query
from assistant.text.sentences import split_sentences
from assistant.text.words import content_terms, words
from assistant.types import SEVERITY_ORDER, VERDICT_LABELS, Chunk, DoseCheck, Draft, Finding, Hit, Intent

REFUSAL = "The guidelines in this assistant's corpus do not cover this question, so it cannot be answered here."

DOSE_INTENTS: frozenset[Intent] = frozenset({"maximum", "start", "titration", "dose"})
MAX_POINTS = 3
# Informational findings worth a line in the answer: the limits themselves. The rest stays in `dose_check`.
LIMIT_CODES = frozenset({"max_daily", "start_dose", "titration_step", "indication_needed", "route_no_limits"})


def compatible(sentence_ind: str | None, query_inds: list[str], drug_rules: DrugRules | None) -> bool:
    """A sentence fits when it is about one of the candidate indications; general text fits only the indications
    the rules apply it to (never a stricter indication's limits)."""
    if not query_inds or sentence_ind is None:
        return True
    if sentence_ind == "general":
        applies = drug_rules.general_text.applies_to if drug_rules is not None and drug_rules.general_text else []
        return any(q in applies for q in query_inds)
    return sentence_ind in query_inds


def _with_marker(sentence: str, n: int) -> str:
    """'Text.' → 'Text [n].' so the marker ends the sentence it supports."""
    body = sentence.rstrip()
    end = body[-1] if body and body[-1] in ".!?" else "."
    return f"{body.rstrip('.!?')} [{n}]{end}"


def _score(
    sentence: str,
    chunk: Chunk,
    rank: int,
    query: Query,
    query_terms: set[str],
    answer_cue: str | None,
    drug_rules: DrugRules | None,
) -> float:
    overlap = len(query_terms & set(content_terms(f"{chunk.section} {sentence}")))
    weight = 1.0 if query.intent in ("dose", "general") else 3.0  # a bare 'dose' question says little about wording
    cue = weight if answer_cue and re.search(answer_cue, sentence, re.IGNORECASE) else 0.0
    ind = sentence_indication(sentence, chunk, drug_rules)
    fit = 1.0 if query.indication and ind == query.indication else 0.0
    return cue + fit + 0.5 * overlap + 1.0 / rank


def names_another_drug(sentence: str, others: frozenset[str]) -> bool:
    """Does the sentence name one of `others` (a word, its plural, or a several-word name)? Word look-ups, not one
    alternation of every name: a library of thousands of drugs made that regex the slowest step of a reply."""
    tokens = words(sentence)
    if any(t in others or (t.endswith("s") and t[:-1] in others) for t in tokens):
        return True
    joined = f" {' '.join(tokens)} "
    return any(f" {name} " in joined for name in _several_word_names(others))


@lru_cache(maxsize=8)
def _several_word_names(names: frozenset[str]) -> tuple[str, ...]:
    return tuple(" ".join(words(n)) for n in names if len(words(n)) > 1)


def pick_sentences(
    query: Query,
    hits: list[Hit],
    max_points: int = MAX_POINTS,
    other_drugs: tuple[str, ...] = (),
    answer_cue: str | None = None,
    drug_rules: DrugRules | None = None,
) -> list[tuple[str, Chunk]]:
    """The lead sentence for the intent, then the best supporting sentences. In a dosing answer, text about
    another indication or another drug (`other_drugs`: named drugs that are not the question's) is left out."""
    others = frozenset(d.lower() for d in other_drugs)
    query_terms = set(content_terms(query.search_text))
    dosing = query.intent in DOSE_INTENTS or bool(query.doses)
    scored: list[tuple[float, str, Chunk]] = []
    for rank, hit in enumerate(hits, start=1):
        for sentence in split_sentences(hit.chunk.text):
            ind = sentence_indication(sentence, hit.chunk, drug_rules)
            if dosing and not compatible(ind, query.indications, drug_rules):
                continue  # another indication's dose numbers would answer the wrong question
            if dosing and others and names_another_drug(sentence, others):
                continue  # another drug's dose is not this drug's
            score = _score(sentence, hit.chunk, rank, query, query_terms, answer_cue, drug_rules)
            scored.append((score, sentence, hit.chunk))
    scored.sort(key=lambda item: -item[0])
    picked: list[tuple[str, Chunk]] = []
    for score, sentence, chunk in scored:
        if len(picked) > max_points:
            break
        relevant = score >= 1.5 or not picked  # the top sentence always; others need overlap or a cue
        if relevant and all(sentence != s for s, _ in picked):
            picked.append((sentence, chunk))
    return picked


def _finding_line(finding: Finding, cands: CitationNumbering, source_chunk) -> str:
    chunk = source_chunk(finding.citation) if finding.citation else None
    return f"- {_with_marker(finding.message, cands.cite(chunk)) if chunk else finding.message}"


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


def compose(
    query: Query,
    hits: list[Hit],
    dose_check: DoseCheck | None,
    source_chunk,
    other_drugs: tuple[str, ...] = (),
    answer_cues: dict[str, str] | None = None,
    drug_rules: DrugRules | None = None,
) -> Draft:
    """Dose verdict (when a dose was checked), then the guideline's own sentences with [n] citations.

    `source_chunk(RuleSource) -> Chunk | None` finds the chunk a rule limit cites; `other_drugs` are the
    drugs the corpus names other than the one asked about, so that their doses never answer for it.
    """
    cands = CitationNumbering()
    blocks: list[str] = []
    checker_lines: list[str] = []
    if dose_check is not None:
        checker_lines = dose_check_lines(dose_check, cands, source_chunk)
        blocks.append("\n".join(checker_lines))
    query = query.model_copy(update={"intent": answered_intent(query.intent, dose_check)})
    cue = (answer_cues or {}).get(query.intent)
    picked = pick_sentences(query, hits, other_drugs=other_drugs, answer_cue=cue, drug_rules=drug_rules)
    if picked:
        lead, lead_chunk = picked[0]
        blocks.append(_with_marker(lead, cands.cite(lead_chunk)))
        points = [f"- {_with_marker(s, cands.cite(c))}" for s, c in picked[1:]]
        if points:
            blocks.append("\n".join(points))
    return Draft(text="\n\n".join(blocks), citations=cands.citations, checker_lines=checker_lines)
