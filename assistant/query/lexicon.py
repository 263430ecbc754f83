"""The reader's vocabulary, all from data: corpus/reader.toml (general clinical language), the rules files
(drugs, indications, routes and their spellings), the glossary (brand aliases) and a maintained drug dictionary."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from assistant.corpus.routes import reader_path, route_words
from assistant.dosing.rules.schema import DrugRules
from assistant.text.words import STOPWORDS

READER_FILE = "reader.toml"
GLOSSARY_FILE = "glossary.toml"
CONDITIONS_TABLE = "indication_conditions"  # reviewed: general conditions → the indication they fix


@dataclass(frozen=True)
class RolePattern:
    """A number role ('egfr', 'age', 'duration', …) and the pattern that claims numbers for it."""

    role: str
    pattern: re.Pattern[str]
    fact: str | None = None


@dataclass(frozen=True)
class FactMention:
    """Words that mention a patient fact (corpus/reader.toml [mentions.*]), the Patient fields it is about and the
    pattern sections whose matches read a state of it."""

    name: str
    fields: frozenset[str]
    pattern: re.Pattern[str]
    read_by: tuple[str, ...]


@dataclass(frozen=True)
class Lexicon:
    """Compiled reader data plus the drug, indication and route spellings of the loaded library."""

    roles: tuple[RolePattern, ...]
    patterns: dict[str, re.Pattern[str]]
    vague: re.Pattern[str]
    vague_any: re.Pattern[str]
    drug_aliases: dict[str, str]
    indication_terms: dict[str, dict[str, re.Pattern[str]]]
    route_terms: dict[str, dict[str, re.Pattern[str]]]
    covered_drugs: frozenset[str]
    ruled_drugs: frozenset[str] = field(default_factory=frozenset)
    ambiguous_indications: dict[str, re.Pattern[str]] = field(default_factory=dict)
    followup_max_words: int = 8
    word_numbers: dict[str, float] = field(default_factory=dict)
    fact_mentions: tuple[FactMention, ...] = ()
    negation_before: re.Pattern[str] | None = None
    negation_after: re.Pattern[str] | None = None
    mention_near_chars: int = 30
    route_words: dict[str, re.Pattern[str]] = field(default_factory=dict)
    ckd_egfr: dict[str, tuple[float, float]] = field(default_factory=dict)
    pace_days: dict[str, float] = field(default_factory=dict)  # 'weekly' → 7: a titration pace or label unit in days
    condition_terms: dict[str, re.Pattern[str]] = field(default_factory=dict)  # indication → its conditions
    route_hints: dict[str, re.Pattern[str]] = field(default_factory=dict)  # route → glossary words meaning it

    def pattern(self, name: str) -> re.Pattern[str]:
        return self.patterns[name]


def _compile(text: str) -> re.Pattern[str]:
    return re.compile(text, re.IGNORECASE)


def _terms(words: list[str]) -> re.Pattern[str]:
    """Whole-word alternatives, longest first; a trailing 's' is allowed. Spellings that are ordinary English
    words ('it' for intrathecal) are for structured fields, not free text, and are left out."""
    alts = sorted(
        {w.strip().lower().replace("_", " ") for w in words if w.strip() and w.strip().lower() not in STOPWORDS},
        key=len,
        reverse=True,
    )
    return _compile(r"\b(?:" + "|".join(re.escape(a) for a in alts) + r")s?\b") if alts else _compile(r"(?!x)x")


def _route_terms(words: list[str]) -> re.Pattern[str]:
    """Route spellings; one that is an ordinary word ('it' for intrathecal) is read only in capitals ('IT'), so
    that a route is never missed where it is written as an abbreviation (a route misread makes a dose grey)."""
    plain = _terms(words).pattern
    capitals = sorted({w.strip().upper() for w in words if w.strip().lower() in STOPWORDS}, key=len, reverse=True)
    if not capitals:
        return _compile(plain)
    shouted = r"(?<![A-Z] )", r"(?! [A-Z]{2})"  # not inside a run of capitals ('IT IS URGENT')
    alternatives = "|".join(re.escape(c) for c in capitals)
    return _compile(plain + rf"|(?-i:{shouted[0]}\b(?:{alternatives})\b{shouted[1]})")


@lru_cache(maxsize=8)
def _reader_data(corpus_dir: str) -> dict[str, Any]:
    path = reader_path(corpus_dir)  # the library's own, else the shipped general reader data
    return tomllib.loads(path.read_text(encoding="utf-8")) if path is not None else {}


@lru_cache(maxsize=8)
def _glossary(corpus_dir: str) -> dict[str, Any]:
    path = Path(corpus_dir) / GLOSSARY_FILE
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _conditions(corpus_dir: str) -> dict[str, list[str]]:
    """The glossary's reviewed condition → indication table (indication → condition words)."""
    return {str(k): [str(t) for t in v] for k, v in _glossary(corpus_dir).get(CONDITIONS_TABLE, {}).items()}


