"""Numbers with units, read from prose and compared numerically.

The one number reader of the package: the guard compares the values (`numbers_in`, `value_supported`), the LLM
checks and the eval compare whole quantities (`extract`, `supported`), so a supported value stated with another unit
('10 years' where the source says '10 mg') is caught where units are compared, and every stage sees the same numbers.

Rules (each one is tested in tests/evals/test_eval_numbers.py):
- Citation markers `[1]`, `[1, 2]`, `[1-3]`, `[1][2]` are removed first (`assistant.text.citations`): never numbers.
- Only digits count ("5", "0.5", "1,000"); numbers glued to letters ("B12", "p95", "1st") are not read. Number
  words ("three", "twice") are read only by the value view (`numbers_in`, `extract(words=True)`).
  The "/1.73m²" of an eGFR unit is part of the unit, not a number.
- A range ("30-80 mg/day", "5–10 mg", "10% to 75%", "between 30 and 60", "from 10 to 20 mg") yields both
  endpoints, each with the range's unit and comparator.
- Units are spelled once, in the table `UNITS` below (which the dose grammar and the question reader share),
  and grouped into dimensions; masses are converted to mg (g ×1000, mcg ×0.001), so "30 g/day" is
  30000 mg and never matches "30 mg/day". Other dimensions: conc (mmol/L, mEq/L), renal (mL/min),
  percent, month, week, day, hour, year, count (doses, times, tablets), unit (IU), mg/kg. A volume (mL, drops)
  is not read here: its number stays bare.
- A mass may carry a rate: per day ("/day", "daily", "a day", "once daily"), per week ("/week", "weekly")
  or per dose (followed by a frequency such as "tid", "twice daily", "three times a day", "every 8 hours").
- A number without a unit right after "eGFR", "GFR", "CrCl", "creatinine clearance" or "kidney function"
  (up to two words between) is renal; after "sodium" or "Na" it is a concentration.
- Comparators: "<", "≤", "below", "under", "less than", "no/not more than" → "lt"; ">", "≥", "above",
  "over", "greater/more than" → "gt"; "up to", "at least", "maximum of" are not comparators.
- A claimed quantity is matched by a source quantity when the values are equal (after mass conversion) and
  the dimensions, rates and comparators agree wherever both sides state one (a missing unit, rate or
  comparator on either side is not a disagreement).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from assistant.text.citations import strip_citations

_BSA = re.compile(r"\s*/\s*1\.73\s*(?:m²|m2|m\^2|m)", re.IGNORECASE)


@dataclass(frozen=True)
class Unit:
    """One unit: its spellings (regex alternatives, matched without case) and what it measures."""

    name: str
    dim: str  # only quantities of one dimension compare
    factor: Decimal | None  # to the dimension's base unit (mass: mg); None where no exact factor exists
    spellings: tuple[str, ...]  # a longer spelling before a shorter one it starts with
    form: bool = False  # a dose form: a number of these is a dose ('2 tablets')


# The one table of unit spellings. This module, the dose grammar (assistant.dosing.reading) and the question's
# number reader (assistant.query.numbers) build their patterns from it, so a spelling added here is read by all.
# A compound unit comes before the unit it starts with ('mg/kg' before 'mg', 'mL/min' before 'mL').
UNITS: tuple[Unit, ...] = (
    Unit("mg/kg", "mg/kg", Decimal(1), (r"mg\s*/\s*kg", r"mg\s*per\s*kg")),
    Unit("mcg", "mass", Decimal("0.001"), ("micrograms?", "mcg", "µg", "μg", "ug")),
    Unit("mg", "mass", Decimal(1), ("milligrams?", "mgs", "mg")),
    Unit("g", "mass", Decimal(1000), ("grams?", "gm", "g")),
    Unit("mmol/L", "conc", Decimal(1), (r"mmol\s*/\s*l", "mmol")),
    Unit("mEq/L", "conc", Decimal(1), (r"meq\s*/\s*l", "meq")),
    Unit("mL/min", "renal", Decimal(1), (r"ml\s*/\s*min(?:ute)?",)),
    Unit("mL", "volume", Decimal(1), ("millilit(?:re|er)s?", "mls", "ml")),
    Unit("drop", "volume", None, ("drops?",)),
    Unit("%", "percent", Decimal(1), (r"per\s*cent", "percent", "%")),
    Unit("month", "month", Decimal(1), ("months?",)),
    Unit("week", "week", Decimal(1), ("weeks?", "wks?")),
    Unit("day", "day", Decimal(1), ("days?",)),
    Unit("hour", "hour", Decimal(1), ("hours?", "hrs?")),
    Unit("year", "year", Decimal(1), ("years?", "yrs?", "-year-old", "y/o")),
    Unit("dose", "count", Decimal(1), ("doses?", "times")),
    Unit("tablet", "count", Decimal(1), ("tablets?", "tabs?", "pills?"), form=True),
    Unit("capsule", "count", Decimal(1), ("capsules?", "caps?"), form=True),
    Unit("unit", "unit", Decimal(1), ("units?", "iu")),
)


def units(*dims: str) -> tuple[Unit, ...]:
    """The units of these dimensions, in the table's order."""
    return tuple(u for u in UNITS if u.dim in dims)


