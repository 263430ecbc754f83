"""Name what a question asks that the library's text does not answer: the question's own content words that no
candidate sentence (nor its section) uses, rarest first — so a refusal says "not covered: overdose", not only no."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from wordfreq import zipf_frequency

from assistant.answer.compose import REFUSAL
from assistant.answer.ranking import Ranked
from assistant.answer.relevance import Candidate, covering_stems, name_stems
from assistant.text.words import STOPWORDS, stem, words
from assistant.types import Answer, Hit

MAX_WORDS = 3


def uncovered_aspect(question: str, candidates: Iterable[Candidate], known: Collection[str]) -> list[str]:
    """Up to three words of `question` that the candidates never use; `known` are the words that name what the library
    is about (its drugs and indications), which are never the missing aspect."""
    return uncovered_words(question, covering_stems(list(candidates)), known)


def hits_aspect(question: str, hits: Iterable[Hit], known: Collection[str]) -> list[str]:
    """Up to three words of `question` that no retrieved chunk (nor its section) uses."""
    seen = {stem(w) for h in hits for w in words(f"{h.chunk.section} {h.chunk.text}")}
    return uncovered_words(question, seen, known)


def uncovered_words(question: str, seen: set[str], known: Collection[str]) -> list[str]:
    names = name_stems(known)
    out: list[str] = []
    for w in words(question):
        if w in STOPWORDS or len(w) < 3 or not w.isalpha() or stem(w) in seen or stem(w) in names or w in out:
            continue
        out.append(w)
    return sorted(out, key=lambda w: zipf_frequency(w, "en"))[:MAX_WORDS]


def with_aspect(answer: Answer, aspect: list[str]) -> Answer:
    """A refusal, or an emergency's answer, that also names the question's words the library does not cover."""
    named = list(dict.fromkeys([*answer.not_covered, *aspect]))
    if named == answer.not_covered:
        return answer
    if answer.refused:
        return answer.model_copy(update={"not_covered": named, "text": refusal_text(named)})
    line = f"The guidelines here do not cover: {', '.join(aspect)}."
    return answer.model_copy(update={"not_covered": named, "text": f"{answer.text}\n\n{line}"})


def evidence_refusal(question: str, ranked: Ranked, known: Collection[str], common: dict[str, Any]) -> Answer:
    """No guideline sentence answers what is asked: refuse, naming what the library does not cover."""
    aspect = uncovered_aspect(ranked.asked or question, ranked.candidates[:10], known)
    common = {**common, "not_covered": list(dict.fromkeys([*common["not_covered"], *aspect]))}
    return Answer(text=refusal_text(common["not_covered"]), refused=True, **common)


def refusal_text(not_covered: list[str]) -> str:
    """The refusal, naming what the library does not cover when that is known."""
    return REFUSAL + (f" Not covered: {', '.join(not_covered)}." if not_covered else "")
