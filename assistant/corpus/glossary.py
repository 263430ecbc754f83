"""Load `corpus/glossary.toml`: abbreviations and lay words → corpus wording, and population terms."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.text.words import stem, words


@dataclass(frozen=True)
class Glossary:
    """Synonym expansions (keys are lower-case words or phrases), population terms and the drugs the corpus names."""

    synonyms: dict[str, str]
    populations: frozenset[str]
    drugs: tuple[str, ...] = ()
    question_words: frozenset[str] = frozenset()
    drug_aliases: dict[str, str] = field(default_factory=dict)
    indication_terms: dict[str, list[str]] = field(default_factory=dict)
    ambiguous_indication_terms: dict[str, list[str]] = field(default_factory=dict)

    def matched_terms(self, text: str) -> list[str]:
        """Glossary keys present in the text (whole words; dotted abbreviations as written)."""
        tokens = words(text)
        joined = " " + " ".join(tokens) + " "
        stems = {stem(t) for t in tokens}
        lowered = text.lower()

        def present(term: str) -> bool:
            if "." in term:
                return term in lowered
            if " " in term:
                return f" {term} " in joined
            return f" {term} " in joined or stem(term) in stems  # 'stopped' finds 'stop'

        return [term for term in self.synonyms if present(term)]

    def expand(self, text: str) -> str:
        """The text followed by the corpus wording of every glossary term it contains."""
        extra = list(dict.fromkeys(self.synonyms[term] for term in self.matched_terms(text)))
        return text if not extra else f"{text} ({'; '.join(extra)})"


ABBREVIATIONS = Path(__file__).resolve().parents[2] / "corpus" / "abbreviations.toml"


def general_abbreviations() -> dict[str, str]:
    """Abbreviations in general clinical use (corpus/abbreviations.toml), read by every library."""
    if not ABBREVIATIONS.exists():
        return {}
    data = tomllib.loads(ABBREVIATIONS.read_text(encoding="utf-8"))
    return {str(k).lower(): str(v) for k, v in data.get("synonyms", {}).items()}


def load_glossary(corpus_dir: Path) -> Glossary:
    """The library's glossary over the general abbreviations (only those when the file is absent); a one-line
    ValueError when it is malformed."""
    path = corpus_dir / "glossary.toml"
    if not path.exists():
        return Glossary(synonyms=general_abbreviations(), populations=frozenset(), drugs=())
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path.name}: {exc}") from None
    synonyms = {**general_abbreviations(), **{str(k).lower(): str(v) for k, v in data.get("synonyms", {}).items()}}
    populations = frozenset(str(t).lower() for t in data.get("populations", {}).get("terms", []))
    drugs = tuple(str(d).lower() for d in data.get("drugs", {}).get("names", []))
    question_words = frozenset(str(t).lower() for t in data.get("question_words", {}).get("terms", []))
    aliases = {str(k).lower(): str(v).lower() for k, v in data.get("drug_aliases", {}).items()}
    # drugs the corpus names are known even when the dictionary is not
    aliases |= {d: d for d in drugs if d not in aliases}
    terms = {str(k): [str(t) for t in v] for k, v in data.get("indication_terms", {}).items()}
    ambiguous = {str(k).lower(): [str(t) for t in v] for k, v in data.get("ambiguous_indication_terms", {}).items()}
    return Glossary(
        synonyms=synonyms,
        populations=populations,
        drugs=drugs,
        question_words=question_words,
        drug_aliases=aliases,
        indication_terms=terms,
        ambiguous_indication_terms=ambiguous,
    )
