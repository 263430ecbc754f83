"""Choose an answer's guideline sentences by relevance: every sentence of the retrieved chunks is scored against the
whole question; the best leads, the others that pass the model's threshold follow in relevance order, a sentence
that says what an earlier one says is shown once with both citations, and a dosing answer never uses another
indication's or another drug's figures."""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

import numpy as np

from assistant.answer.answerable import Answerability, answer_features, uncovered_share
from assistant.answer.indications import sentence_indication
from assistant.answer.relevance import (
    DOSE_FIGURE,
    Candidate,
    RelevanceModel,
    Signals,
    add_pool_features,
    features,
    pool_weights,
    question_terms,
    same_statement,
    term_share,
)
from assistant.answer.sentence_vectors import SentenceVectors, unit_vector
from assistant.corpus.chunk import SUMMARY_SECTION
from assistant.dosing.rules.schema import DrugRules
from assistant.query.intent import IntentReader
from assistant.types import Chunk, Hit

MAX_SENTENCES = 5  # a short answer cannot pass by containing everything
CITE_SHARE = 0.8  # a repeated statement's chunk is cited when it holds this share of the shown sentence's words
NamesOther = Callable[[str], bool]


@dataclass
class Picked:
    """One shown sentence and every chunk that states it."""

    sentence: str
    chunks: list[Chunk]
    probability: float


@dataclass
class Ranked:
    """Candidates best first (for the choice and for evaluation) and the sentences to show."""

    candidates: list[Candidate] = field(default_factory=list)
    picked: list[Picked] = field(default_factory=list)
    answer_features: dict[str, float] = field(default_factory=dict)
    answerable: float = 1.0  # probability that the library's text answers what is asked
    asked: str = ""  # the latest message without the covered drugs' names: what it asks about them

    @property
    def best(self) -> float:
        return self.candidates[0].probability if self.candidates else 0.0


def compatible(sentence_ind: str | None, query_inds: list[str], drug_rules: DrugRules | None) -> bool:
    """A sentence fits when it is about one of the candidate indications; general text fits only the indications
    the rules apply it to (never a stricter indication's limits)."""
    if not query_inds or sentence_ind is None:
        return True
    if sentence_ind == "general":
        applies = drug_rules.general_text.applies_to if drug_rules is not None and drug_rules.general_text else []
        return any(q in applies for q in query_inds)
    return sentence_ind in query_inds


FIELD = re.compile(r"^[A-Z][A-Za-z]*(?: [A-Za-z]+){0,2}:\s")  # 'Source: ...', 'Approved by: ...'
PREAMBLE = 3  # chunks at the head of a document where a 'Label: value' line is a field of the document


def is_document_field(chunk: Chunk) -> bool:
    """A 'Label: value' paragraph before the document's first heading: its provenance, not guidance."""
    return chunk.section == SUMMARY_SECTION and chunk.position < PREAMBLE and bool(FIELD.match(chunk.text))


@dataclass(frozen=True)
class RankRequest:
    """One reply's question as the ranker needs it."""

    question: str
    vector: list[float]
    hits: list[Hit]
    indications: list[str]
    dosing: bool
    last_vector: list[float] | None = None  # the latest message alone, when the question carries earlier turns
    kind_scores: dict[str, float] = field(default_factory=dict)  # the message's closeness to each question kind
    drug_rules: DrugRules | None = None
    names_other: NamesOther = lambda _s: False
    message: str = ""  # the latest message, whose words must be covered by the text that answers it
    known: Collection[str] = ()  # names of the library's drugs and indications (never the uncovered aspect)
    other_document: Callable[[str], bool] = lambda _title: False  # a title about other drugs, not the subject
    names_subject: Callable[[str], bool] = lambda _s: True  # the sentence names the question's drug
    subject_words: tuple[str, ...] = ()  # the words the user wrote for the covered drugs named (brands too)
    expand: Callable[[str], str] = lambda word: word  # a lay word's corpus wording (the glossary)
    only_subject: bool = False  # `names_other` marks every sentence that does not name the subject
    stored: Callable[[list[str]], dict[str, list[float]]] = lambda _ids: {}  # the hits' indexed vectors