def unit_named(name: str) -> Unit:
    """The unit of the table with this name ('mL')."""
    return next(u for u in UNITS if u.name == name)


def dose_forms() -> tuple[Unit, ...]:
    """The dose forms (tablets, capsules): units a count of which is a dose."""
    return tuple(u for u in UNITS if u.form)


def unit_pattern(among: tuple[Unit, ...]) -> str:
    """A regex group (no capture) matching any spelling of these units."""
    return "(?:" + "|".join(spelling for u in among for spelling in u.spellings) + ")"


def unit_of(token: str, among: tuple[Unit, ...] = UNITS) -> Unit | None:
    """The unit a whole token spells ('µg' → mcg), or None."""
    return next((u for u in among if re.fullmatch(unit_pattern((u,)), token, re.IGNORECASE)), None)


# The dimensions read from prose (see the module docstring); a volume is left a bare number.
_READ = units("mg/kg", "mass", "conc", "renal", "percent", "month", "week", "day", "hour", "year", "count", "unit")


def _unit_group(prefix: str) -> str:
    alternatives = "|".join(f"(?P<{prefix}{i}>{unit_pattern((u,))})" for i, u in enumerate(_READ))
    return rf"(?:\s*(?:{alternatives})(?![a-z]))?"


def _number(name: str) -> str:
    """Digits not glued to a word or a decimal point; no ordinals. ('5,10' and '10/20' are two numbers each.)"""
    return rf"(?<![\w.])(?P<{name}>\d{{1,3}}(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?)(?!st\b|nd\b|rd\b|th\b)"


_TIMES = r"(?:once|twice|two|three|four|five|six|[1-6])\s*(?:times|x)?\s*(?:daily|a\s+day|per\s+day|/\s*day)"
PER_DOSE = rf"(?:t\.?i\.?d\.?|b\.?i\.?d\.?|q\.?i\.?d\.?|tds|bd|q\s*\d+\s*h|every\s+\d+\s*(?:hours?|h)|(?!once){_TIMES})"
_PER_DAY = (
    r"\s*/\s*(?:day|d|24\s*h)\b|\s+(?:per|a|each|every)\s+day\b|\s+daily\b|\s+once\s+(?:daily|a\s+day)\b|\s+(?:od|qd)\b"
)
_PER_WEEK = r"\s*/\s*(?:week|wk)\b|\s+(?:per|a|each|every)\s+week\b|\s+weekly\b"
_CMP = (
    r"(?P<cmp>(?:no|not)\s+(?:more|greater)\s+than\s+|<=?\s*|≤\s*|>=?\s*|≥\s*|less\s+than\s+|below\s+|"
    r"under\s+|greater\s+than\s+|more\s+than\s+|above\s+|over\s+)?"
)
_QUANTITY = re.compile(
    _CMP
    + r"(?:between\s+|from\s+)?"
    + _number("lo")
    + _unit_group("a")
    + r"(?:\s*(?:-|–|—|to|and)\s*"
    + _number("hi")
    + ")?"
    + _unit_group("b")
    + rf"(?P<rate>(?P<day>{_PER_DAY})|(?P<week>{_PER_WEEK})|(?P<dose>\s+{PER_DOSE}\b))?",
    re.IGNORECASE,
)
_CONTEXT_DIMS = [  # a bare number right after one of these words measures that dimension
    (
        re.compile(r"\b(?:e?gfr|crcl|creatinine\s+clearance|kidney\s+function)\W*(?:\w+\W+){0,2}$", re.IGNORECASE),
        "renal",
    ),
    (re.compile(r"\b(?:sodium|na\+?)\W*(?:\w+\W+){0,2}$", re.IGNORECASE), "conc"),
]
RATED_DIMS = ("mass", None)


