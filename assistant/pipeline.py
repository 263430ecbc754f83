"""`Assistant.reply(history, message, patient) -> Answer`: the orchestration of one turn."""
from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Literal

from pydantic import BaseModel

from assistant.answer.compose import REFUSAL, compose
from assistant.answer.guard import guard
from assistant.corpus.glossary import load_glossary
from assistant.dosing import check_dose, load_rules
from assistant.index.ingest import IngestResult, ingest
from assistant.index.store import index_built_at, open_collection
from assistant.query.scope import CorpusVocabulary, decide, topic_words
from assistant.query.understand import ANSWER_CUES, Query, understand
from assistant.query.validate import validate_question
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.types import (
    Answer,
    Chunk,
    DoseCheck,
    Hit,
    Patient,
    RuleSource,
    verdict_rank,
)

log = logging.getLogger("assistant")


class Turn(BaseModel):
    """One message of the conversation."""

    role: Literal["user", "assistant"]
    content: str


class DocStatus(BaseModel):
    doc_id: str
    title: str
    chunks: int


class CorpusStatus(BaseModel):
    """What is indexed, for the UI's corpus panel."""

    documents: list[DocStatus]
    built_at: str | None


class Assistant:
    """Loads the embedding model and the index once; answers turn by turn."""

    def __init__(self, settings: Settings | None = None, embeddings=None, llm=None) -> None:
        """`llm`: the default answer writer, a backend spec ('none', 'ollama:MODEL', 'openai:MODEL', 'llamacpp[:PATH]')
        or a LangChain chat model; `settings.llm` when None. A spec's model is built on first use, not here."""
        from assistant.index.embeddings import get_embeddings

        self.settings = settings or Settings()
        self.embeddings = embeddings or get_embeddings()
        self.collection = open_collection(self.settings)
        if self.collection.count() == 0:  # `ask` on a missing index builds it first
            ingest(self.settings, embed=self.embeddings.embed_documents, collection=self.collection)
        self.glossary = load_glossary(self.settings.corpus_dir)
        self.rules = load_rules(self.settings.rules_dir)
        # A question that names no drug is about the corpus's drug when there is only one.
        self.default_drug = next(iter(self.rules)) if len(self.rules) == 1 else None
        self.retriever = HybridRetriever(self.collection, self.embeddings, self.settings.candidates, self.settings.rrf_k)
        self.vocabulary = CorpusVocabulary.from_chunks(list(self.retriever.chunks.values()))
        self.llm = llm if llm is not None else self.settings.llm
        self.chat_models: dict = {}  # backend spec -> chat model, built lazily by assistant.llm.backends

    # -- corpus -----------------------------------------------------------------
    def reindex(self, progress: Callable[[Iterable], Iterable] = iter) -> IngestResult:
        """Re-read corpus/ and update the index incrementally."""
        result = ingest(self.settings, embed=self.embeddings.embed_documents, progress=progress, collection=self.collection)
        self.retriever.reload()
        self.vocabulary = CorpusVocabulary.from_chunks(list(self.retriever.chunks.values()))
        return result

    def corpus_status(self) -> CorpusStatus:
        docs: dict[str, DocStatus] = {}
        for c in self.retriever.chunks.values():
            entry = docs.setdefault(c.doc_id, DocStatus(doc_id=c.doc_id, title=c.title, chunks=0))
            entry.chunks += 1
        return CorpusStatus(documents=sorted(docs.values(), key=lambda d: d.doc_id), built_at=index_built_at(self.collection))

    def source_chunk(self, source: RuleSource) -> Chunk | None:
        """The indexed chunk that holds a rule's quoted text."""
        quote = source.quote.strip().rstrip(".")
        for c in self.retriever.chunks.values():
            if c.doc_id == source.doc_id and (quote in c.text or c.text.rstrip(".") in quote):
                return c
        return None

    # -- one turn -----------------------------------------------------------------
    def retrieve(self, query: Query, prior: list[str] | None = None) -> list[Hit]:
        """Hybrid search on the question (with its conversation context, glossary expanded)."""
        # 'general' says nothing about the wording that answers it; a bare 'dose' question says little.
        cue = ANSWER_CUES.get(query.intent) if query.intent != "general" else None
        weight = 0.5 if query.intent == "dose" else 1.0
        return self.retriever.search(self.glossary.expand(query.search_text), self.settings.top_k, cue=cue, prior=prior,
                                     cue_weight=weight)

    def search(self, question: str, history: Sequence[str] = ()) -> list[Hit]:
        """Retrieval alone, as `reply` does it before a dose check (for evaluation and tests)."""
        corrected = _apply(topic_words(question, self.vocabulary, self.glossary).corrections, question)
        return self.retrieve(understand(corrected, list(history), self.glossary.drugs))

    def _finding_chunks(self, check: DoseCheck | None) -> list[str]:
        """Chunks behind the dose check's hard and soft findings: the text that answers a checked dose."""
        if check is None:
            return []
        chunks = [self.source_chunk(f.citation) for f in check.findings if f.severity != "info" and f.citation]
        return list(dict.fromkeys(c.id for c in chunks if c))

    def reply(
        self,
        history: list[Turn],
        message: str,
        patient: Patient | None = None,
        indication: str | None = None,
        route: str | None = None,
        llm=None,
        on_text: Callable[[str], None] | None = None,
    ) -> Answer:
        """Answer the message from the corpus, or refuse; InputError for unusable input.

        `llm` overrides the default answer writer for this turn (a spec or a chat model). With an LLM, the
        extractive answer is composed first; the model's draft replaces it only where it survives the guard.
        `on_text` receives the guarded text of the model's complete sentences while it writes."""
        text = validate_question(message, self.settings.max_question_chars)
        previous = [t.content for t in history if t.role == "user"]
        found = topic_words(text, self.vocabulary, self.glossary)
        corrected = _apply(found.corrections, text)  # typos fixed before the question is read
        query = understand(corrected, previous, self.glossary.drugs)
        facts = (patient or Patient()).merged_over(query.patient)  # explicit fields win over text
        query = query.model_copy(update={"indication": indication or query.indication, "route": route or query.route, "patient": facts})
        dose_check = self._check(query)
        hits = self.retrieve(query, self._finding_chunks(dose_check))
        best = max((h.similarity or 0.0 for h in hits), default=0.0)
        scope = decide(found, best, self.settings.min_similarity, self.settings.topic_zipf)
        understood = _understood(query, scope.reason, scope.corrections)
        if not scope.in_scope:
            log.info("refused %r: %s", text[:80], scope.reason)
            return Answer(question=text, text=REFUSAL, refused=True, hits=hits, intent=query.intent, understood=understood)
        if dose_check and query.drug is None:
            understood["drug"] = f"{dose_check.drug} (assumed: the only drug with dose rules)"
        drug = query.drug or (dose_check.drug if dose_check else self.default_drug)
        other_drugs = tuple(d for d in self.glossary.drugs if d != drug)
        draft = compose(query, hits, dose_check, self.source_chunk, other_drugs)
        allowed = {h.chunk.id: h.chunk for h in hits}
        for finding in dose_check.findings if dose_check else []:
            if finding.citation and (chunk := self.source_chunk(finding.citation)):
                allowed[chunk.id] = chunk
        rules = self.rules.get(dose_check.drug.lower() if dose_check else (query.drug or self.default_drug or ""))
        guarded = guard(draft, query.search_text, allowed, dose_check, rules)
        if guarded.report.removed:
            log.warning("guard removed %d sentence(s): %s", len(guarded.report.removed), [r.reason for r in guarded.report.removed])
        if not guarded.text.strip():
            return Answer(question=text, text=REFUSAL, refused=True, hits=hits, intent=query.intent,
                          understood=understood, dose_check=dose_check, guard=guarded.report)
        answer = Answer(
            question=text, text=guarded.text, refused=False, citations=guarded.citations, dose_check=dose_check,
            hits=hits, intent=query.intent, understood=understood, guard=guarded.report,
        )
        backend = self.llm if llm is None else llm
        if isinstance(backend, str) and backend.strip().lower() in ("", "none"):
            return answer
        from assistant.llm.run import llm_reply

        return llm_reply(answer, backend, self.chat_models, self.settings, history=history, patient=facts,
                         source_chunk=self.source_chunk, guard_question=query.search_text, allowed=allowed, rules=rules,
                         on_text=on_text, rule_table=self.rules)

    def _check(self, query: Query) -> DoseCheck | None:
        """Run the dose checker on every proposed dose; the most severe result is reported."""
        if not query.doses:
            return None
        drug = query.drug or self.default_drug or "unknown"
        checks = [
            check_dose(drug, dose, query.indication, query.route or "oral", query.patient, query.previous_dose,
                       query.interval_days, rules=self.rules)
            for dose in query.doses
        ]
        return max(checks, key=lambda c: verdict_rank(c.verdict))


def _apply(corrections: dict[str, str], text: str) -> str:
    """Replace misspelt words with the corpus words they stand for."""
    if not corrections:
        return text
    return re.sub(r"[A-Za-z]+", lambda m: corrections.get(m.group(0).lower(), m.group(0)), text)


def _understood(query: Query, scope_reason: str | None, corrections: dict[str, str]) -> dict[str, object]:
    """What the assistant read from the question, for display ('what I understood')."""
    out: dict[str, object] = {"intent": query.intent}
    for key in ("drug", "indication", "route", "previous_dose", "interval_days"):
        if (value := getattr(query, key)) is not None:
            out[key] = value
    if query.doses:
        out["doses"] = query.doses
    if facts := query.patient.known():
        out["patient"] = facts
    if query.is_followup:
        out["follow_up"] = True
    if corrections:
        out["corrected"] = corrections
    if scope_reason:
        out["scope"] = scope_reason
    return out
