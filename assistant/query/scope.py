"""Is a question inside what the library covers? Decides refusals before any answer is composed.

The decision rests on the subject link (which drug, covered or not), the population, the question kind and
whether any guideline text answers that kind, and a calibrated similarity threshold. Words the corpus never
uses count only when no covered drug was named (clinical shorthand around a named drug never refuses).
The thresholds are calibrated on a held-out split (`python -m evals.calibrate`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Container
from dataclasses import dataclass

from pydantic import BaseModel, Field
from rapidfuzz.distance import Levenshtein
from wordfreq import zipf_frequency

from assistant.corpus.glossary import Glossary
from assistant.index.typos import MIN_LENGTH, TypoIndex
from assistant.query.understand import Query
from assistant.text.words import STOPWORDS, stem, words
from assistant.types import Chunk


class ScopeDecision(BaseModel):
    """Why a question is or is not answerable from the corpus."""

    in_scope: bool
    reason: str | None = Field(default=None, description="One line, for logs and the `understood` field.")
    uncovered: list[str] = Field(default_factory=list, description="Topic words the corpus never uses.")
    corrections: dict[str, str] = Field(default_factory=dict, description="Typos mapped to corpus words.")


@dataclass(frozen=True)
class CorpusVocabulary:
    """Every word (and its stem) that the indexed chunks, titles and sections use, and its typo index."""

    words: frozenset[str]
    stems: frozenset[str]
    typos: TypoIndex

    @classmethod
    def from_chunks(cls, chunks: list[Chunk]) -> CorpusVocabulary:
        seen = {w for c in chunks for w in words(f"{c.title} {c.section} {c.text}") if not w[0].isdigit()}
        return cls(words=frozenset(seen), stems=frozenset(stem(w) for w in seen), typos=TypoIndex.in_memory(seen))

    def knows(self, word: str) -> bool:
        return word in self.words or stem(word) in self.stems

    def correction(self, word: str) -> str | None:
        """The corpus word a typo stands for: the closest (then alphabetically first) corpus word, when it is within
        one edit for short words, two for long ones, and has 5+ letters itself (a word that is closest to a short
        word is not corrected); looked up in the typo index, never by a scan of the vocabulary."""
        if len(word) < MIN_LENGTH:
            return None
        allowed = 1 if len(word) < 8 else 2
        near = [(Levenshtein.distance(word, w), w) for w in self.typos.candidates(word, allowed)]
        best = min((pair for pair in near if pair[0] <= allowed), default=None)
        return best[1] if best and len(best[1]) >= MIN_LENGTH else None


class TopicWords(BaseModel):
    """The words of a question that no guideline uses, before any threshold is applied."""

    populations: list[str] = Field(default_factory=list, description="Population terms no guideline mentions.")
    unknown: dict[str, float] = Field(default_factory=dict, description="Other unknown words and their Zipf frequency.")
    corrections: dict[str, str] = Field(default_factory=dict, description="Typos mapped to corpus words.")
    uncovered_use: list[str] = Field(
        default_factory=list, description="Words of a 'for …' purpose that no guideline covers."
    )
    attached_use: list[str] = Field(
        default_factory=list, description="Those of them that are what a drug or dose is for ('used for X')."
    )
    content_words: int = Field(default=0, description="Words of three or more letters that are not stopwords.")


PURPOSE_ZIPF = 5.0
# A kind no guideline answers refuses only when the question clearly is of that kind (calibrated on the tune split).
UNCOVERED_KIND_MARGIN = 0.08
# When at least this share of a question's content words is unknown (another language, gibberish), it is not read.
UNREADABLE_SHARE = 0.4
# A question that names a covered drug is unreadable only when most of it is unknown (another language), never for a
# few shorthand words ('w/drawal sx', 'CNS effects'): what those ask is the relevance step's decision.
PLACED_UNREADABLE = 0.5
# A question naming neither a drug nor a condition of the library must be closer to its text than this: just below the
# lowest written in-corpus question of that kind (0.47); MedicationQA's such questions reach 0.41 (seen, not tuned on).
UNNAMED_MIN_SIMILARITY = 0.45
_PURPOSE = re.compile(r"\b(?:for|with)\s+((?:[\w'-]+\s+){0,3}[\w'-]+)", re.IGNORECASE)
# English words that attach a purpose to a drug or a dose ('dose used for X', 'helps with X'): such a purpose is an
# indication. Any other 'for X' (going for surgery) says when, not what for, and the text's relevance decides.
_ATTACHES = re.compile(
    r"\b(?:used?|using|dos(?:e|es|ed|ing)|given|prescribed|tak(?:e|en|ing)|treat\w*|help\w*|work\w*|indicated|"
    r"effective|good|much|mg)\s*$",
    re.IGNORECASE,
)


def topic_words(
    message: str, vocabulary: CorpusVocabulary, glossary: Glossary, drug_names: Collection[str] = ()
) -> TopicWords:
    """Sort the question's words: known to the corpus or glossary, a typo of a corpus word, or unknown."""
    found = TopicWords()
    glossary_words = {w for term in glossary.matched_terms(message) for w in words(term)}
    glossary_words |= {stem(w) for w in glossary_words}
    content = [w for w in words(message) if w.isalpha() and len(w) >= 3 and w not in STOPWORDS]
    found.content_words = len(content)
    for word in content:
        # a population word inside a glossary name ('Child-Pugh', 'nursing home') is part of that name
        if word in glossary.populations and not vocabulary.knows(word) and word not in glossary_words:
            found.populations.append(word)
        elif (
            vocabulary.knows(word)
            or word in glossary.question_words
            or word in glossary_words
            or stem(word) in glossary_words
        ):
            continue
        elif fixed := vocabulary.correction(word):
            found.corrections[word] = fixed
        else:
            found.unknown[word] = zipf_frequency(word, "en")
    # What a drug is asked "for" (its indication) or taken "with" must be something the corpus covers,
    # even when it is a common word ("alcohol"); very common words ("around") carry no topic.
    covered = lambda w: vocabulary.knows(w) or w in glossary_words or stem(w) in glossary_words  # noqa: E731
    for match in _PURPOSE.finditer(message):
        content = [w for w in words(match.group(1)) if w.isalpha() and w not in STOPWORDS]
        unknown = [w for w in content if found.unknown.get(w, 9.0) < PURPOSE_ZIPF and not w.endswith("ly")]
        if unknown and not any(covered(w) for w in content):
            found.uncovered_use += unknown
            before = message[: match.start()].rstrip()
            if _ATTACHES.search(before) or any(before.lower().endswith(d) for d in drug_names):
                found.attached_use += unknown
    return found