def measured_after(before: str) -> str | None:
    """The dimension a bare number right after this text measures ('eGFR ' → renal), or None."""
    return next((dim for pattern, dim in _CONTEXT_DIMS if pattern.search(before)), None)


# 'one' and 'single' are left out: as pronoun-like words they carry no dose.
NUMBER_WORDS: dict[str, float] = {
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "thousand": 1000,
    "once": 1,
    "twice": 2,
    "thrice": 3,
}
_NUMBER_WORD = re.compile(
    r"\b(" + "|".join(NUMBER_WORDS) + r")\b", re.IGNORECASE
)  # only a mass (or a bare number) carries a per-day / per-week / per-dose rate


@dataclass(frozen=True)
class Quantity:
    """One number read from text, with what it measures."""

    value: float
    dim: str | None = None
    rate: str | None = None
    cmp: str | None = None
    raw: str = ""

    def label(self) -> str:
        return self.raw or f"{self.value:g}"


def _unit(match: re.Match, prefix: str) -> tuple[str | None, float]:
    for i, unit in enumerate(_READ):
        if match.group(f"{prefix}{i}"):
            return unit.dim, float(unit.factor or 1)
    return None, 1.0


def _cmp(raw: str | None) -> str | None:
    if not raw:
        return None
    return "lt" if raw.lower().lstrip().startswith(("<", "≤", "less", "below", "under", "no ", "not ")) else "gt"


def extract(text: str, words: bool = False) -> list[Quantity]:
    """Every quantity in the text, ranges as two endpoints; with `words`, number words too (without a unit)."""
    clean = _BSA.sub("", strip_citations(text))
    out: list[Quantity] = []
    for m in _QUANTITY.finditer(clean):
        rate = "day" if m.group("day") else "week" if m.group("week") else "dose" if m.group("dose") else None
        cmp, raw = _cmp(m.group("cmp")), m.group(0).strip()
        first, second = _unit(m, "a"), _unit(m, "b")
        lo_unit = first if first[0] else second
        hi_unit = second if second[0] else first
        if lo_unit[0] is None and hi_unit[0] is None:
            before = clean[max(0, m.start() - 40) : m.start()]
            context = measured_after(before)
            lo_unit = hi_unit = (context, 1.0)
        ends = [(m.group("lo"), lo_unit)] + ([(m.group("hi"), hi_unit)] if m.group("hi") else [])
        for number, (dim, factor) in ends:
            value = float(number.replace(",", "")) * factor
            out.append(Quantity(value, dim, rate if dim in RATED_DIMS else None, cmp, raw))
    if words:
        out += [Quantity(NUMBER_WORDS[m.group(1).lower()], raw=m.group(1)) for m in _NUMBER_WORD.finditer(clean)]
    return out


def numbers_in(text: str) -> list[float]:
    """The values of every quantity and number word in the text (masses in mg): what the guard compares."""
    return [q.value for q in extract(text, words=True)]


def value_supported(value: float, values: set[float] | list[float]) -> bool:
    """True when the value equals one of the values (the guard's value-only comparison)."""
    return any(abs(value - v) <= 1e-9 * max(1.0, abs(value)) for v in values)


def matches(claim: Quantity, source: Quantity) -> bool:
    """Same value, and no disagreement on dimension, rate or comparator."""
    if not value_supported(claim.value, [source.value]):
        return False
    for a, b in ((claim.dim, source.dim), (claim.rate, source.rate), (claim.cmp, source.cmp)):
        if a is not None and b is not None and a != b:
            return False
    return True


def supported(claim: Quantity, pool: list[Quantity]) -> bool:
    """True when some quantity of the pool matches the claim."""
    return any(matches(claim, q) for q in pool)


def unsupported(text: str, pool: list[Quantity]) -> list[Quantity]:
    """The quantities of the text that no quantity of the pool supports."""
    return [q for q in extract(text) if not supported(q, pool)]
