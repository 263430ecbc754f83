"""Guideline text that contradicts the dose rules never reaches the user as plain advice: a sentence stating a dose
of the checked drug above the rules' maximum, or saying no renal adjustment is needed where the rules avoid or
reduce the dose, is removed by the guard (a poisoned or conflicting document cannot outvote the checker)."""

from __future__ import annotations

import re

from assistant.dosing.reading.parse import ParsedDose, parse_dose
from assistant.dosing.rules.quotes import sourced
from assistant.dosing.rules.schema import DrugRules
from assistant.query.numbers import dose_spans

# General clinical language, not drug knowledge: kidney words, and wordings that waive a renal adjustment.
RENAL = re.compile(r"\b(?:renal|kidneys?|e?gfr|crcl|creatinine clearance|ckd|dialy\w*|ha?emodialy\w*|esrd)\b", re.I)
NO_ADJUSTMENT = re.compile(
    r"\b(?:no (?:dose |dosage )?(?:adjustment|reduction|change)s?|(?:adjustment|reduction)s? (?:is |are )?not "
    r"(?:needed|necessary|required)|full (?:dose|doses|dosing)|usual (?:dose|doses) (?:can|may)|can (?:take|receive|"
    r"be given|use) (?:the )?(?:full|usual|normal|standard)|safe (?:in|for|with))\b",
    re.I,
)


def _cited_by_rules(drug_rules: DrugRules) -> set[str]:
    return {src.doc_id for _, _, src in sourced(drug_rules, drug_rules.drug)}


def _has_renal_limits(drug_rules: DrugRules) -> bool:
    general = drug_rules.general
    return general.renal is not None or bool(general.renal_bands) or any(r.renal_bands for r in drug_rules.rules)


def _maximum(drug_rules: DrugRules, indication: str | None) -> float | None:
    maxima = {r.indication: r.max_daily_mg.value for r in drug_rules.rules if r.max_daily_mg is not None}
    if indication in maxima:
        return maxima[indication]
    return max(maxima.values()) if maxima else None  # indication unknown: above every maximum is a conflict


def parsed_from(text: str, given: set[float]) -> bool:
    """Every figure of the dose text is one the user gave."""
    figures = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]
    return bool(figures) and all(any(abs(f - g) < 1e-9 for g in given) for f in figures)


def _names_the_drug(sentence: str, drug_rules: DrugRules) -> bool:
    return re.search(rf"\b{re.escape(drug_rules.drug)}\b", sentence, re.I) is not None


def rules_conflict(
    sentence: str, doc_id: str, indication: str | None, drug_rules: DrugRules | None, given: set[float] | None = None
) -> str | None:
    """Why the sentence contradicts the drug's rules, or None. Judged in text the rules were not reviewed against
    (a document no rule of the drug cites), and for doses also wherever the sentence names the drug itself — except
    a dose the user gave (`given`), which a reviewed document's sentence may restate (other checks judge that)."""
    if drug_rules is None:
        return None
    unreviewed = doc_id not in _cited_by_rules(drug_rules)
    waives = RENAL.search(sentence) and NO_ADJUSTMENT.search(sentence)
    if unreviewed and waives and _has_renal_limits(drug_rules):
        return "says no renal adjustment is needed, but the rules avoid or reduce the dose in renal impairment"
    limit = _maximum(drug_rules, indication)
    if limit is None or not (unreviewed or _names_the_drug(sentence, drug_rules)):
        return None
    for span in dose_spans(sentence):
        parsed = parse_dose(span.expression)
        restated = not unreviewed and given is not None and parsed_from(span.text, given)
        if isinstance(parsed, ParsedDose) and parsed.daily_high_mg > limit and not restated:
            return (
                f"states {span.text.strip()} ({parsed.daily_high_mg:g} mg/day), above the maximum of {limit:g} mg/day "
                f"in the {drug_rules.drug} rules"
            )
    return None