def keep_drug_names_apart(found: TopicWords, drug_names: set[str]) -> TopicWords:
    """A typo is never 'corrected' into a drug name (an unknown drug must not become a library drug whose doses would
    then be given): such a word stays an unknown word, so the question is read as naming something not covered."""
    for word, fixed in list(found.corrections.items()):
        if fixed.lower() in drug_names:
            del found.corrections[word]
            found.unknown[word] = zipf_frequency(word, "en")
    return found


def decide(
    found: TopicWords,
    query: Query,
    best_similarity: float,
    min_similarity: float,
    topic_zipf: float,
    uncovered_kinds: Container[str],
    population_gap: str | None,
) -> ScopeDecision:
    """Refuse, in this order, for: a named drug or substance the library does not cover (and no covered one), a
    population no rule covers, a question kind no guideline text answers, and — only when the question names neither
    a covered drug nor an indication of the library — an uncovered use ('for hiccups'), words no guideline uses or
    no close chunk at all. A placed question's answerability is decided by the evidence (answer/answerable.py).
    """
    if query.drug is None and query.not_covered:
        names = ", ".join(query.not_covered)
        return ScopeDecision(in_scope=False, reason=f"not covered by the library: {names}", uncovered=query.not_covered)
    if population_gap:
        return ScopeDecision(in_scope=False, reason=population_gap, uncovered=[population_gap])
    if found.populations:
        return ScopeDecision(
            in_scope=False,
            reason=f"population not covered: {', '.join(found.populations)}",
            uncovered=found.populations,
        )
    if query.intent in uncovered_kinds and not query.readings and query.intent_margin >= UNCOVERED_KIND_MARGIN:
        return ScopeDecision(
            in_scope=False,
            reason=f"no guideline in the library says anything on this ({query.intent})",
            uncovered=[query.intent],
        )
    # A question that names what the library covers (a covered drug, or one of its indications) is never refused for
    # a word the corpus does not use: whether its text answers what is asked is the relevance step's decision.
    named = query.drug is not None and not query.drug_assumed
    placed = named or (query.drug is not None and query.names_topic)
    if found.uncovered_use and (found.attached_use or not placed):
        use = " ".join(found.uncovered_use)
        return ScopeDecision(in_scope=False, reason=f"use not covered: {use}", uncovered=found.uncovered_use)
    rare = [w for w, zipf in found.unknown.items() if zipf < topic_zipf]
    words = max(1, found.content_words)
    unreadable = len(rare) >= UNREADABLE_SHARE * words and (not placed or len(rare) >= PLACED_UNREADABLE * words >= 3)
    if unreadable:
        return ScopeDecision(
            in_scope=False, reason=f"most of the question's words are unknown: {', '.join(rare)}", uncovered=rare
        )
    if (
        query.drug_assumed
        and not query.names_topic
        and not query.is_followup
        and best_similarity < UNNAMED_MIN_SIMILARITY
    ):
        return ScopeDecision(in_scope=False, reason="no drug or condition the library covers is named")
    if rare and not placed:
        return ScopeDecision(in_scope=False, reason=f"not covered by the library: {', '.join(rare)}", uncovered=rare)
    if best_similarity < min_similarity and not (placed and query.readings):
        return ScopeDecision(
            in_scope=False,
            reason=f"no guideline text is close (similarity {best_similarity:.2f} < {min_similarity:.2f})",
        )
    return ScopeDecision(in_scope=True, corrections=found.corrections)


def apply_corrections(corrections: dict[str, str], text: str) -> str:
    """Replace misspelt words with the corpus words they stand for."""
    if not corrections:
        return text
    return re.sub(r"[A-Za-z]+", lambda m: corrections.get(m.group(0).lower(), m.group(0)), text)


class UncoveredKinds(Container[str]):
    """The question kinds whose answer wording no indexed text contains, each looked up in the store the first time a
    question of that kind comes (a scan of every chunk per kind; at start-up that grew with the library)."""

    def __init__(self, cues: dict[str, str], any_text_matches: Callable[[str], bool]) -> None:
        self.cues, self.any_text_matches = cues, any_text_matches
        self.known: dict[str, bool] = {}

    def __contains__(self, kind: object) -> bool:
        if not isinstance(kind, str) or not self.cues.get(kind):
            return False
        if kind not in self.known:
            self.known[kind] = not self.any_text_matches(self.cues[kind])
        return self.known[kind]
