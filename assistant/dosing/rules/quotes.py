"""Every number in a rules file must be stated by its own quote, as a whole number (never "3" inside "30").

Numbers are read from the quote with the project's quantity reader, so "8 grams" states 8000 (mg) as well as 8,
"1,500 mg" states 1500, and "<30 mL/min" states 30 — while "30" does not state 3 or 300.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pydantic import BaseModel

from assistant.text.quantities import extract
from assistant.types import RuleSource


def stated_numbers(quote: str) -> set[float]:
    """Every whole number the quote states: as written, and in base units (mg) when a unit converts it."""
    values: set[float] = set()
    for q in extract(quote):
        values.add(q.value)
        written = q.raw.replace(",", "")
        for token in written.replace("–", " ").replace("-", " ").replace("<", " ").replace(">", " ").split():
            try:
                values.add(float(token))
            except ValueError:
                continue
    return values


def states(quote: str, value: float) -> bool:
    return any(abs(value - v) < 1e-9 for v in stated_numbers(quote))


def sourced(model: BaseModel, path: str) -> Iterator[tuple[str, BaseModel, RuleSource]]:
    """Every object in the rules that carries a `source`, with its dotted path."""
    src = getattr(model, "source", None)
    if isinstance(src, RuleSource):
        yield path, model, src
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, dict):
            items = list(value.items())
        elif isinstance(value, list):
            items = list(enumerate(value))
        else:
            items = [(None, value)]
        for key, item in items:
            if isinstance(item, BaseModel) and not isinstance(item, RuleSource):
                yield from sourced(item, f"{path}.{name}" + (f"[{key}]" if key is not None else ""))


# A maximum is stated as one: with a maximum wording in its clause, or as a dose given per day or per dose. A number
# that the quote states in another sense ('360 mg packs are not available') does not support a maximum.
MAXIMUM_FIELDS = ("max_daily_mg", "max_single_dose_mg")
_MAX_WORDS = re.compile(
    r"\b(?:max\w*|not (?:to )?exceed\w*|never exceed\w*|no more than|up to|at most|ceiling|highest|limit\w*|"
    r"should not be exceeded|not be exceeded)\b",
    re.I,
)
_AS_A_DOSE = re.compile(
    r"^\s*(?:(?:-|–|to)\s*[\d.,]+\s*)?(?:mg|g|grams?|milligrams?|mcg|micrograms?)\b\s*"
    r"(?:/\s*(?:day|d|24\s*h\w*|dose)|(?:a|per|each)\s+(?:day|dose)|daily|once|twice|three times|four times|"
    r"every|q\d|bid|tid|qid|od|bd|tds|qds|in (?:a|one) (?:single )?dose)",
    re.I,
)


def states_as_maximum(quote: str, value: float) -> bool:
    """True when some occurrence of the value is worded as a maximum or given as a dose per day or per dose."""
    for m in re.finditer(r"\d[\d,]*(?:\.\d+)?", quote):
        try:
            number = float(m.group(0).replace(",", ""))
        except ValueError:
            continue
        if not any(abs(number * f - value) < 1e-9 for f in (1, 1000)):  # '8 grams' states 8000 mg
            continue
        clause = re.split(r"[;.:](?:\s|$)", quote[: m.start()])[-1]
        if _MAX_WORDS.search(clause) or _AS_A_DOSE.match(quote[m.end() :]):
            return True
    return False


def cited_value_problems(model: BaseModel, root: str) -> list[str]:
    """One line per number (or frequency word) that its own quote does not state, in the sense the field needs."""
    problems: list[str] = []
    for where, obj, src in sourced(model, root):
        numbers = getattr(obj, "cited_numbers", None)
        words = getattr(obj, "cited_words", None)
        maximum = where.rsplit(".", 1)[-1] in MAXIMUM_FIELDS
        for value in numbers() if callable(numbers) else []:
            if not states(src.quote, value):
                problems.append(f"{where}: the quote does not state {_fmt(value)} as a whole number")
            elif maximum and not states_as_maximum(src.quote, value):
                problems.append(f"{where}: the quote states {_fmt(value)} but not as a maximum or a dose per day")
        for word in words() if callable(words) else []:
            if word not in src.quote:
                problems.append(f"{where}: the quote does not contain '{word}'")
    return problems


def primary_document(rule: BaseModel) -> str:
    """The document a rule's main limit cites (its maximum, else its first cited source)."""
    for name in ("max_daily_mg", "max_single_dose_mg", "per_kg", "start_daily_mg"):
        limit = getattr(rule, name, None)
        if limit is not None:
            return limit.source.doc_id
    return next((src.doc_id for _, _, src in sourced(rule, "rule")), "")


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def squash(text: str) -> str:
    """Whitespace-insensitive text, for finding a quote in a document."""
    return " ".join(text.split())


def document_problems(model: BaseModel, documents: Mapping[str, str]) -> list[str]:
    """One line per source whose document is not in the library or does not contain its quote, and per cited
    document that never names the drug (a rule's limits come from documents about that drug)."""
    squashed: dict[str, str] = {}  # only the cited documents: a library of thousands is not squashed per rules file
    problems: list[str] = []
    for where, _, src in sourced(model, getattr(model, "drug", "rules")):
        if src.doc_id in documents and src.doc_id not in squashed:
            squashed[src.doc_id] = squash(documents[src.doc_id])
        text = squashed.get(src.doc_id)
        if text is None:
            problems.append(f"{where}: no document '{src.doc_id}' in the library")
        elif squash(src.quote) not in text:
            problems.append(f"{where}: quote not found in {src.doc_id}")
    return problems + drug_naming_problems(model, documents)


def drug_naming_problems(model: BaseModel, documents: Mapping[str, str]) -> list[str]:
    """One line per cited document (in the library) that never names the rules' drug."""
    drug = str(getattr(model, "drug", ""))
    cited = dict.fromkeys(src.doc_id for _, _, src in sourced(model, drug or "rules"))
    return [
        f"{drug}: {doc_id} never names {drug}; cite a document about {drug}"
        for doc_id in cited
        if drug and doc_id in documents and not re.search(rf"\b{re.escape(drug)}\b", documents[doc_id], re.I)
    ]
