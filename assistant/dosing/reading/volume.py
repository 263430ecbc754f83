"""A dose written as a volume ('10 mL of a 5 mg/5 mL solution', '150 mL of 3% saline', '30 mL tid') turned into
milligrams through a concentration: the one the text states, else the one the rules give for the drug (or the named
formulation). Without a concentration the volume stays as written, and the reader says it cannot check it."""

from __future__ import annotations

import re

from assistant.text.quantities import unit_named, unit_of, unit_pattern, units

_NUMBER = r"[0-9]+(?:\.[0-9]+)?"
_MASS = units("mass")  # the project's one unit table: every spelling it reads, with its factor to mg
_ML = unit_pattern((unit_named("mL"),))
_CONCENTRATION = re.compile(
    rf"(?:(?:of|in)\s+(?:an?\s+|the\s+)?)?(?P<amount>{_NUMBER})\s*(?P<unit>{unit_pattern(_MASS)})\s*"
    rf"(?:/|per|in|in each|every)\s*(?P<volume>{_NUMBER})?\s*{_ML}\b"
    r"(?:\s+(?:oral\s+)?(?:solution|suspension|syrup|liquid|elixir))?",
    re.IGNORECASE,
)
_PERCENT = re.compile(
    rf"(?:(?:of|in)\s+(?:an?\s+|the\s+)?)?(?P<pct>{_NUMBER})\s*%\s*(?:w/v\s*)?(?P<what>[a-z]+(?:\s+solution)?)?",
    re.IGNORECASE,
)
_VOLUME = re.compile(rf"(?P<n>{_NUMBER})\s*(?:-|to|–)?\s*(?P<m>{_NUMBER})?\s*{_ML}\b", re.I)


def stated_concentration(text: str) -> tuple[float, str] | None:
    """(mg per mL, the words stating it) when the text names a concentration."""
    if m := _CONCENTRATION.search(text):
        volume = float(m["volume"] or 1)
        unit = unit_of(m["unit"], _MASS)
        assert unit is not None and unit.factor is not None  # the pattern matched one of these spellings
        return float(m["amount"]) * float(unit.factor) / volume, m.group(0)
    if m := _PERCENT.search(text):
        return float(m["pct"]) * 10.0, m.group(0)  # % w/v: grams per 100 mL = 10 mg/mL per percent
    return None


def has_volume(text: str) -> bool:
    return bool(_VOLUME.search(text))


def in_milligrams(text: str, mg_per_ml: float | None) -> tuple[str, str | None]:
    """(the dose with each volume in mg, the concentration used as words) — unchanged when no concentration."""
    stated = stated_concentration(text)
    rest = text
    words: str | None
    if stated is not None:
        mg_per_ml, words = stated[0], stated[1]
        rest = " ".join(text.replace(words, " ").split())
    else:
        words = f"{mg_per_ml:g} mg/mL" if mg_per_ml else None
    if not mg_per_ml or not has_volume(rest):
        return text, None

    def convert(m: re.Match[str]) -> str:
        low = round(float(m["n"]) * mg_per_ml, 3)  # the dose reader takes at most 3 decimals
        high = f"-{round(float(m['m']) * mg_per_ml, 3):.10g}" if m["m"] else ""
        return f"{low:.10g}{high} mg"

    return _VOLUME.sub(convert, rest), words
