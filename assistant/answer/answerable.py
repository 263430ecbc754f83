"""Is what the question asks answered by the library's text at all? A question-level decision from evidence:
the best sentence's relevance, how close the latest message (the subject's own names left out) comes to any
candidate sentence, and the share of the question's words (weighted by rarity) that no candidate sentence or its
section uses, with the glossary's corpus wording counted for a lay word. The weights are fitted with the ranker
(`python -m evals.fit_ranker`) on the tune split; never a list of words that refuse.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from assistant.answer.relevance import Candidate, covering_stems, logistic, name_stems, question_terms
from assistant.text.words import stem, words

ANSWER_FEATURES = ("best", "best_last", "uncovered", "kind")
TOP = 5  # the candidates whose words count as covering the question


def uncovered_share(
    message: str, candidates: Sequence[Candidate], known: Collection[str], expand: Callable[[str], str]
) -> float:
    """Rarity-weighted share of the message's content words that no top candidate uses (words naming the library's
    drugs and indications excepted; a word counts as used when its glossary wording is)."""
    seen = covering_stems(list(candidates[:TOP]))
    names = name_stems(known)
    terms = {t: wt for t, wt in question_terms(message).items() if t not in names}
    missing: set[str] = set()
    for word in words(message):
        t = stem(word)
        if t in terms and t not in missing and not {stem(w) for w in words(expand(word))} & seen:
            missing.add(t)
    total = sum(terms.values())
    return sum(terms[t] for t in missing) / total if total else 0.0


@dataclass(frozen=True)
class Answerability:
    """Logistic weights over ANSWER_FEATURES; a question is answered from probability 0.5 on."""

    weights: dict[str, float]
    intercept: float

    def probability(self, features: dict[str, float]) -> float:
        return logistic(self.weights, self.intercept, features)


def answer_features(candidates: Sequence[Candidate], uncovered: float) -> dict[str, float]:
    """`kind`: how likely the question is of a kind some candidate sentence answers in that kind's wording (a
    question of a kind no retrieved text answers, such as cost, is not answered by the library)."""
    return {
        "best": candidates[0].probability if candidates else 0.0,
        "best_last": max((c.features.get("dense_last", 0.0) for c in candidates), default=0.0),
        "uncovered": uncovered,
        "kind": max((c.features.get("cue_soft", 0.0) for c in candidates), default=0.0),
    }
