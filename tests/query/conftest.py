"""Fixtures for the fast query tests: the reader's vocabulary from the shipped data, with no embedding model.

The lexicon is built the way the pipeline builds it (corpus/reader.toml, the rules files, the glossary), except that
the drugs named in the indexed titles are left out: nothing is indexed here, so the covered drugs are those with
rules. The fast reader embeds nothing: a question with a dose is a dose question before any vector is needed, and
the tests that use it assert nothing about the intent of other questions.
"""

from __future__ import annotations

import pytest

from assistant.corpus.glossary import load_glossary
from assistant.dosing.rules.load import load_rules
from assistant.dosing.rules.schema import DrugRules
from assistant.query.intent import IntentReader
from assistant.query.lexicon import Lexicon, build_lexicon
from assistant.query.understand import Reader
from assistant.settings import Settings


def _flat(texts: list[str]) -> list[list[float]]:
    """A stand-in for the embedding model: one constant vector per text."""
    return [[1.0, 0.0] for _ in texts]


@pytest.fixture(scope="session")
def shipped_rules() -> dict[str, DrugRules]:
    return load_rules(Settings().rules_dir)


@pytest.fixture(scope="session")
def lexicon(shipped_rules) -> Lexicon:
    settings = Settings()
    glossary = load_glossary(settings.corpus_dir)
    return build_lexicon(
        settings.corpus_dir,
        shipped_rules,
        glossary.drug_aliases,
        set(),
        glossary.indication_terms,
        glossary.ambiguous_indication_terms,
    )


@pytest.fixture(scope="session")
def fast_reader(lexicon) -> Reader:
    """The real Reader over the shipped vocabulary, with a constant vector in place of the embedding model."""
    intents = IntentReader(Settings().corpus_dir, _flat)
    return Reader(lexicon, intents, lambda text: [1.0, 0.0], default_drug="baclofen")
