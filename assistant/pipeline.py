"""`Assistant.reply(history, message, patient) -> Answer`: the orchestration of one turn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any, Literal

from pydantic import BaseModel

from assistant.answer.compose import REFUSAL, answered_intent, compose
from assistant.answer.guard import guard
from assistant.corpus.glossary import load_glossary
from assistant.index.freshness import DocumentFreshness
from assistant.index.ingest import IngestResult, ingest
from assistant.index.library_rules import library_rules
from assistant.index.provenance import provenance
from assistant.index.rebuild import staged_reindex
from assistant.index.store import open_collection
from assistant.judge import judge, not_for, population_gap
from assistant.llm.request import LLMRequest
from assistant.query.concepts import only_negated
from assistant.query.intent import IntentReader
from assistant.query.lexicon import build_lexicon
from assistant.query.report import understood_report
from assistant.query.scope import (
    TopicWords,
    UncoveredKinds,
    apply_corrections,
    decide,
    keep_drug_names_apart,
    topic_words,
)
from assistant.query.subjects import subject_drugs_of
from assistant.query.understand import Query, Reader
from assistant.query.validate import validate_question
from assistant.retrieval import HybridRetriever
from assistant.settings import Settings
from assistant.types import (
    Answer,
    Chunk,
    CorpusStatus,
    DocStatus,
    DoseCheck,
    Hit,
    Patient,
    RuleSource,
)

log = logging.getLogger("assistant")


class Turn(BaseModel):
    """One message of the conversation."""

    role: Literal["user", "assistant"]
    content: str


class Assistant:
    """Loads the embedding model and the index once; answers turn by turn."""

    def __init__(self, settings: Settings | None = None, embeddings=None, llm=None) -> None:
        """`llm`: the default answer writer, a backend spec ('none', 'ollama:MODEL', 'openai:MODEL', 'llamacpp[:PATH]')
        or a LangChain chat model; `settings.llm` when None. A spec's model is built on first use, not here."""
        from assistant.index.embeddings import get_embeddings

        self.settings = settings or Settings()
        self.collection = open_collection(self.settings)  # a bad store or URL fails here, before the model loads
        self.embeddings = embeddings or get_embeddings()
        if self.collection.count() == 0:  # `ask` on a missing index builds it first
            ingest(self.settings, embed=self.embeddings.embed_documents, collection=self.collection)
        self.glossary = load_glossary(self.settings.corpus_dir)
        self.freshness = DocumentFreshness(self.settings)
        self.rules = library_rules(self.settings)  # each file checked against the guidelines it cites
        self.intents = IntentReader(self.settings.corpus_dir, self.embeddings.embed_documents)
        self._use_index(self.collection)
        self.llm = llm if llm is not None else self.settings.llm
        self.chat_models: dict = {}  # backend spec -> chat model, built lazily by assistant.llm.backends

    # -- corpus -----------------------------------------------------------------
    def reindex_aside(
        self, swap_lock: AbstractContextManager, progress: Callable[[Iterable], Iterable] = iter
    ) -> IngestResult:
        """Re-index into a copy of the store while replies go on from the current one; then, holding `swap_lock`
        (the lock replies run under), switch to the new store, its BM25 index and everything read from them at once.
        A Chroma server is updated in place (see `staged_reindex`)."""
        result, fresh = staged_reindex(self.settings, self.embeddings.embed_documents, progress, self.collection)
        collection = open_collection(self.settings, path=fresh) if fresh else self.collection
        with swap_lock:
            self._use_index(collection)
        return result

    def _use_index(self, collection) -> None:
        """Read everything that depends on the index: retrieval (vectors + BM25), vocabulary, reader, provenance."""
        self.collection = collection
        self.retriever = HybridRetriever(collection, self.embeddings, self.settings.candidates, self.settings.rrf_k)
        self.vocabulary = self.retriever.vocabulary()
        self._build_reader()
        self.provenance = provenance(self.settings.corpus_dir, self.settings.rules_dir, self.retriever.content_hash())

    def read_topic_words(self, text: str) -> TopicWords:
        """The question's words against the corpus; a typo is never 'corrected' into a drug name (an unknown drug
        must not become a library drug whose doses would then be given)."""
        found = keep_drug_names_apart(topic_words(text, self.vocabulary, self.glossary), self.drug_names)
        lexicon = self.reader.lexicon
        found.populations = [w for w in found.populations if not only_negated(text, w, lexicon)]  # 'not pregnant'
        return found

    def _build_reader(self) -> None:
        """The question reader's vocabulary: rules, glossary, the titles of the indexed guidelines."""
        titles = sorted({title for title, _ in self.retriever.documents().values()})
        # Drugs the library is about: each document's own drugs (front matter, title, rules citing it), read
        # from the index; the dictionary on the titles covers documents indexed before drugs were recorded.
        subjects = subject_drugs_of(titles) | self.retriever.lexical.subject_drugs()
        lexicon = build_lexicon(
            self.settings.corpus_dir,
            self.rules,
            self.glossary.drug_aliases,
            subjects,
            self.glossary.indication_terms,
            self.glossary.ambiguous_indication_terms,
        )
        covered = sorted(lexicon.covered_drugs)
        default = covered[0] if len(covered) == 1 else None  # a question naming no drug is about the only one
        ahead = getattr(self.embeddings, "embed_with", None)  # the retrieval query, embedded with the intent's text
        embed_with = (lambda text, search: ahead(text, self.glossary.expand(search))) if ahead else None
        self.reader = Reader(lexicon, self.intents, self.embeddings.embed_query, default, embed_with)
        self.drug_names = {
            *lexicon.covered_drugs,
            *self.glossary.drugs,
            *lexicon.drug_aliases,
            *lexicon.drug_aliases.values(),
        }
        # Kinds of question no guideline text answers at all (e.g. interactions): refused, never guessed.
        self.uncovered_kinds = UncoveredKinds(self.intents.answer_cues, self.retriever.any_text_matches)

    def corpus_status(self) -> CorpusStatus:
        docs = [DocStatus(doc_id=d, title=t, chunks=n) for d, (t, n) in sorted(self.retriever.documents().items())]
        refused = dict(getattr(self.rules, "refused", {}))
        return CorpusStatus(documents=docs, built_at=self.retriever.built_at(), rules_refused=refused)

    def document_file(self, doc_id: str) -> str:
        return self.retriever.document_file(doc_id)

    def source_chunk(self, source: RuleSource) -> Chunk | None:
        """The indexed chunk that holds a rule's quoted text."""
        return self.retriever.chunk_for_quote(source.doc_id, source.quote)

    # -- one turn -----------------------------------------------------------------
    def retrieve(self, query: Query, prior: list[str] | None = None) -> list[Hit]:
        """Hybrid search on the question (with its conversation context, glossary expanded)."""
        # 'general' says nothing about the wording that answers it; a bare 'dose' question says little.
        cue = self.intents.answer_cues.get(query.intent) if query.intent != "general" else None
        weight = 0.5 if query.intent == "dose" else 1.0
        return self.retriever.search(
            self.glossary.expand(query.search_text), self.settings.top_k, cue=cue, prior=prior, cue_weight=weight
        )

    def search(self, question: str, history: Sequence[str] = ()) -> list[Hit]:
        """Retrieval alone, as `reply` does it before a dose check (for evaluation and tests)."""
        corrected = apply_corrections(self.read_topic_words(question).corrections, question)
        return self.retrieve(self.reader.understand(corrected, list(history)))

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
        text, found, query = self._read(history, message, indication, route)
        dose_check = judge(query, self.rules, patient, indication, route)
        hits, stale = self.freshness.split(self.retrieve(query, self._finding_chunks(dose_check)), self.document_file)
        best = max((h.similarity or 0.0 for h in hits), default=0.0)
        facts = (patient or Patient()).merged_over(query.patient)  # explicit fields win over text
        gap = population_gap(facts, self.rules.get(query.drug or ""))
        scope = decide(
            found, query, best, self.settings.min_similarity, self.settings.topic_zipf, self.uncovered_kinds, gap
        )
        dose_check = not_for(dose_check, found.populations)
        understood = understood_report(query, scope.reason, scope.corrections)
        cue = self.intents.answer_cues.get(answered_intent(query.intent, dose_check))
        common: dict[str, Any] = {
            "question": text,
            "hits": hits,
            "intent": query.intent,
            "understood": understood,
            "answer_cue": cue,
            "not_covered": list(dict.fromkeys([*query.not_covered, *([gap] if gap else [])])),
            "notes": stale,  # cited text no longer in its document: never quoted from the index's old copy
        }
        if not scope.in_scope:
            log.info("refused %r: %s", text[:80], scope.reason)
            named = f" Not covered: {', '.join(common['not_covered'])}." if common["not_covered"] else ""
            return Answer(text=REFUSAL + named, refused=True, dose_check=dose_check, **common)
        if query.drug is None:
            choices = ", ".join(sorted(self.reader.lexicon.covered_drugs))
            ask = f"Which drug is this about? The library has guidance on: {choices}."
            return Answer(text=ask, refused=False, clarify=ask, dose_check=dose_check, **common)
        answer, allowed = self._extractive(query, hits, dose_check, common)
        request = LLMRequest(
            extractive=answer,
            history=history,
            patient=facts,
            source_chunk=self.source_chunk,
            guard_question=query.search_text,
            allowed=allowed,
            rules=self.rules,
            drug=query.drug,
            settings=self.settings,
            on_text=on_text,
        )
        return self._written(request, llm)

    def _written(self, request: LLMRequest, llm) -> Answer:
        """The extractive answer, or its rewrite by the turn's LLM backend (`llm`, else the default) where the
        model's draft survives the guard. A refusal and the 'none' backend call no model."""
        backend = self.llm if llm is None else llm
        if request.extractive.refused or isinstance(backend, str) and backend.strip().lower() in ("", "none"):
            return request.extractive
        from assistant.llm.run import llm_reply

        return llm_reply(request, backend, self.chat_models)

    def _read(
        self, history: list[Turn], message: str, indication: str | None, route: str | None
    ) -> tuple[str, TopicWords, Query]:
        """(the validated question, its words against the corpus, the question understood); an indication or
        route given explicitly wins over the one read from the text."""
        text = validate_question(message, self.settings.max_question_chars)
        previous = [t.content for t in history if t.role == "user"]
        found = self.read_topic_words(text)
        corrected = apply_corrections(found.corrections, text)  # typos fixed before the question is read
        query = self.reader.understand(corrected, previous)
        query = query.model_copy(
            update={
                "indication": indication or query.indication,
                "route": route or query.route,
                "indications": [indication] if indication else query.indications,
            }
        )
        return text, found, query

    def _extractive(
        self, query: Query, hits: list[Hit], dose_check: DoseCheck | None, common: dict[str, Any]
    ) -> tuple[Answer, dict[str, Chunk]]:
        """The guarded extractive answer for the question's drug (a refusal when the guard keeps nothing), and the
        chunks its sentences may cite: the hits and the chunks behind the dose check's findings."""
        drug = query.drug or ""
        other_drugs = tuple(d for d in (*self.glossary.drugs, *(m.name for m in query.mentions)) if d != drug)
        drug_rules = self.rules.get(drug)
        cues = self.intents.answer_cues
        draft = compose(query, hits, dose_check, self.source_chunk, other_drugs, cues, drug_rules)
        allowed = {h.chunk.id: h.chunk for h in hits}
        for finding in dose_check.findings if dose_check else []:
            if finding.citation and (chunk := self.source_chunk(finding.citation)):
                allowed[chunk.id] = chunk
        guarded = guard(draft, query.search_text, allowed, dose_check, drug_rules)
        if guarded.report.removed:
            log.warning(
                "guard removed %d sentence(s): %s",
                len(guarded.report.removed),
                [r.reason for r in guarded.report.removed],
            )
        if not guarded.text.strip():
            return Answer(text=REFUSAL, refused=True, dose_check=dose_check, guard=guarded.report, **common), allowed
        answer = Answer(
            text=guarded.text,
            refused=False,
            citations=guarded.citations,
            dose_check=dose_check,
            guard=guarded.report,
            **common,
        )
        return answer, allowed
