"""The one rule, applied to any draft: no unsupported number, no invented citation, no number in the
wrong role, no dose called acceptable against the dose checker. Returns what it removed and why."""

from __future__ import annotations

import re

from pydantic import BaseModel

from assistant.answer.conflicts import rules_conflict
from assistant.answer.indications import sentence_indication
from assistant.answer.support import support_pool
from assistant.dosing.rules.schema import DrugRules
from assistant.text.citations import MARKER, marker, marker_numbers, renumber
from assistant.text.quantities import numbers_in, value_supported
from assistant.text.sentences import split_sentences
from assistant.types import (
    Chunk,
    Citation,
    DoseCheck,
    Draft,
    GuardRemoval,
    GuardReport,
    RemovalCode,
)

_NUM = r"(\d+(?:\.\d+)?)(?:\s*(?:-|–|to)\s*(\d+(?:\.\d+)?))?\s*(?:mg|milligram)"
ROLE_PATTERNS: dict[str, re.Pattern[str]] = {
    "maximum": re.compile(
        rf"(?:\bmax\b\.?|maxim\w*|up to|not (?:to )?exceed\w*|no more than|ceiling|highest|top dose)\D{{0,40}}?{_NUM}",
        re.I,
    ),
    "start": re.compile(rf"(?:\bstart\w*|initiat\w*|initial\w*|\bbegin\w*|first dose)\D{{0,40}}?{_NUM}", re.I),
    "titration": re.compile(rf"(?:increas\w*|titrat\w*|step\w*|rais\w*)\s+(?:\w+\s+){{0,2}}?(?:by|of)\s+{_NUM}", re.I),
    "range": re.compile(rf"(?:usual\w*|typical\w*|dosing range|optimal effect)\D{{0,30}}?{_NUM}", re.I),
}
ACCEPTABLE = re.compile(
    r"\b(?:is|are|would be|seems?|looks?|remains?)\s+(?:perfectly\s+|completely\s+|entirely\s+)?"
    r"(?:safe|fine|ok|okay|acceptable|appropriate|reasonable|allowed|within (?:the )?(?:guideline )?limits)\b"
    r"|\bsafe to (?:give|use|take|prescribe)\b|\byou can (?:safely )?(?:give|use|prescribe)\b",
    re.I,
)


# Words that judge a dose acceptable, in any register ("is generally safe", "well tolerated", "should be fine", "OK").
JUDGEMENT = re.compile(
    r"\b(?:safe(?:ly)?|fine|ok|okay|acceptable|appropriate|reasonable|allowed|permitted|tolerated|tolerable|"
    r"no problem|nothing to worry|can (?:safely )?be (?:used|given|taken|prescribed)|go ahead|"
    r"within (?:the )?(?:guideline'?s? |recommended |usual |safe )?(?:limits?|range))\b",
    re.I,
)
# A sentence that points at the user's dose rather than stating the guideline's own recommendation.
USER_DOSE = re.compile(
    r"\b(?:this|that|your|the proposed|the current|the planned|her|his|their) (?:dose|regimen|amount)\b"
    r"|^\W*(?:it|this|that)(?:'s| is| would be| should be| seems| looks)\b|\b(?:yes|no)\b[,.!]",
    re.I,
)


def judges_a_dose(sentence: str, check: DoseCheck | None) -> bool:
    """True when the sentence calls a dose acceptable that the checker did not find within limits: the user's own
    dose (by reference or by its figure), any dose above the checked limit, or any dose when nothing was checked."""
    if ACCEPTABLE.search(sentence) and (check is None or check.verdict != "within_limits"):
        return True
    if not JUDGEMENT.search(sentence):
        return False
    figures = numbers_in(sentence)
    if check is None:  # nothing was checked: no figure may be called acceptable, no dose referred to as fine
        return bool(figures) or bool(USER_DOSE.search(sentence))
    own = {v for v in (check.daily_dose_mg, check.daily_dose_max_mg, check.single_dose_mg) if v is not None}
    own |= set(numbers_in(check.dose))
    about_user = bool(USER_DOSE.search(sentence)) or any(value_supported(v, own) for v in figures)
    limits = [v for f in check.findings if f.code == "max_daily" and f.limit for v in numbers_in(f.limit)]
    above = bool(limits) and any(v > max(limits) for v in figures)
    return (about_user and check.verdict != "within_limits") or above


class Guarded(BaseModel):
    """The draft after the guard."""

    text: str
    citations: list[Citation]
    report: GuardReport


def role_table(drug_rules: DrugRules) -> dict[str, dict[str, set[float]]]:
    """Per indication, the numbers each role may state: start, maximum, titration step, usual range."""
    table: dict[str, dict[str, set[float]]] = {}
    for r in drug_rules.rules:
        start = {r.start_daily_mg.low, r.start_daily_mg.high} if r.start_daily_mg else set()
        if r.start_regimen:
            start |= {r.start_regimen.single_mg, r.start_regimen.single_mg * r.start_regimen.doses_per_day}
        usual = {v for u in r.usual_daily_mg for v in (u.low, u.high)}
        maximum = {r.max_daily_mg.value} if r.max_daily_mg else set()
        table[r.indication] = {
            "start": start,
            "maximum": maximum,
            "titration": {r.titration.step_daily_mg.value} if r.titration else set(),
            "range": usual | start | maximum,
        }
    return table


