"""Read a dose expression ("5 mg three times daily", "0.03 g/day") exactly, or say why not.

Nothing is guessed: an expression is either read in full (units to mg, frequency to
doses/day) or returned as a ParseFailure with a reason. This module reads the amount (units from the one
unit table, assistant.text.quantities.UNITS); schedule.py reads how often it is given.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from assistant.dosing.reading.ambiguity import FORM, MASSES, UNIT
from assistant.dosing.reading.ambiguity import readings as _readings
from assistant.dosing.reading.schedule import FREQ_WORD, frequency, strip_route, total_and_frequency
from assistant.text.number_words import numbers_for_words
from assistant.text.quantities import unit_of

MAX_LENGTH = 80

FailureCode = Literal[
    "ambiguous",
    "empty",
    "too_long",
    "stop",
    "negative",
    "zero",
    "weight_based",
    "words",
    "no_amount",
    "conflict",
    "unknown_unit",
    "no_unit",
    "no_frequency",
    "bad_frequency",
    "bad_range",
    "precision",
    "unreadable",
]


class ParsedDose(BaseModel):
    """A dose expression read exactly; all amounts in mg."""

    text: str = Field(description="The expression as given.")
    single_mg: float | None = Field(
        description="One dose in mg (low end of a range); None when only a daily total was given."
    )
    single_max_mg: float | None = Field(default=None, description="Upper end of a single-dose range.")
    daily_mg: float = Field(description="Total per day in mg (low end of a range).")
    daily_max_mg: float | None = Field(default=None, description="Upper end of a daily range.")
    doses_per_day: float | None = Field(description="Doses per day; None when not stated.")
    weekly_mg: float | None = Field(
        default=None,
        description="Amount per week at the stated frequency (upper end of a range), when a single dose "
        "and its frequency are given.",
    )
    route: str | None = Field(default=None, description="Route named inside the expression ('oral'), if any.")
    notes: list[str] = Field(default_factory=list, description="What was not stated, e.g. the single dose.")

    @property
    def daily_high_mg(self) -> float:
        """The daily amount to check against maximums (upper end of a range)."""
        return self.daily_max_mg if self.daily_max_mg is not None else self.daily_mg


class ParseFailure(BaseModel):
    """Why an expression could not be read."""

    text: str = Field(description="The expression as given.")
    code: FailureCode = Field(description="Machine code of the problem.")
    reason: str = Field(description="Plain-language reason.")
    alternatives: list[str] = Field(default_factory=list, description="For 'ambiguous': each reading of the amount.")


# Integers with optional SI thousands groups ("30 000") and a decimal point. A comma is never
# accepted: "1,000" (thousands) and "1,000" (decimal comma) read as different doses.
_NUM = r"(?:[0-9]{1,3}(?: [0-9]{3})+|[0-9]+)(?:\.[0-9]+)?"
_AMOUNT = re.compile(
    rf"^(?P<a>{_NUM})\s*(?:(?P<u1>{UNIT})\s*)?(?:(?:-|to)\s*(?P<b>{_NUM})\s*)?(?P<u>{UNIT})(?![a-z0-9µμ])\s*(?P<rest>.*)$"
)
_ANY_AMOUNT = re.compile(rf"(?<![0-9.]){_NUM}\s*{UNIT}(?![a-z])")
_STOP = re.compile(r"\b(?:stop|stopped|discontinue|discontinued|hold|cease|withdraw|none|nil)\b")
_WEIGHT = re.compile(r"/ ?kg|per ?kg|mg ?kg|/ ?m2\b|per m2\b")
_NUMBER_WORDS = re.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|half|quarter)\b"
)
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—−﹣－"), "-")
# A unit symbol outside ASCII ('µg') is written as the unit's name ('mcg'), the name the readings give.
_SYMBOLS = [
    (re.compile("|".join(spelling for spelling in u.spellings if not spelling.isascii())), u.name)
    for u in MASSES
    if not all(spelling.isascii() for spelling in u.spellings)
]


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).translate(_DASHES).lower()
    s = numbers_for_words(re.sub(r"\s+", " ", s).strip())  # 'ten milligrams a day' is 10 mg/day
    # Only one reading is plausible for these, so they are read as written: an apostrophe before a three-digit group
    # is a thousands separator ("1'000"); a comma before one or two digits is a decimal comma ("30,5"). A comma
    # before three digits stays ambiguous (decimal or thousands) and is refused with both readings named.
    s = re.sub(r"(?<=[0-9])['\u2019](?=[0-9]{3}(?![0-9]))", "", s)
    s = re.sub(r"(?<![0-9,])([0-9]+),([0-9]{1,2})(?![0-9,])", r"\1.\2", s)
    for symbol, name in _SYMBOLS:
        s = symbol.sub(name, s)
    return re.sub(r"(?<=[a-z])[.,;]$", "", s)


def _fail(text: str, code: FailureCode, reason: str) -> ParseFailure:
    return ParseFailure(text=text, code=code, reason=reason)


def _diagnose(text: str, s: str) -> ParseFailure:
    """A specific reason for an expression the grammar did not accept."""
    if not re.search(r"[0-9]", s):
        if _NUMBER_WORDS.search(s):
            return _fail(text, "words", "the amount is written in words; write it in digits")
        return _fail(text, "no_amount", "no dose amount found")
    if s.startswith(".") or re.search(r"\s\.[0-9]", s):
        return _fail(text, "unreadable", "a decimal without a leading zero ('.5'); write '0.5'")
    if m := re.search(r"([0-9]+),([0-9]+)", s):
        both = f"{m[1]}.{m[2]} or {m[1]}{m[2]}"
        return _fail(
            text, "ambiguous", f"'{m[0]}' could be {both} (decimal or thousands comma); write it without a comma"
        )
    if len(_ANY_AMOUNT.findall(s)) > 1 or re.search(r"\bor\b", s):
        return _fail(text, "conflict", "more than one dose in the expression; give one dose")
    m = re.match(rf"{_NUM}\s*(?P<word>[^\s0-9/]+)?", s)
    word = (m["word"] if m else None) or ""
    if m and word and not re.fullmatch(UNIT, word) and not FREQ_WORD.fullmatch(word):
        return _fail(text, "unknown_unit", f"unknown unit '{word}'; use mg, g or mcg")
    if m:
        return _fail(text, "no_unit", "no unit; give the dose with a unit (mg, g or mcg)")
    return _fail(text, "unreadable", "could not read the dose expression")


MAX_DECIMALS = 3  # in the unit as written: a dose is never prescribed finer than this


def _out(d: Decimal) -> float:
    # Not rounded: a rounded daily total could hide an excess over a maximum.
    return float(d)


def parse_dose(text: str) -> ParsedDose | ParseFailure:
    """Read a dose expression into mg and doses/day; anything not read exactly is a ParseFailure.

    A number with two plausible readings ('1.000 mg', '2 500 mg/day') is a ParseFailure 'ambiguous' that
    names both readings: it is never read as either one.
    """
    s = _precheck(text)
    if isinstance(s, ParseFailure):
        return s
    readings = _readings(s)
    if len(readings) > 1:
        labels = [label for _, _, label in readings]
        reason = (
            f"the amount could be read as {' or as '.join(labels)}; write the number without a space or dot "
            "inside it, or give the number of tablets and their strength"
        )
        return ParseFailure(text=text, code="ambiguous", reason=reason, alternatives=labels)
    return _read(text, s)


read_dose = parse_dose  # the name the question reader uses: one grammar for both paths


def dose_readings(text: str) -> list[ParsedDose]:
    """Every plausible reading of a dose expression (one when unambiguous; empty when none can be read)."""
    s = _precheck(text)
    if isinstance(s, ParseFailure):
        return []
    out: list[ParsedDose] = []
    for variant, count, label in _readings(s):
        got = _read(text, variant)
        if isinstance(got, ParsedDose):
            scale = {
                k: getattr(got, k) * count
                for k in ("single_mg", "single_max_mg", "daily_mg", "daily_max_mg")
                if getattr(got, k) is not None
            }
            out.append(got.model_copy(update={**scale, "notes": [*got.notes, f"read as {label}"]}))
    return out


def _precheck(text: object) -> str | ParseFailure:
    """The normalised expression, or why it is not a dose at all."""
    if not isinstance(text, str):
        return _fail(str(text), "unreadable", "the dose must be text")
    if len(text) > MAX_LENGTH:
        return _fail(text, "too_long", f"the dose expression is longer than {MAX_LENGTH} characters")
    s = _normalise(text)
    if not s:
        return _fail(text, "empty", "no dose given")
    if _STOP.search(s):
        return _fail(text, "stop", "stopping is not a dose")
    if any(not s[:i].rstrip()[-1:].isalnum() for i, ch in enumerate(s) if ch == "-"):
        return _fail(text, "negative", "negative dose")
    if _WEIGHT.search(s):
        return _fail(text, "weight_based", "weight- or surface-based doses (per kg, per m²) have no rule in the corpus")
    return s


def _read(text: str, s: str) -> ParsedDose | ParseFailure:
    """The grammar proper, on a normalised expression with one reading."""
    m = _AMOUNT.match(s)
    if not m:
        return _diagnose(text, s)
    amount = _amount(text, m)
    if isinstance(amount, ParseFailure):
        return amount
    rest, route = strip_route(re.sub(rf"^{FORM}(?![a-z])\s*", "", m["rest"]))  # '10 mg tablet tid' = 10 mg tid
    freq = frequency(rest)
    if isinstance(freq, str):
        if _ANY_AMOUNT.search(rest):
            return _fail(text, "conflict", "more than one dose in the expression; give one dose")
        if total_and_frequency(rest):
            return _fail(
                text,
                "bad_frequency",
                "both a daily total and a frequency; give the daily total or the single dose with how often",
            )
        if freq == "no_frequency":
            return _fail(text, "no_frequency", "no frequency; say per day or how often it is given")
        return _fail(text, "bad_frequency", f"could not read the frequency '{rest}'")
    if freq[1] is not None and not 0 < freq[1] <= 24:
        return _fail(text, "bad_frequency", "frequency must be between once a day and 24 times a day")
    return _dose(text, amount, freq, route)


def _amount(text: str, m: re.Match[str]) -> tuple[Decimal, Decimal | None] | ParseFailure:
    """The amount in mg (low, high of a range or None), or why it is not one."""
    unit = unit_of(m["u"], MASSES)
    if m["u1"] and unit_of(m["u1"], MASSES) != unit:
        return _fail(text, "bad_range", "the two ends of the range have different units")
    assert unit is not None and unit.factor is not None  # UNIT spells masses only, each with a factor to mg
    written = [Decimal(x.replace(" ", "")) for x in (m["a"], m["b"]) if x]
    exponents = [d.as_tuple().exponent for d in written]
    if any(isinstance(e, int) and -e > MAX_DECIMALS for e in exponents):
        # float arithmetic would round '30.000000000000001' to the maximum itself: never read as a near value
        return _fail(text, "precision", f"implausible precision (more than {MAX_DECIMALS} decimal places)")
    low = Decimal(m["a"].replace(" ", "")) * unit.factor
    high = Decimal(m["b"].replace(" ", "")) * unit.factor if m["b"] else None
    if low == 0 or high == 0:
        return _fail(text, "zero", "a dose of zero is not a dose")
    if high is not None and high < low:
        return _fail(text, "bad_range", "the low end of the range is above the high end")
    return low, (None if high == low else high)


def _dose(
    text: str, amount: tuple[Decimal, Decimal | None], freq: tuple[str, Decimal | None], route: str | None
) -> ParsedDose:
    """The dose read: a single dose with its doses per day, or a daily total (divided or not)."""
    (low, high), (kind, n) = amount, freq
    notes: list[str] = []
    single: Decimal | None
    single_hi: Decimal | None
    if kind == "single":
        assert n is not None
        single, single_hi = low, high
        # Less than once a day ('70 mg once weekly'): the day it is given holds the whole dose, so that is the
        # amount a daily maximum is checked against; the average per week is `weekly_mg`.
        per_day = max(n, Decimal(1))
        daily, daily_hi = low * per_day, (high * per_day if high is not None else None)
    else:
        daily, daily_hi = low, high
        if n is None:
            single = single_hi = None
            notes.append("single dose not stated: only a daily total was given")
        else:
            single, single_hi = low / n, (high / n if high is not None else None)
    return ParsedDose(
        text=text,
        single_mg=_out(single) if single is not None else None,
        single_max_mg=_out(single_hi) if single_hi is not None else None,
        daily_mg=_out(daily),
        daily_max_mg=_out(daily_hi) if daily_hi is not None else None,
        doses_per_day=_out(n) if n is not None else None,
        weekly_mg=_out((high if high is not None else low) * n * 7) if kind == "single" and n is not None else None,
        route=route,
        notes=notes,
    )
