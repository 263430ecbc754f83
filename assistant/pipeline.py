"""`Assistant.reply(history, message, patient) -> Answer`: the orchestration of one turn."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

from assistant.answer.aspect import evidence_refusal, hits_aspect, refusal_text, with_aspect
from assistant.answer.compose import DrugNameIndex, answered_intent, dosing_question
from assistant.answer.coverage import names_subject, text_subject, unchecked_companions, unstated_dose
from assistant.answer.extractive import extractive_answer, finding_chunks
from assistant.answer.ranking import Ranked, RankRequest, SentenceRanker
from assistant.answer.relevance import RelevanceModel
from assistant.answer.safety_net import SafetyNet
from assistant.answer.sentence_vectors import SentenceVectors
from assistant.corpus.glossary import load_glossary
from assistant.index.freshness import DocumentFreshness
from assistant.index.ingest import IngestResult, ingest
from assistant.index.library_rules import library_rules
from assistant.index.provenance import provenance
from assistant.index.rebuild import staged_reindex
from assistant.index.store import open_collection
from assistant.index.vector_cache import fixed_text_embedder, sentence_cache_dir
from assistant.judge import judge, not_for, population_gap
from assistant.llm.request import LLMRequest
from assistant.llm.write import written
from assistant.query.concepts import only_negated
from assistant.query.intent import IntentReader
from assistant.query.library_reader import build_reader
from assistant.query.report import understood_report
from assistant.query.scope import (
    TopicWords,
    UncoveredKinds,
    apply_corrections,
    decide,
    keep_drug_names_apart,
    topic_words,
)
from assistant.query.understand import Query
from assistant.query.validate import validate_question
from assistant.retrieval import HybridRetriever
from assistant.settings import REPO_ROOT, Settings
from assistant.turns import ReadTurn, Turn
from assistant.types import Answer, Chunk, CorpusStatus, DocStatus, DoseCheck, Hit, Patient, RuleSource

log = logging.getLogger("assistant")


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
        fixed_texts = fixed_text_embedder(self.embeddings, self.settings.model_dir)  # examples: on disk after 1st start
        self.intents = IntentReader(self.settings.corpus_dir, fixed_texts)
        vectors = SentenceVectors(fixed_text_embedder(self.embeddings, sentence_cache_dir(self.settings)))
        folders = [self.settings.corpus_dir, REPO_ROOT / "corpus"]  # the library's data, else the shipped defaults
        self.ranker = SentenceRanker(RelevanceModel.load(*folders), vectors, self.intents)
        self.safety_net = SafetyNet(folders, fixed_texts)
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
        self.freshness.use_index(collection)
        self.retriever = HybridRetriever(collection, self.embeddings, self.settings.candidates, self.settings.rrf_k)
        self.vocabulary = self.retriever.vocabulary()
        self._build_reader()
        self.provenance = provenance(self.settings.corpus_dir, self.settings.rules_dir, self.retriever.content_hash())

    def read_topic_words(self, text: str) -> TopicWords:
        """The question's words against the corpus; a typo is never 'corrected' into a drug name (an unknown drug
        must not become a library drug whose doses would then be given)."""
        found = topic_words(text, self.vocabulary, self.glossary, self.drug_names)
        found = keep_drug_names_apart(found, self.drug_names)
        lexicon = self.reader.lexicon
        found.populations = [w for w in found.populations if not only_negated(text, w, lexicon)]  # 'not pregnant'
        return found

    def _build_reader(self) -> None:
        """The question reader's vocabulary: rules, glossary, the titles of the indexed guidelines."""
        built = build_reader(self.settings.corpus_dir, self.rules, self.glossary, self.retriever, self.intents)
        self.reader, self.drug_names, self.library_words = built.reader, built.drug_names, built.library_words
        self.message_vectors = built.message_vectors
        self.drug_names_index = DrugNameIndex([*self.glossary.drugs, *self.reader.lexicon.covered_drugs])
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
    def retrieve(
        self, query: Query, prior: list[str] | None = None, vector: list[float] | None = None, k: int | None = None
    ) -> list[Hit]:
        """Hybrid search on the question (with its conversation context, glossary expanded); `vector` is that text's
        embedding when the caller has it; `k` hits (top_k by default)."""
        # 'general' says nothing about the wording that answers it; a bare 'dose' question says little.
        cue = self.intents.answer_cues.get(query.intent) if query.intent != "general" else None
        weight = 0.5 if query.intent == "dose" else 1.0
        text, top = self.glossary.expand(query.search_text), k or self.settings.top_k
        return self.retriever.search(text, top, cue=cue, prior=prior, cue_weight=weight, vector=vector)

    def _ranked(self, query: Query, hits: list[Hit], vector: list[float], dose_check: DoseCheck | None) -> Ranked:
        """The hits' sentences by relevance to the whole question (assistant/answer/ranking.py). A substance only the
        text covers is answered only by sentences that name it; another drug's figures never answer a dose question."""
        drug, mentioned = (query.drug or "").lower(), DrugNameIndex(m.name for m in query.mentions)
        if drug not in self.rules:
            names_other: Callable[[str], bool] = lambda sentence: not names_subject(sentence, drug)  # noqa: E731
        else:  # the library's drug names are indexed once (self.drug_names_index), the question's per reply
            names_other = lambda s: self.drug_names_index.names_other(s, drug) or mentioned.names_other(s, drug)  # noqa: E731
        kind_vector = self.message_vectors.pop(self.glossary.expand(query.search_text))  # None: the main vector
        request = RankRequest(
            question=self.glossary.expand(query.search_text),
            vector=vector,
            last_vector=kind_vector,
            kind_scores=self.intents.scores(kind_vector if kind_vector is not None else vector, query.message),
            hits=hits,
            indications=query.indications,
            dosing=dosing_question(query),
            only_subject=drug not in self.rules,
            drug_rules=self.rules.get(drug),
            names_other=names_other,
            message=query.message,
            known=self.library_words,
            other_document=lambda t: self.drug_names_index.names_other(t, drug) and not names_subject(t, drug),
            names_subject=lambda s: names_subject(s, drug),
            subject_words=tuple(m.text for m in query.mentions if m.covered and m.text),
            expand=self.glossary.expand,
            stored=self.retriever.vectors_by_id,
        )
        return self.ranker.rank(request)

    def search(self, question: str, history: Sequence[str] = ()) -> list[Hit]:
        """Retrieval alone, as `reply` does it before a dose check (for evaluation and tests)."""
        corrected = apply_corrections(self.read_topic_words(question).corrections, question)
        return self.retrieve(self.reader.understand(corrected, list(history)))

    def _evidence(self, query: Query, dose_check: DoseCheck | None) -> tuple[list[Hit], list[str], list[float]]:
        """(the hits still in their documents, notes on the stale ones, the question's vector)."""
        vector = self.embeddings.embed_query(self.glossary.expand(query.search_text))
        pool = max(self.settings.top_k, self.settings.answer_pool)
        found = self.retrieve(query, finding_chunks(dose_check, self.source_chunk), vector, pool)
        hits, stale = self.freshness.split(found, self.document_file)
        return hits, stale, vector

    def understand(self, history: list[Turn], message: str) -> tuple[TopicWords, Query]:
        """The message's words against the corpus and the question understood, as `reply` reads them."""
        return self._read(history, message, None, None)[1:]

    def rank_sentences(self, history: list[Turn], message: str, patient: Patient | None = None) -> Ranked:
        """The candidate sentences of a reply, scored as `reply` scores them (for evaluation and the ranker's fit)."""
        _, _, query = self._read(history, message, None, None)
        dose_check = judge(query, self.rules, patient)
        hits, _, vector = self._evidence(query, dose_check)
        return self._ranked(query, hits, vector, dose_check)

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
        `on_text` receives the guarded text of the model's complete sentences while it writes. A possible emergency
        gets the library's safety-net sentence first (assistant/answer/safety_net.py)."""
        text, found, query = self._read(history, message, indication, route)
        dose_check = judge(query, self.rules, patient, indication, route)
        hits, stale, vector = self._evidence(query, dose_check)
        if on_text is not None and self.safety_net.applies(vector):
            on_text(self.safety_net.sentence)
        answer = self._answer(
            ReadTurn(text, found, query, dose_check, hits, stale, vector, patient), history, llm, on_text
        )
        return self.safety_net.first(answer, vector, lambda: hits_aspect(text, hits, self.library_words))

    def _answer(self, turn: ReadTurn, history: list[Turn], llm, on_text: Callable[[str], None] | None) -> Answer:
        """The turn's answer, refusal or question back, from what `reply` read and retrieved."""
        text, found, query, dose_check = turn.text, turn.found, turn.query, turn.dose_check
        hits, stale, vector, patient = turn.hits, turn.stale, turn.vector, turn.patient
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
            refused = Answer(text=refusal_text(common["not_covered"]), refused=True, dose_check=dose_check, **common)
            return with_aspect(refused, hits_aspect(text, hits, self.library_words))
        if query.drug is None:
            choices = ", ".join(sorted(self.reader.lexicon.covered_drugs))
            ask = f"Which drug is this about? The library has guidance on: {choices}."
            return Answer(text=ask, refused=False, clarify=ask, dose_check=dose_check, **common)
        ranked = self._ranked(query, hits, vector, dose_check)
        if ranked.answerable < self.ranker.model.answer_min and dose_check is None:
            log.info("refused %r: answerable %.2f %s", text[:80], ranked.answerable, ranked.answer_features)
            return evidence_refusal(text, ranked, self.library_words, common)
        companions, dose_check = unchecked_companions(query, [c.sentence for c in ranked.candidates], dose_check)
        companions += unstated_dose(query, ranked.candidates, dosing_question(query), query.drug in self.rules)
        if companions and dose_check is None:  # an interaction, alternative or dose the library says nothing about
            return evidence_refusal(text, ranked, self.library_words, {**common, "not_covered": companions})
        picked = ranked.picked if ranked.answerable >= self.ranker.model.answer_min else []
        drug_rules = self.rules.get(query.drug)
        answer, allowed = extractive_answer(
            query.search_text, picked, hits, dose_check, self.source_chunk, drug_rules, common
        )
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
        return written(request, self.llm if llm is None else llm, self.chat_models)

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
        return text, found, text_subject(query, self.vocabulary.knows)  # a substance only the text covers
