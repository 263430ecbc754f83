"""Read a dose expression ("5 mg three times daily", "0.03 g/day") exactly, or say why not.

Nothing is guessed: an expression is either read in full (units to mg, frequency to
doses/day) or returned as a ParseFailure with a reason.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from assistant.dosing.reading.ambiguity import FORM as _FORM
from assistant.dosing.reading.ambiguity import UNIT
from assistant.dosing.reading.ambiguity import readings as _readings

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
_UNIT = UNIT
_UNIT_MG = {"mcg": Decimal("0.001"), "g": Decimal(1000), "mg": Decimal(1)}
_AMOUNT = re.compile(
    rf"^(?P<a>{_NUM})\s*(?:(?P<u1>{_UNIT})\s*)?(?:(?:-|to)\s*(?P<b>{_NUM})\s*)?(?P<u>{_UNIT})(?![a-z0-9µμ])\s*(?P<rest>.*)$"
)
_ANY_AMOUNT = re.compile(rf"(?<![0-9.]){_NUM}\s*{_UNIT}(?![a-z])")
_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_COUNT = r"(?P<n>[0-9]{1,2}|one|two|three|four|five|six)"
_DAY = r"(?:daily|a day|per day|each day|every day|/ ?day|/ ?d)"
_PER_DAY = r"(?:/ ?day|/ ?d|/ ?24 ?h(?:ours?|rs?)?|per day|per 24 ?hours?|a day|daily|every day|each day)"
_ABBREV = {
    r"b\.?i\.?d\.?|b\.?d\.?": 2,
    r"t\.?i\.?d\.?|t\.?d\.?s\.?": 3,
    r"q\.?i\.?d\.?|q\.?d\.?s\.?": 4,
}
_TIMES = [
    (re.compile(rf"once {_DAY}"), 1),
    (re.compile(rf"twice {_DAY}"), 2),
    *[(re.compile(p), n) for p, n in _ABBREV.items()],
]
_TIMES_N = re.compile(rf"{_COUNT} ?(?:times|x) ?{_DAY}")
_EVERY_H = re.compile(
    r"(?:every (?P<h>[0-9]{1,2}) ?(?:hours?|hrs?|h)|q ?(?P<q>[0-9]{1,2}) ?(?:h|hr|hrs|hours?|hourly))"
)
_DIVIDED_N = re.compile(
    rf"{_PER_DAY},? (?:in|divided into|divided in|split into|given in|as) {_COUNT} (?:divided |equal |separate )?doses"
)
_DIVIDED_F = re.compile(rf"{_PER_DAY},? divided (?P<f>.+)")
_ROUTE = r"(?:po|p\.o\.?|orally|by mouth|oral)"
_FREQ_WORD = re.compile(
    r"(?:daily|once|twice|times|x|every|each|per|a|at|in|q.*|[bt]\.?i\.?d.*|q\.?i\.?d.*|tds|qds|bd)"
)
_STOP = re.compile(r"\b(?:stop|stopped|discontinue|discontinued|hold|cease|withdraw|none|nil)\b")
_WEIGHT = re.compile(r"/ ?kg|per ?kg|mg ?kg|/ ?m2\b|per m2\b")
_NUMBER_WORDS = re.compile(
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|half|quarter)\b"
)
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—−﹣－"), "-")


def _normalise(text: str) -> str:
    s = unicodedata.normalize("NFKC", text).translate(_DASHES).lower()
    s = re.sub(r"\s+", " ", s).strip()
    s = s.replace("μg", "mcg").replace("µg", "mcg")
    return re.sub(r"(?<=[a-z])[.,;]$", "", s)


def _fail(text: str, code: FailureCode, reason: str) -> ParseFailure:
    return ParseFailure(text=text, code=code, reason=reason)


def _count(token: str) -> int:
    return _COUNT_WORDS[token] if token in _COUNT_WORDS else int(token)


def _times_per_day(phrase: str) -> Decimal | None:
    """Doses per day for a frequency phrase ('tid', 'every 8 hours'), or None if not one."""
    for pattern, n in _TIMES:
        if pattern.fullmatch(phrase):
            return Decimal(n)
    if m := _TIMES_N.fullmatch(phrase):
        return Decimal(_count(m["n"]))
    if m := _EVERY_H.fullmatch(phrase):
        hours = int(m["h"] or m["q"])
        return Decimal(24) / Decimal(hours) if 1 <= hours <= 24 else Decimal(0)
    return None


def _frequency(rest: str) -> tuple[str, Decimal | None] | str:
    """('single'|'daily', doses/day or None) for the text after the amount, or a failure reason."""
    if not rest:
        return "no_frequency"
    if re.fullmatch(_PER_DAY, rest):
        return "daily", None
    if m := _DIVIDED_N.fullmatch(rest):
        return "daily", Decimal(_count(m["n"]))
    if (m := _DIVIDED_F.fullmatch(rest)) and (n := _times_per_day(m["f"])) is not None:
        return "daily", n
    if (n := _times_per_day(rest)) is not None:
        return "single", n
    return "bad_frequency"


def _diagnose(text: str, s: str) -> ParseFailure:
    """A specific reason for an expression the grammar did not accept."""
    if not re.search(r"[0-9]", s):
        if _NUMBER_WORDS.search(s):
            return _fail(text, "words", "the amount is written in words; write it in digits")
        return _fail(text, "no_amount", "no dose amount found")
    if s.startswith(".") or re.search(r"\s\.[0-9]", s):
        return _fail(text, "unreadable", "a decimal without a leading zero ('.5'); write '0.5'")
    if re.search(r"[0-9],[0-9]", s):
        return _fail(
            text, "unreadable", "a comma inside a number is ambiguous (decimal or thousands); write '0.5' or '1000'"
        )
    if len(_ANY_AMOUNT.findall(s)) > 1 or re.search(r"\bor\b", s):
        return _fail(text, "conflict", "more than one dose in the expression; give one dose")
    m = re.match(rf"{_NUM}\s*(?P<word>[^\s0-9/]+)?", s)
    word = (m["word"] if m else None) or ""
    if m and word and not re.fullmatch(_UNIT, word) and not _FREQ_WORD.fullmatch(word):
        return _fail(text, "unknown_unit", f"unknown unit '{word}'; use mg, g or mcg")
    if m:
        return _fail(text, "no_unit", "no unit; give the dose with a unit (mg, g or mcg)")
    return _fail(text, "unreadable", "could not read the dose expression")


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
    unit = _unit(m["u"])
    if m["u1"] and _unit(m["u1"]) != unit:
        return _fail(text, "bad_range", "the two ends of the range have different units")
    low = Decimal(m["a"].replace(" ", "")) * _UNIT_MG[unit]
    high = Decimal(m["b"].replace(" ", "")) * _UNIT_MG[unit] if m["b"] else None
    if low == 0 or high == 0:
        return _fail(text, "zero", "a dose of zero is not a dose")
    if high is not None and high < low:
        return _fail(text, "bad_range", "the low end of the range is above the high end")
    if high == low:
        high = None
    rest, route = _strip_route(re.sub(rf"^{_FORM}(?![a-z])\s*", "", m["rest"]))  # '10 mg tablet tid' = 10 mg tid
    freq = _frequency(rest)
    if isinstance(freq, str):
        if _ANY_AMOUNT.search(rest):
            return _fail(text, "conflict", "more than one dose in the expression; give one dose")
        if re.match(rf"{_PER_DAY} ", rest) and _times_per_day(re.sub(rf"^{_PER_DAY} ", "", rest)) is not None:
            return _fail(
                text,
                "bad_frequency",
                "both a daily total and a frequency; give the daily total or the single dose with how often",
            )
        if freq == "no_frequency":
            return _fail(text, "no_frequency", "no frequency; say per day or how often it is given")
        return _fail(text, "bad_frequency", f"could not read the frequency '{rest}'")
    kind, n = freq
    if n is not None and not 0 < n <= 24:
        return _fail(text, "bad_frequency", "frequency must be between once a day and 24 times a day")
    notes: list[str] = []
    single: Decimal | None
    single_hi: Decimal | None
    if kind == "single":
        assert n is not None
        single, single_hi = low, high
        daily, daily_hi = low * n, (high * n if high is not None else None)
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
        route=route,
        notes=notes,
    )


def _strip_route(rest: str) -> tuple[str, str | None]:
    """Remove an oral route word before or after the frequency ('po tid', 'daily by mouth')."""
    for pattern in (rf"^{_ROUTE}(?: |$)", rf"(?:^| ){_ROUTE}$"):
        if re.search(pattern, rest):
            return re.sub(pattern, " ", rest, count=1).strip(), "oral"
    return rest, None


def _unit(token: str) -> str:
    if token in ("mcg", "ug", "microgram", "micrograms"):
        return "mcg"
    if token in ("mg", "milligram", "milligrams"):
        return "mg"
    return "g"
