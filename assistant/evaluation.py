"""What only an evaluation needs, beyond the public API: the guard's own primitives, so the eval measures an
answer with the same support pool, number extraction and scope decision the product uses.

The evals (evals/) import `assistant` and `assistant.evaluation` only (tests/evals/test_evals_use_public_api.py).
Why each name is here and not in `assistant` (a product never needs it, an evaluation does):

- `support_pool`: the numbers an answer may repeat, the pool the guard enforces; the eval scores numeric fidelity
  against that same pool.
- `decide`: the scope decision behind a refusal; calibration replays it over a grid of thresholds.
- `population_gap`: the population the rules do not cover, a scope feature calibration precomputes per question.
- `load_corpus`: the guideline files as read for indexing; the baseline and MedicationQA read the same texts.
- `answer_sentences`: the guard's sentence splitter; the eval's claim sentences are the guard's sentences.
- `strip_citations`: the guard's marker remover; cases and metrics compare answer text without markers.
- `extract`, `supported`, `Quantity`: the guard's number grammar and matching; the eval's numeric support uses it.
- `REPO_ROOT`: the repository folder, where the eval's cases, suites and reports live (a product uses settings).
- `percentile`: the project's one percentile; the eval reports latency percentiles like the bench.
- `guard`, `Draft`, `Chunk`, `Citation`: the guard itself and its input types; the library fault suite feeds it a
  poisoned guideline's sentences.
- `chunk_guideline`, `Guideline`: the chunker and its input; the fault suite checks no document is silently empty.
- `RelevanceModel`, `FEATURES`, `ANSWER_FEATURES`, `choose`, `RANKER_FILE`: the answer's relevance model and
  sentence choice; the ranker's fit (`python -m evals.fit_ranker`) refits the model on the tune split and replays
  the choice.
- `ingest`: a suite's own index brought up to date with its documents before the eval answers (an index built
  before a document was added would grade an older library).
"""

from __future__ import annotations

from assistant.answer.answerable import ANSWER_FEATURES
from assistant.answer.guard import guard
from assistant.answer.ranking import choose
from assistant.answer.relevance import FEATURES, RANKER_FILE, RelevanceModel
from assistant.answer.support import support_pool
from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import load_corpus
from assistant.index.ingest import ingest
from assistant.judge import population_gap
from assistant.query.scope import decide
from assistant.settings import REPO_ROOT
from assistant.stats import percentile
from assistant.text.citations import strip_citations
from assistant.text.quantities import Quantity, extract, supported
from assistant.text.sentences import answer_sentences
from assistant.types import Chunk, Citation, Draft, Guideline

__all__ = [
    "ingest",
    "ANSWER_FEATURES",
    "FEATURES",
    "RANKER_FILE",
    "RelevanceModel",
    "choose",
    "Chunk",
    "Citation",
    "Draft",
    "Guideline",
    "chunk_guideline",
    "guard",
    "REPO_ROOT",
    "Quantity",
    "answer_sentences",
    "decide",
    "extract",
    "load_corpus",
    "percentile",
    "population_gap",
    "strip_citations",
    "support_pool",
    "supported",
]
