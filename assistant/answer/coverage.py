"""Two levels of coverage. Rules coverage: a drug with a rules file has its doses checked. Text coverage: a substance
the library's text speaks about (albumin as an alternative, a toxin for focal treatment) without a rules file may be
the subject of a question: its sentences are quoted and cited, a dose of it is `unable_to_check` (no dose rules), and
no other drug's sentence answers for it."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from assistant.answer.relevance import DOSE_FIGURE, Candidate
from assistant.query.understand import Query
from assistant.text.words import words
from assistant.types import DoseCheck


def _in_text(name: str, knows: Callable[[str], bool]) -> bool:
    parts = [w for w in words(name) if w.isalpha()]
    return bool(parts) and all(knows(w) for w in parts)


def text_subject(query: Query, knows: Callable[[str], bool]) -> Query:
    """A question naming no covered drug, but a substance whose name the library's text uses, is about that substance
    (its canonical name, a brand read through the drug dictionary or the glossary's aliases)."""
    if query.drug is not None or not query.not_covered:
        return query
    found = [m for m in query.mentions if not m.covered and not m.vague and _in_text(m.name, knows)]
    if not found:
        return query
    subject = found[0]
    rest = [n for n in query.not_covered if n not in (subject.text, subject.name)]
    return query.model_copy(update={"drug": subject.name, "not_covered": rest})


def names_subject(sentence: str, subject: str) -> bool:
    """Does the sentence name the substance (every word of its name)?"""
    have = set(words(sentence))
    return all(w in have or f"{w}s" in have for w in words(subject))


def uncovered_companions(query: Query, sentences: list[str]) -> list[str]:
    """Other drugs the question names beside its subject that no candidate sentence speaks about (an interaction or an
    'instead' the library does not cover)."""
    return [n for n in query.not_covered if not any(names_subject(s, n) for s in sentences)]


def without_names(message: str, names: Collection[str]) -> str:
    """The message with the library's drug names left out: what it asks about them (for the relevance step)."""
    drop = {w for n in names for w in n.lower().split()}
    kept = [w for w in message.split() if w.lower().strip(".,;:?!()'\"") not in drop]
    return " ".join(kept) or message


def unchecked_companions(
    query: Query, sentences: list[str], dose_check: DoseCheck | None
) -> tuple[list[str], DoseCheck | None]:
    """The named other drugs no candidate sentence speaks about, and the dose check with each listed as not checked
    (the dose of the covered drug is still checked; what the other drug changes is not)."""
    companions = uncovered_companions(query, sentences)
    if not companions or dose_check is None:
        return companions, dose_check
    unchecked = [f"{c} named: no rule or guideline text on it with {query.drug}, not checked" for c in companions]
    return companions, dose_check.model_copy(update={"assumptions": [*dose_check.assumptions, *unchecked]})


def unstated_dose(query: Query, candidates: Sequence[Candidate], dosing: bool, ruled: bool) -> list[str]:
    """A dose question about a substance only the text covers, none of whose sentences states a dose of it: the
    library does not cover its dose (a sentence that merely names it does not answer)."""
    if ruled or not dosing or not query.drug or any(DOSE_FIGURE.search(c.sentence) for c in candidates):
        return []
    return [f"{query.drug} dose"]
