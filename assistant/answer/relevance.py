"""How well each retrieved guideline sentence answers the whole question: a logistic model over signals the reply has
already computed (question-sentence cosine, chunk cosine, weighted term overlap, section match, every question kind's
answer wording weighted by its odds, indication fit, another substance as subject, retrieval rank, a dose figure for a
dose question). The most likely kind's wording is not a feature of its own: a wrong label would lead the answer.

The coefficients and thresholds are reviewed data (corpus/ranker.toml), refitted by `python -m evals.fit_ranker` on
the tune split of the content suite. The question kind is one signal here, never a gate.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Collection
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from wordfreq import zipf_frequency

from assistant.text.words import STOPWORDS, stem, words
from assistant.types import Chunk

RANKER_FILE = "ranker.toml"
FEATURES = (
    "dense",
    "dense_last",
    "dense_gap",
    "lexical_gap",
    "chunk_dense",
    "lexical",
    "section",
    "cue_soft",
    "indication_fit",
    "other_subject",
    "rank",
    "dose_number",
)
DOSE_FIGURE = re.compile(r"\d\s*(?:mg|g|mcg|µg|ml|units?)\b", re.IGNORECASE)


def logistic(weights: dict[str, float], intercept: float, features: dict[str, float]) -> float:
    """The probability a fitted logistic model gives these features (a feature without a weight counts 0)."""
    z = intercept + sum(weights.get(k, 0.0) * v for k, v in features.items())
    return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


def covering_stems(candidates: list[Candidate] | tuple[Candidate, ...]) -> set[str]:
    """The stems the candidates' sentences and sections use (what the text could answer with)."""
    return {stem(w) for c in candidates for w in words(f"{c.chunk.section} {c.sentence}")}


def name_stems(names: Collection[str]) -> frozenset[str]:
    """The stems of the words naming what the library is about (never an uncovered aspect of a question); computed
    once per library (a frozenset keeps its hash), not per reply."""
    return _name_stems(names if isinstance(names, frozenset) else frozenset(names))


@lru_cache(maxsize=8)
def _name_stems(names: frozenset[str]) -> frozenset[str]:
    return frozenset(stem(w) for name in names for w in words(name))


@dataclass(frozen=True)
class RelevanceModel:
    """Logistic weights per feature, and the probabilities that decide what is shown and whether to answer."""

    weights: dict[str, float]
    intercept: float
    include: float = 0.5  # a sentence after the lead is shown from this probability on
    answer: float = 0.2  # below this for the best sentence, the library does not answer what is asked
    duplicate: float = 0.9  # two sentences this close in meaning, with the same figures, say the same thing
    answer_weights: dict[str, float] = field(default_factory=dict)  # assistant/answer/answerable.py
    answer_intercept: float = 0.0
    answer_min: float = 0.5  # answerability below this refuses (calibrated to keep in-library questions answered)

    def probability(self, features: dict[str, float]) -> float:
        return logistic(self.weights, self.intercept, features)

    @classmethod
    def load(cls, corpus_dir: Path, fallback: Path | None = None) -> RelevanceModel:
        """The library's fitted model, else the one in `fallback` (the shipped corpus folder: its signals are not
        about any drug), else hand-set defaults."""
        path = next(
            (p for p in (corpus_dir / RANKER_FILE, fallback and fallback / RANKER_FILE) if p and p.exists()), None
        )
        data = tomllib.loads(path.read_text(encoding="utf-8")) if path else DEFAULT
        weights = {k: float(v) for k, v in data.get("weights", DEFAULT["weights"]).items() if k in FEATURES}
        t = data.get("thresholds", {})
        return cls(
            weights=weights,
            intercept=float(data.get("intercept", DEFAULT["intercept"])),
            include=float(t.get("include", 0.5)),
            answer=float(t.get("answer", 0.2)),
            duplicate=float(t.get("duplicate", 0.9)),
            answer_weights={k: float(v) for k, v in data.get("answerability", {}).get("weights", {}).items()},
            answer_intercept=float(data.get("answerability", {}).get("intercept", 0.0)),
            answer_min=float(data.get("answerability", {}).get("threshold", 0.5)),
        )


# Hand-set starting weights (used only until a library has its fitted ranker.toml).
DEFAULT: dict = {
    "intercept": -4.0,
    "weights": {
        "dense": 4.0,
        "dense_last": 0.0,
        "dense_gap": 0.0,
        "lexical_gap": 0.0,
        "chunk_dense": 1.0,
        "lexical": 2.0,
        "section": 0.5,
        "cue_soft": 1.0,
        "indication_fit": 0.5,
        "other_subject": -1.0,
        "rank": 0.5,
        "dose_number": 0.5,
    },
}


