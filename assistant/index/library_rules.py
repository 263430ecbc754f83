"""The rules as the product uses them: every rules file checked against the guideline library it cites (the
corpus folder and the library manifest's files), so a quote that is not in its document, or a document that is
not in the library, refuses that file at load — the same check `validate-rules` reports."""

from __future__ import annotations

from pathlib import Path

from assistant.corpus.chunk import chunk_guideline
from assistant.corpus.load import CorpusError, load_corpus
from assistant.dosing.rules.load import RuleSet, load_rules
from assistant.index.library import read_manifest
from assistant.settings import Settings


def library_texts(settings: Settings) -> dict[str, str]:
    """doc id → text of every readable guideline of the library; an unreadable library is an empty one, so
    every rule citing it is refused (fail closed)."""
    try:
        extra = [Path(e.path) for e in read_manifest(settings) if Path(e.path).is_file()]
        loaded = load_corpus(settings.corpus_dir, settings.max_document_bytes, extra=extra)
    except CorpusError:
        return {}
    # A quote may be the document's words or a chunk's (a PDF table row is cited as the chunk renders it).
    return {
        g.id: "\n".join([g.title, " ".join(g.drugs), g.text, *(c.text for c in chunk_guideline(g))])
        for g in loaded.guidelines
    }


def library_rules(settings: Settings, rules_dir: Path | None = None) -> RuleSet:
    """The rules of `rules_dir` (default: the settings' rules folder), checked against the library."""
    return load_rules(rules_dir or settings.rules_dir, library_texts(settings))
