"""Is a question inside what the corpus covers? Decides refusals before any answer is composed.

A question is out of scope when it names a topic word the corpus never uses (another drug, a
population such as children, an unrelated subject), or when no chunk is semantically close.
Both thresholds are calibrated on the evaluation cases (`python -m evals.calibrate`).
"""
from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from assistant.glossary import Glossary
from assistant.text import STOPWORDS, stem, words
from assistant.types import Chunk


class ScopeDecision(BaseModel):
    """Why a question is or is not answerable from the corpus."""

    in_scope: bool
    reason: str | None = Field(default=None, description="One line, for logs and the `understood` field.")
    uncovered: list[str] = Field(default_factory=list, description="Topic words the corpus never uses.")
    corrections: dict[str, str] = Field(default_factory=dict, description="Typos mapped to corpus words.")


@dataclass(frozen=True)
class CorpusVocabulary:
    """Every word (and its stem) that the indexed chunks, titles and sections use."""

    words: frozenset[str]
    stems: frozenset[str]

    @classmethod
    def from_chunks(cls, chunks: list[Chunk]) -> "CorpusVocabulary":
        seen = {w for c in chunks for w in words(f"{c.title} {c.section} {c.text}") if not w[0].isdigit()}
        return cls(words=frozenset(seen), stems=frozenset(stem(w) for w in seen))

    def knows(self, word: str) -> bool:
        return word in self.words or stem(word) in self.stems

    def correction(self, word: str) -> str | None:
        """The corpus word a typo stands for: one edit for short words, two for long ones."""
        if len(word) < 5:
            return None
        allowed = 1 if len(word) < 8 else 2
        best = min(self.words, key=lambda w: (Levenshtein.distance(word, w), w), default=None)
        if best and len(best) >= 5 and Levenshtein.distance(word, best) <= allowed:
            return best
        return None


def assess_scope(
    message: str,
    vocabulary: CorpusVocabulary,
    glossary: Glossary,
    best_similarity: float,
    min_similarity: float,
    topic_zipf: float,
) -> ScopeDecision:
    """Refuse when a rare topic word is unknown to the corpus, a population is not covered, or nothing is close."""
    uncovered: list[str] = []
    corrections: dict[str, str] = {}
    populations: list[str] = []
    tokens = [w for w in words(message) if w.isalpha() and len(w) >= 3 and w not in STOPWORDS]
    glossary_words = {w for term in glossary.matched_terms(message) for w in words(term)}
    glossary_words |= {stem(w) for w in glossary_words}
    for word in tokens:
        if word in glossary.populations and not vocabulary.knows(word):
            populations.append(word)
        elif vocabulary.knows(word) or word in glossary.question_words or word in glossary_words or stem(word) in glossary_words:
            continue
        elif zipf_frequency(word, "en") >= topic_zipf:
            continue  # a common word carries no topic of its own ("happens", "usually")
        elif fixed := vocabulary.correction(word):
            corrections[word] = fixed
        else:
            uncovered.append(word)
    if populations:
        return ScopeDecision(in_scope=False, reason=f"population not covered: {', '.join(populations)}", uncovered=populations)
    if uncovered:
        return ScopeDecision(in_scope=False, reason=f"not covered by the corpus: {', '.join(uncovered)}", uncovered=uncovered)
    if best_similarity < min_similarity:
        return ScopeDecision(
            in_scope=False, reason=f"no guideline text is close (similarity {best_similarity:.2f} < {min_similarity:.2f})"
        )
    return ScopeDecision(in_scope=True, corrections=corrections)