@dataclass
class Candidate:
    """One guideline sentence of a retrieved chunk, its signals and its probability of answering the question."""

    sentence: str
    chunk: Chunk
    rank: int
    vector: np.ndarray
    indication: str | None = None
    features: dict[str, float] = field(default_factory=dict)
    probability: float = 0.0


@lru_cache(maxsize=50_000)
def _weight(word: str) -> float:
    """Rarer words say more about what is asked (a Zipf frequency of 7 is 'the'; 0 is unseen)."""
    return max(0.2, (7.0 - zipf_frequency(word, "en")) / 7.0)


def question_terms(question: str) -> dict[str, float]:
    """Stem → weight of the question's content words."""
    out: dict[str, float] = {}
    for w in words(question):
        if w in STOPWORDS or w[0].isdigit() or len(w) < 2:
            continue
        out[stem(w)] = max(out.get(stem(w), 0.0), _weight(w))
    return out


def pool_weights(terms: dict[str, float], sentences: list[str]) -> dict[str, float]:
    """The question's term weights times their inverse frequency among this reply's candidate sentences: a word every
    candidate uses (the drug's name) cannot tell them apart."""
    stems = [{stem(w) for w in words(s)} for s in sentences]
    n = len(stems)
    return {t: wt * math.log(1.0 + n / (1.0 + sum(t in s for s in stems))) for t, wt in terms.items()}


def overlap(terms: dict[str, float], text: str) -> float:
    """Weighted share of the question's terms the text uses."""
    if not terms:
        return 0.0
    found = {stem(w) for w in words(text)}
    return sum(wt for t, wt in terms.items() if t in found) / sum(terms.values())


@dataclass(frozen=True)
class Signals:
    """What the reply knows about the question, for scoring its candidate sentences."""

    vector: np.ndarray
    last_vector: np.ndarray  # the latest message alone (a follow-up's own words)
    terms: dict[str, float]
    indication: str | None
    dosing: bool
    soft_cues: tuple[tuple[float, re.Pattern[str]], ...] = ()  # each kind's answer wording, weighted by its odds


def features(
    signals: Signals, candidate: Candidate, similarity: float, sentence_ind: str | None, names_other: bool
) -> dict[str, float]:
    """The candidate's signals, each in [-1, 1]."""
    fit = 0.0
    if signals.indication and sentence_ind not in (None, "general"):
        fit = 1.0 if sentence_ind == signals.indication else -1.0
    return {
        "dense": float(candidate.vector @ signals.vector),
        "dense_last": float(candidate.vector @ signals.last_vector),
        "chunk_dense": similarity,
        "lexical": overlap(signals.terms, candidate.sentence),
        "section": overlap(signals.terms, candidate.chunk.section),
        "cue_soft": sum(w for w, pattern in signals.soft_cues if pattern.search(candidate.sentence)),
        "indication_fit": fit,
        "other_subject": 1.0 if names_other else 0.0,
        "rank": 1.0 / candidate.rank,
        "dose_number": 1.0 if signals.dosing and DOSE_FIGURE.search(candidate.sentence) else 0.0,
    }


def add_pool_features(candidates: list[Candidate]) -> None:
    """Each candidate against the best of its pool: how far below the closest sentence it is, in meaning and words."""
    if not candidates:
        return
    best_dense = max(c.features["dense"] for c in candidates)
    best_lexical = max(c.features["lexical"] for c in candidates)
    for c in candidates:
        c.features["dense_gap"] = c.features["dense"] - best_dense
        c.features["lexical_gap"] = c.features["lexical"] - best_lexical


def figures(sentence: str) -> tuple[str, ...]:
    """The numbers a sentence states, in order (two sentences with different figures never say the same thing)."""
    return tuple(re.findall(r"\d+(?:\.\d+)?", sentence))


def same_statement(a: Candidate, b: Candidate, min_cosine: float) -> bool:
    """Do two sentences say the same thing: the same figures, the same indication, close in meaning and in words
    (sentences of one section are close in meaning through their shared context alone)."""
    if a.sentence == b.sentence:
        return True
    if figures(a.sentence) != figures(b.sentence) or a.indication != b.indication:
        return False
    return float(a.vector @ b.vector) >= min_cosine and term_share(a.sentence, b.sentence) >= SAME_WORDS


SAME_WORDS = 0.5  # share of one sentence's content words the other uses


def term_share(sentence: str, other: str) -> float:
    """Share of `sentence`'s content words (stemmed) that `other` uses."""
    mine = {stem(w) for w in words(sentence) if w not in STOPWORDS and not w[0].isdigit()}
    theirs = {stem(w) for w in words(other) if w not in STOPWORDS and not w[0].isdigit()}
    return len(mine & theirs) / len(mine) if mine else 1.0
