"""Deterministic fidelity metrics over `Answer` objects (no LLM judge, no NLI model).

Definitions (per answer; the runner aggregates them):
- Retrieval (RAGAS ID-based context recall / precision style): a gold chunk is matched by a hit whose doc id
  equals the gold `doc` and whose text contains the gold `phrase` (`evals.cases.phrase_in`). recall@k is the
  share of gold chunks matched within the top k; reciprocal rank is 1 / rank of the first matching hit.
- Fact recall: share of `must_include` facts of which some alternative is in the answer (`normalise`d).
- Support (the NLI stand-in): passages support a sentence when every number of the sentence is matched by a
  number of the passages or by a given number (`assistant.evaluation.supported`), and at least KEY_TERM_SHARE of the
  sentence's key terms (stemmed content words that occur in the corpus vocabulary) occur in the passages'
  title, section or text.
- Citation recall (ALCE): share of claim sentences whose cited passages, together, support them.
- Citation precision (ALCE): a citation of a sentence counts when the sentence is supported by all its citations
  and the citation either supports it alone or is needed (the others without it do not support it). A marker
  with no matching citation supports nothing.
- Numeric fidelity: an answer is faithful when every number in it is matched by the text of a citation of its
  own sentence, by the question (every user turn), by the patient facts passed in, or by the dose check.
- Refusal precision / recall (RGB negative rejection): positives are the questions that must be refused.

Sentences: `assistant.evaluation.answer_sentences`, the guard's splitter, line by line; a `[n]` group that opens
a sentence belongs to the one before ("... 30 mg/day. [1]"). Markdown headings and text without letters are not
claim sentences. Numbers: `assistant.evaluation.extract` / `supported` and `assistant.evaluation.support_pool`, the
guard's own (evals import `assistant` and `assistant.evaluation` only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

from assistant import Answer, Citation, DoseCheck, Patient
from assistant.evaluation import Quantity, answer_sentences, extract, strip_citations, support_pool, supported
from evals.cases import normalise, phrase_in

KEY_TERM_SHARE = 0.5
_STOPWORDS = frozenset(
    """a an the and or but if of to in on at by for with without from as is are was were be been being do does did
    have has had having i me my we our you your he she it its they them their this that these those there here what
    which who whom whose when where why how can could should would may might must shall will just than then so such
    too very not no nor only own same both each few more most other some any all about into through during before
    after up down out off also per vs via please tell give know want need use used using""".split()
)


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


def terms(text: str) -> set[str]:
    """Stemmed content words (letters only, stopwords removed)."""
    words = re.findall(r"[a-z]+", text.lower())
    return {_stemmer().stemWord(w) for w in words if len(w) > 1 and w not in _STOPWORDS}


def given_quantities(
    turns: list[str], patient: Patient | None = None, dose_check: DoseCheck | None = None
) -> list[Quantity]:
    """Numbers the answer may repeat without a citation: the user's turns, the patient facts passed in, and the
    dose check's own numbers (`assistant.evaluation.support_pool`, the pool the guard enforces)."""
    return support_pool(given=turns, dose_check=dose_check, patient=patient)


def supports(passages: list[Citation], sentence: str, given: list[Quantity], vocab: set[str] | None = None) -> bool:
    """Numeric and key-term support of one sentence by some passages (see the module docstring)."""
    if not passages:
        return False
    pool = support_pool(cited=[c.text for c in passages]) + given
    if any(not supported(q, pool) for q in extract(sentence)):
        return False
    key = terms(strip_citations(sentence))
    if vocab is not None:
        key &= vocab
    if not key:
        return True
    have = set().union(*(terms(f"{c.title} {c.section} {c.text}") for c in passages))
    return len(key & have) / len(key) >= KEY_TERM_SHARE


@dataclass
class CitationScore:
    """Citation recall and precision counts for one answer, with the sentences that failed."""

    sentences: int = 0
    supported_sentences: int = 0
    citations: int = 0
    supporting_citations: int = 0
    unsupported: list[str] = field(default_factory=list)
    imprecise: list[str] = field(default_factory=list)


def citation_scores(answer: Answer, given: list[Quantity], vocab: set[str] | None = None) -> CitationScore:
    """ALCE citation recall and precision, with numeric + key-term support in place of NLI."""
    score = CitationScore()
    by_n = {c.n: c for c in answer.citations}
    for s in answer_sentences(answer.text):
        if not s.claim:
            continue
        score.sentences += 1
        cited = [by_n[n] for n in s.markers if n in by_n]
        joint = bool(s.markers) and supports(cited, s.text, given, vocab)
        score.supported_sentences += joint
        if not joint:
            score.unsupported.append(s.text)
        for n in s.markers:
            score.citations += 1
            if not joint or n not in by_n:
                ok = False
            elif len(s.markers) == 1 or supports([by_n[n]], s.text, given, vocab):
                ok = True
            else:
                ok = not supports([by_n[m] for m in s.markers if m != n and m in by_n], s.text, given, vocab)
            score.supporting_citations += ok
            if not ok:
                score.imprecise.append(f"[{n}] {s.text}")
    return score


def unsupported_numbers(answer: Answer, given: list[Quantity]) -> list[str]:
    """Numbers of the answer that neither their sentence's citations nor the given numbers support."""
    by_n = {c.n: c for c in answer.citations}
    out = []
    for s in answer_sentences(answer.text):
        pool = support_pool(cited=[by_n[n].text for n in s.markers if n in by_n]) + given
        out += [f"{q.label()} in: {s.text}" for q in extract(s.text) if not supported(q, pool)]
    return out


def doses_given(text: str, question_pool: list[Quantity]) -> list[str]:
    """Masses (doses) in the text that the question did not contain."""
    return [q.label() for q in extract(text) if q.dim == "mass" and not supported(q, question_pool)]


def gold_ranks(hits: list[tuple[str, str]], gold: list) -> list[int | None]:
    """For each gold chunk, the 1-based rank of the first (doc_id, text) hit that matches it, else None."""
    return [
        next((i for i, (doc, text) in enumerate(hits, start=1) if doc == g.doc and phrase_in(g.phrase, text)), None)
        for g in gold
    ]


def recall_at_k(ranks: list[int | None], k: int) -> float:
    return sum(1 for r in ranks if r is not None and r <= k) / len(ranks) if ranks else 0.0


def reciprocal_rank(ranks: list[int | None]) -> float:
    found = [r for r in ranks if r is not None]
    return 1.0 / min(found) if found else 0.0


def missing_facts(text: str, facts: list[list[str]]) -> list[list[str]]:
    """The facts of which no alternative occurs in the text."""
    body = normalise(text)
    return [fact for fact in facts if not any(normalise(alt) in body for alt in fact)]


def forbidden_found(text: str, strings: list[str]) -> list[str]:
    body = normalise(text)
    return [s for s in strings if normalise(s) in body]


def precision_recall(expected: list[bool], actual: list[bool]) -> tuple[float | None, float | None]:
    """Precision and recall of `actual` against `expected` (None when undefined)."""
    tp = sum(e and a for e, a in zip(expected, actual, strict=True))
    predicted, positives = sum(actual), sum(expected)
    return (tp / predicted if predicted else None, tp / positives if positives else None)
