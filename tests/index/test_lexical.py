"""The persisted lexical index, the hash manifest and the store look-ups that replace the in-memory chunk table."""

from __future__ import annotations

import re
import tomllib

import pytest

from assistant.dosing.rules.load import load_rules_file
from assistant.index.ingest import ingest
from assistant.index.lexical import lexical_dir, saved_version
from assistant.index.provenance import index_hash
from assistant.index.store import document_summaries, open_collection, stored_chunks
from assistant.index.version import VERSION_KEY, store_metadata
from assistant.query.scope import CorpusVocabulary
from assistant.retrieval import HybridRetriever
from assistant.settings import REPO_ROOT
from assistant.types import RuleSource

pytestmark = pytest.mark.slow


class CountingEmbed:
    def __init__(self, embeddings):
        self.embeddings = embeddings
        self.count = 0

    def __call__(self, texts):
        self.count += len(texts)
        return self.embeddings.embed_documents(texts)


def test_ingest_persists_bm25_for_the_store_version(store_settings, embeddings):
    ingest(store_settings, embed=embeddings.embed_documents)
    collection = open_collection(store_settings)
    version = store_metadata(collection)[VERSION_KEY]
    assert saved_version(lexical_dir(store_settings.data_dir, store_settings.collection)) == version
    retriever = HybridRetriever(collection, embeddings)
    assert retriever.lexical.version == version and len(retriever.lexical.ids) == 37
    assert retriever.bm25_ranking("baclofen withdrawal seizures")  # the loaded index ranks
    # recorded at ingest, so start-up reads neither the chunk ids nor the metadata of the library
    assert retriever.content_hash() == index_hash(c.id for c in stored_chunks(collection))
    assert retriever.lexical.subject_drugs() == {d.lower() for doc in document_summaries(collection) for d in doc.drugs}
    assert retriever.lexical.subject_drugs()  # the shipped guidelines are about a drug
    assert retriever.vocabulary().correction("withdrawl") == "withdrawal"  # typo index saved beside BM25


def test_unchanged_library_is_not_parsed_and_an_edit_is_seen(store_settings, embeddings):
    embed = CountingEmbed(embeddings)
    first = ingest(store_settings, embed=embed)
    version = store_metadata(open_collection(store_settings))[VERSION_KEY]
    second = ingest(store_settings, embed=embed)
    assert (second.report.added, second.report.unchanged, embed.count) == (0, 37, 37)
    assert second.documents == first.documents
    assert store_metadata(open_collection(store_settings))[VERSION_KEY] == version  # no rebuild

    doc = store_settings.corpus_dir / "baclofen-spasticity.md"
    doc.write_text(doc.read_text().replace("lowest effective dosage", "lowest zanzibarian dosage"))
    third = ingest(store_settings, embed=embed)
    assert (third.report.added, third.report.removed, embed.count) == (1, 1, 38)
    collection = open_collection(store_settings)
    assert store_metadata(collection)[VERSION_KEY] != version
    retriever = HybridRetriever(collection, embeddings)
    top = retriever.bm25_ranking("zanzibarian")
    assert len(top) == 1 and "zanzibarian" in retriever.chunk_by_id(top[0]).text


def test_a_wiped_store_is_reindexed_despite_the_manifest(tmp_path, corpus_copy, embeddings):
    from assistant.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", corpus_dir=corpus_copy)
    ingest(settings, embed=embeddings.embed_documents)
    collection = open_collection(settings)
    collection.delete(ids=collection.get(include=[])["ids"][:5])
    again = ingest(settings, embed=embeddings.embed_documents)
    assert again.report.added == 5 and again.report.total == 37


def test_lookups_match_the_full_scan(assistant):
    """chunk_for_quote, corpus words and document counts equal what the whole-table scan gave."""
    retriever = assistant.retriever
    everything = stored_chunks(assistant.collection)
    vocabulary = CorpusVocabulary.from_chunks(everything)
    assert retriever.corpus_words() == vocabulary.words and retriever.corpus_stems() == vocabulary.stems
    counts: dict[str, int] = {}
    for c in everything:
        counts[c.doc_id] = counts.get(c.doc_id, 0) + 1
    assert {d: n for d, (_, n) in retriever.documents().items()} == counts
    sources = [s for f in sorted((REPO_ROOT / "corpus" / "rules").glob("*.toml")) for s in _sources(load_rules_file(f))]
    assert sources
    for source in sources:  # the whole-table scan the pipeline did before
        quote = source.quote.strip().rstrip(".")
        expected = next(
            c for c in everything if c.doc_id == source.doc_id and (quote in c.text or c.text.rstrip(".") in quote)
        )
        assert retriever.chunk_for_quote(source.doc_id, source.quote) == expected
    assert retriever.chunk_for_quote("baclofen-spasticity", "no guideline says this") is None
    assert retriever.built_at() is not None
    cues = [
        str(v["answer_cue"])
        for v in tomllib.loads((REPO_ROOT / "corpus" / "intents.toml").read_text()).values()
        if v.get("answer_cue")
    ] + ["interaction with warfarin", r"(?<=start )baclofen"]
    for cue in cues:  # the store's regex answers as Python's re over every chunk
        expected = any(re.search(cue, c.text, re.IGNORECASE) for c in everything)
        assert retriever.any_text_matches(cue) == expected, cue
    one = everything[3]
    assert retriever.chunk_by_id(one.id) == one and retriever.chunk_by_id("0" * 16) is None


def _sources(model) -> list[RuleSource]:
    """Every RuleSource inside a rules model."""
    from pydantic import BaseModel

    found: list[RuleSource] = []
    if isinstance(model, RuleSource):
        return [model]
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found += _sources(getattr(model, name))
    elif isinstance(model, dict):
        for value in model.values():
            found += _sources(value)
    elif isinstance(model, list):
        for value in model:
            found += _sources(value)
    return found
