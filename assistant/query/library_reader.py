"""The question reader built for one library: its vocabulary from the rules, the glossary and the indexed titles."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from assistant.corpus.glossary import Glossary
from assistant.dosing.rules.schema import DrugRules
from assistant.query.intent import IntentReader
from assistant.query.lexicon import build_lexicon
from assistant.query.subjects import subject_drugs_of
from assistant.query.understand import Reader


class MessageVectors:
    """The vector the reader embeds for a message's kind (its own words, drug and indication names masked), kept by
    the retrieval text it was embedded with, so the relevance step re-uses it instead of a second model call."""

    KEPT = 8

    def __init__(self) -> None:
        self._kept: OrderedDict[str, list[float]] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, search: str, vector: list[float]) -> list[float]:
        with self._lock:
            self._kept[search] = vector
            while len(self._kept) > self.KEPT:
                self._kept.popitem(last=False)
        return vector

    def pop(self, search: str) -> list[float] | None:
        with self._lock:
            return self._kept.pop(search, None)


@dataclass(frozen=True)
class LibraryReader:
    reader: Reader
    message_vectors: MessageVectors
    drug_names: set[str]  # every drug name and alias a typo must never be corrected into
    library_words: frozenset[str]  # names of what the library is about: never the uncovered aspect of a question


def indication_words(rules: dict[str, DrugRules]) -> list[str]:
    """Every name and spelling of the library's indications."""
    return [
        term
        for r in rules.values()
        for key, ind in r.indications.items()
        for term in (key.replace("_", " "), ind.label, *ind.aliases)
    ]


def build_reader(corpus_dir: Path, rules, glossary: Glossary, retriever, intents: IntentReader) -> LibraryReader:
    titles = sorted({title for title, _ in retriever.documents().values()})
    # Drugs the library is about: each document's own drugs (front matter, title, rules citing it), read
    # from the index; the dictionary on the titles covers documents indexed before drugs were recorded.
    subjects = subject_drugs_of(titles) | retriever.lexical.subject_drugs()
    lexicon = build_lexicon(
        corpus_dir,
        rules,
        glossary.drug_aliases,
        subjects,
        glossary.indication_terms,
        glossary.ambiguous_indication_terms,
    )
    covered = sorted(lexicon.covered_drugs)
    default = covered[0] if len(covered) == 1 else None  # a question naming no drug is about the only one
    embeddings = retriever.embeddings
    ahead = getattr(embeddings, "embed_with", None)  # the retrieval query, embedded with the intent's text
    vectors = MessageVectors()

    def embed_with(text: str, search: str) -> list[float]:
        expanded = glossary.expand(search)
        assert ahead is not None  # only passed to the reader when the model embeds ahead
        return vectors.keep(expanded, ahead(text, expanded))

    reader = Reader(lexicon, intents, embeddings.embed_query, default, embed_with if ahead else None)
    drug_names = {*lexicon.covered_drugs, *glossary.drugs, *lexicon.drug_aliases, *lexicon.drug_aliases.values()}
    library_words = frozenset(
        [*lexicon.covered_drugs, *glossary.drugs, *indication_words(rules), *glossary.indication_terms]
    )
    return LibraryReader(reader, vectors, drug_names, library_words)