def _route_hints(corpus_dir: str, general: dict[str, re.Pattern[str]]) -> dict[str, re.Pattern[str]]:
    """General route → the glossary words whose corpus wording names it ('pump' → 'intrathecal', 'ITB')."""
    synonyms = {str(k): str(v) for k, v in _glossary(corpus_dir).get("synonyms", {}).items()}
    found: dict[str, list[str]] = {}
    for word, wording in synonyms.items():
        for route, pattern in general.items():
            if pattern.search(wording) and not pattern.fullmatch(word):
                found.setdefault(route, []).append(word)
    return {route: _terms(words) for route, words in found.items()}


def build_lexicon(
    corpus_dir: Path,
    rules: dict[str, DrugRules],
    glossary_aliases: dict[str, str],
    subject_drugs: set[str],
    indication_terms: dict[str, list[str]] | None = None,
    ambiguous_terms: dict[str, list[str]] | None = None,
) -> Lexicon:
    """Everything the reader knows. `subject_drugs`: drugs that some guideline is about (titles, front matter)."""
    data = _reader_data(str(corpus_dir))
    roles = tuple(RolePattern(r["role"], _compile(r["pattern"]), r.get("fact")) for r in data.get("roles", []))
    patterns: dict[str, re.Pattern[str]] = {}
    for section in (
        "people",
        "populations",
        "renal_states",
        "states",
        "hepatic_states",
        "intervals",
        "relations",
        "trend",
        "doses",
        "followup",
        "ckd_stages",
        "titration",
    ):
        for key, value in data.get(section, {}).items():
            if isinstance(value, str):
                patterns[f"{section}.{key}"] = _compile(value)
    substances = data.get("substances", {})
    vague = _compile("|".join(f"(?:\\b{v}\\b)" for v in substances.get("vague", [])) or r"(?!x)x")
    vague_any = _compile("|".join(f"(?:\\b{v}\\b)" for v in substances.get("vague_any", [])) or r"(?!x)x")
    indications: dict[str, dict[str, re.Pattern[str]]] = {}
    routes: dict[str, dict[str, re.Pattern[str]]] = {}
    for name, drug_rules in rules.items():
        extra = indication_terms or {}
        indications[name] = {
            k: _terms([k, i.label, *i.aliases, *extra.get(k, [])]) for k, i in drug_rules.indications.items()
        }
        routes[name] = {k: _route_terms([k, *r.aliases]) for k, r in drug_rules.routes.items()}
    covered = frozenset({*rules, *subject_drugs})
    by_indication: dict[str, list[str]] = {}
    for term, keys in (ambiguous_terms or {}).items():
        for key in keys:
            by_indication.setdefault(key, []).append(term)
    mention_data = data.get("mentions", {})
    fact_mentions = tuple(
        FactMention(name, frozenset(v["fields"]), _compile(v["pattern"]), tuple(v.get("read_by", [])))
        for name, v in mention_data.items()
        if isinstance(v, dict)
    )
    before, after = mention_data.get("negation_before"), mention_data.get("negation_after")
    general_routes = dict(route_words(str(corpus_dir)))
    return Lexicon(
        fact_mentions=fact_mentions,
        route_words=general_routes,
        route_hints=_route_hints(str(corpus_dir), general_routes),
        ckd_egfr={str(k): (float(v[0]), float(v[1])) for k, v in data.get("ckd_stages", {}).get("egfr", {}).items()},
        negation_before=_compile(before) if before else None,
        negation_after=_compile(after) if after else None,
        mention_near_chars=int(mention_data.get("near_chars", 30)),
        roles=roles,
        patterns=patterns,
        vague=vague,
        vague_any=vague_any,
        drug_aliases=dict(glossary_aliases),
        indication_terms=indications,
        route_terms=routes,
        covered_drugs=covered,
        ruled_drugs=frozenset(rules),
        ambiguous_indications={k: _terms(v) for k, v in by_indication.items()},
        followup_max_words=int(data.get("followup", {}).get("max_words", 8)),
        word_numbers={str(k): float(v) for k, v in data.get("word_numbers", {}).items()},
        pace_days={str(k): float(v) for k, v in data.get("titration", {}).get("days", {}).items()},
        condition_terms={k: _terms(v) for k, v in _conditions(str(corpus_dir)).items()},
    )