def role_errors(
    sentence: str,
    indication: str | None,
    table: dict[str, dict[str, set[float]]],
    general_applies_to: list[str] | None = None,
) -> list[str]:
    """Roles whose stated number disagrees with the rule for the sentence's indication (general text: the
    indications the rules apply it to)."""
    names = (general_applies_to or []) if indication == "general" else [indication] if indication else []
    candidates = [table[n] for n in names if n in table] or list(table.values())
    errors = []
    for role, pattern in ROLE_PATTERNS.items():
        for m in pattern.finditer(sentence):
            stated = [float(g) for g in m.groups() if g]
            if not any(
                all(value_supported(v, allowed[role]) for v in stated) for allowed in candidates if allowed[role]
            ):
                figures = "-".join(f"{v:g}" for v in stated)
                errors.append(f"states {role} {figures} mg, not the rule for {indication or 'any indication'}")
    return errors


def support_values(texts: list[str], question: str = "", dose_check: DoseCheck | None = None) -> set[float]:
    """The values of the support pool (`assistant.answer.support`), number words included: what the guard compares."""
    return {q.value for q in support_pool(cited=texts, given=[question], dose_check=dose_check, words=True)}


def guard(
    draft: Draft,
    question: str,
    allowed_chunks: dict[str, Chunk],
    dose_check: DoseCheck | None,
    drug_rules: DrugRules | None,
) -> Guarded:
    """Check the draft sentence by sentence; drop what breaks the rule and renumber the citations kept."""
    by_n = {c.n: c for c in draft.citations if c.chunk_id in allowed_chunks}
    given_numbers = support_values([], question, dose_check)
    table = role_table(drug_rules) if drug_rules else {}
    removed: list[GuardRemoval] = []
    kept_lines: list[str] = []
    for line in draft.text.split("\n"):
        from_checker = line in draft.checker_lines
        kept_sentences = []
        for sentence in split_sentences(line) if line.strip() else [line]:
            sentence, problem = _check_sentence(
                sentence, by_n, given_numbers, table, dose_check, from_checker, drug_rules
            )
            if problem:
                removed.append(GuardRemoval(sentence=sentence, code=problem[0], reason=problem[1]))
            else:
                kept_sentences.append(sentence)
        if kept_sentences or not line.strip():
            kept_lines.append(" ".join(kept_sentences))
    text, citations = _renumber("\n".join(kept_lines), by_n)
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return Guarded(text=text, citations=citations, report=GuardReport(removed=removed))


def _check_sentence(
    sentence: str,
    by_n: dict[int, Citation],
    given_numbers: set[float],
    table: dict[str, dict[str, set[float]]],
    dose_check: DoseCheck | None,
    from_checker: bool,
    drug_rules: DrugRules | None = None,
) -> tuple[str, tuple[RemovalCode, str] | None]:
    """(sentence with invalid markers removed, (code, reason) to drop it or None)."""
    if not sentence.strip():
        return sentence, None
    cited: list[Citation] = []
    for m in list(MARKER.finditer(sentence)):
        good = [n for n in marker_numbers(m.group(1)) if n in by_n]
        cited += [by_n[n] for n in good]
        sentence = sentence.replace(m.group(0), marker(good))
    sentence = re.sub(r"\s+([.!?])", r"\1", re.sub(r"\s{2,}", " ", sentence)).strip()
    bare = re.sub(r"^[-*]\s+", "", sentence)
    if not cited and not from_checker:
        return sentence, ("uncited", "no citation to a retrieved guideline chunk")
    support = given_numbers | support_values([c.text for c in cited])
    missing = [v for v in numbers_in(bare) if not value_supported(v, support)]
    if missing:
        numbers = ", ".join(f"{v:g}" for v in missing)
        where = "the cited text, the question or the dose check"
        return sentence, ("unsupported_number", f"number {numbers} is not in {where}")
    if table and not from_checker:
        doc_chunk = cited[0] if cited else None
        ind = sentence_indication(bare, _as_chunk(doc_chunk), drug_rules) if doc_chunk else None
        applies = drug_rules.general_text.applies_to if drug_rules is not None and drug_rules.general_text else []
        if errs := role_errors(bare, ind, table, applies):
            return sentence, ("wrong_role", "; ".join(errs))
        if doc_chunk and (conflict := rules_conflict(bare, doc_chunk.doc_id, ind, drug_rules, given_numbers)):
            return sentence, ("conflicts_with_rules", conflict)
    if judges_a_dose(bare, dose_check):
        verdict = dose_check.verdict if dose_check else "no dose check"
        return sentence, ("calls_acceptable", f"calls a dose acceptable but the dose checker says {verdict}")
    return sentence, None


def _as_chunk(c: Citation) -> Chunk:
    return Chunk(id=c.chunk_id, doc_id=c.doc_id, title=c.title, section=c.section, text=c.text, refs=c.refs)


def _renumber(text: str, by_n: dict[int, Citation]) -> tuple[str, list[Citation]]:
    """Number the surviving citations 1..n in order of first use."""
    text, order = renumber(text)
    return text, [by_n[old].model_copy(update={"n": i + 1}) for i, old in enumerate(order)]