class SentenceRanker:
    """Scores and chooses sentences with the library's relevance model and the cached sentence vectors."""

    def __init__(self, model: RelevanceModel, vectors: SentenceVectors, kinds: IntentReader | None = None) -> None:
        self.model, self.vectors, self.kinds = model, vectors, kinds

    def candidates(self, req: RankRequest) -> list[Candidate]:
        """Every sentence of the hits with its features and probability, best first (hard filters applied)."""
        indication = req.indications[0] if len(req.indications) == 1 else None
        units = self.vectors.units([h.chunk for h in req.hits], req.stored)
        pool = [s for h in req.hits for s in units.get(h.chunk.id, ([], None))[0]]
        signals = Signals(
            vector=unit_vector(req.vector),
            last_vector=unit_vector(req.last_vector if req.last_vector is not None else req.vector),
            terms=pool_weights(question_terms(req.question), pool),
            indication=indication,
            dosing=req.dosing,
            soft_cues=self.kinds.soft_cues(req.kind_scores) if self.kinds else (),
        )
        out: list[Candidate] = []
        for rank, hit in enumerate(req.hits, start=1):
            if is_document_field(hit.chunk):
                continue  # the document's provenance ('Source: ...'), not a statement about the drug
            about_other = req.other_document(hit.chunk.title)  # a guideline about another drug, not this one
            sentences, matrix = units.get(hit.chunk.id, ([], np.zeros((0, 1))))
            for sentence, vector in zip(sentences, matrix, strict=True):
                ind = sentence_indication(sentence, hit.chunk, req.drug_rules)
                other = req.names_other(sentence)
                figures = bool(DOSE_FIGURE.search(sentence))
                if req.dosing and figures and (not compatible(ind, req.indications, req.drug_rules) or other):
                    continue  # another indication's or another drug's dose figures would answer the wrong question
                if about_other and not req.names_subject(sentence):
                    continue  # another drug's guideline answers for this drug only where it names this drug
                if req.only_subject and other:
                    continue  # a substance only the text covers is answered by its own sentences only
                cand = Candidate(sentence, hit.chunk, rank, vector, indication=ind)
                cand.features = features(signals, cand, hit.similarity or 0.0, ind, other)
                out.append(cand)
        add_pool_features(out)
        for cand in out:
            cand.probability = self.model.probability(cand.features)
        out.sort(key=lambda c: (-c.probability, c.rank))
        return out

    def rank(self, req: RankRequest, limit: int = MAX_SENTENCES) -> Ranked:
        candidates = self.candidates(req)
        ranked = Ranked(candidates=candidates, picked=choose(candidates, self.model, limit))
        message = req.message or req.question
        for name in req.subject_words:  # the covered drug by the name the user wrote (a brand) is no missing aspect
            message = re.sub(re.escape(name), " ", message, flags=re.IGNORECASE)
        ranked.asked = message
        uncovered = uncovered_share(message, candidates, req.known, req.expand)
        ranked.answer_features = answer_features(candidates, uncovered)
        if self.model.answer_weights:
            odds = Answerability(self.model.answer_weights, self.model.answer_intercept)
            ranked.answerable = odds.probability(ranked.answer_features)
        else:  # no fitted answerability: the best sentence's relevance alone
            ranked.answerable = 1.0 if ranked.best >= self.model.answer else 0.0
        return ranked


def choose(candidates: list[Candidate], model: RelevanceModel, limit: int = MAX_SENTENCES) -> list[Picked]:
    """From candidates best first: the lead, then those that pass the include threshold, a statement an earlier
    sentence already makes adding only its citation."""
    picked: list[tuple[Picked, Candidate]] = []
    for cand in candidates:
        if picked and cand.probability < model.include:
            break
        same = next((p for p, first in picked if same_statement(first, cand, model.duplicate)), None)
        if same is not None:
            # shown once; its chunk is cited too when it states the shown sentence's words (not only its figures)
            if cand.chunk not in same.chunks and term_share(same.sentence, cand.chunk.text) >= CITE_SHARE:
                same.chunks.append(cand.chunk)
            continue
        if len(picked) < limit:  # past the limit, a duplicate further down may still add its citation
            picked.append((Picked(cand.sentence, [cand.chunk], cand.probability), cand))
    return [p for p, _ in picked]
