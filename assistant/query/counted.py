"""Tablets counted in a dose ('2 x 10 mg tablets tid', 'two 5mg tabs bd', '1.5 tabs of 10 mg tid'): the dose per
administration is the count times the strength. And the unit written after the frequency ('20 tid mg', '20 TID
(mg)'): moved before it. A count that is not plainly a count per administration is never multiplied: the
expression is then left as written, which the dose grammar refuses (grey, never a guess)."""

from __future__ import annotations

import re

from assistant.text.quantities import dose_forms, unit_pattern, units

MASS = unit_pattern(units("mass"))
FORM = unit_pattern(dose_forms())
# Counts of tablets taken at one time; a larger number before 'x' is a pack size ('28 x 10 mg tablets').
MAX_COUNT = 6.0
_COUNT_WORDS = {
    "one": 1.0,
    "two": 2.0,
    "three": 3.0,
    "four": 4.0,
    "five": 5.0,
    "six": 6.0,
    "half a": 0.5,
    "half an": 0.5,
    "a half": 0.5,
    "half": 0.5,
    "one and a half": 1.5,
    "1/2": 0.5,
    "½": 0.5,
    "1 1/2": 1.5,
    "1½": 1.5,
}
_WORDS = "|".join(sorted((re.escape(w) for w in _COUNT_WORDS), key=len, reverse=True))
COUNT = rf"(?:{_WORDS}|\d+(?:\.\d+)?)"
# A count before a strength, with 'x'/'×' or a dose form between: '2 x ', '2x', '1.5 tabs of ', '1 tab (', '2 caps @ '.
COUNT_HEAD = re.compile(
    rf"(?<![\w.,/])(?P<count>{COUNT})\s*(?:(?P<form>{FORM})(?![a-z])\s*(?:of|x|×|\*|@|at|\()?|x|×|\*)\s*(?=\d)",
    re.IGNORECASE,
)
_CLOSE = re.compile(r"^\s*(?:each\s*)?\)")
# 'two 10 mg tablets tid', '3 10 mg tabs': a count, a space, then the strength and a dose form.
_COUNT_SPACE = re.compile(
    rf"^(?P<count>{COUNT})\s+(?P<strength>\d+(?:\.\d+)?)\s*(?P<unit>{MASS})\b(?:\s+\w+)?\s+{FORM}?",
    re.IGNORECASE,
)
_LEADING = re.compile(rf"^(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>{MASS})(?![a-z0-9/])(?:\s+(?:\w+\s+)?{FORM}(?![a-z]))?")
_FORM_AFTER = re.compile(rf"^(\S+\s*{MASS})\s+(?:\w+\s+)?{FORM}\b", re.IGNORECASE)
_UNIT_LAST = re.compile(
    rf"^(?P<n>\d+(?:\.\d+)?)\s*(?P<f>[^()]*?[a-z.])\s*(?:\(\s*(?P<u>{MASS})\s*\)|\s(?P<v>{MASS}))$", re.IGNORECASE
)


def count_value(word: str) -> float | None:
    """The number of tablets a count word or figure says, or None when it is not a plausible count."""
    value = _COUNT_WORDS.get(word.lower().strip())
    if value is None:
        try:
            value = float(word)
        except ValueError:
            return None
    return value if 0 < value <= MAX_COUNT else None


def closing(after: str) -> int:
    """Length of the ')' (or 'each)') closing a '1 tab (10 mg' head, else 0."""
    m = _CLOSE.match(after)
    return m.end() if m else 0


def scaled(expression: str, count: float) -> str | None:
    """'10 mg tablets three times a day' × 2 → '20 mg three times a day'; None when the strength is not one plain
    amount of a mass ('10-20 mg', '1 020 mg', '2 tabs'), so that nothing is multiplied on a guess."""
    m = _LEADING.match(expression)
    if m is None or re.match(r"\s*(?:-|–|to\b|\d)", expression[m.end("unit") :]):
        return None
    rest = expression[m.end() :].strip()
    return f"{count * float(m['n']):g} {m['unit']} {rest}".strip()


def counted(expression: str) -> str:
    """'two 10 mg tablets three times daily' → '20 mg three times daily'; a strength alone loses its form word."""
    if not (m := _COUNT_SPACE.match(expression)):
        return _FORM_AFTER.sub(r"\1", expression)
    if m["count"].isdigit() and re.fullmatch(r"\d{3}", m["strength"]):  # '1 020 mg': a thousands group, not a count
        return expression
    count = count_value(m["count"])
    if count is None:
        return expression
    return f"{count * float(m['strength']):g} {m['unit']} {expression[m.end() :].strip()}".strip()


def unit_moved(expression: str) -> str:
    """'20 tid mg', '20 TID (mg)' → '20 mg tid': a unit written after the frequency is the dose's unit."""
    m = _UNIT_LAST.match(expression)
    if m is None or re.search(rf"\b{MASS}\b", m["f"], re.IGNORECASE):
        return expression
    return f"{m['n']} {m['u'] or m['v']} {m['f'].strip()}"


_BARE = re.compile(r"^(?P<n>\d+(?:\.\d+)?)\s+(?P<rest>[a-z].*)$", re.IGNORECASE)
_MASS_LEAD = re.compile(rf"^\d+(?:\.\d+)?\s*(?P<u>{MASS})(?![a-z])", re.IGNORECASE)


def units_carried(expressions: list[str]) -> list[str]:
    """In a list of regimens written together ('week 1 5mg tds, week 2 10 tds'), a dose with a frequency but no unit
    takes the mass unit of the regimen written before it. Never a number that may count tablets ('10 mg tablets,
    2 tid' is 2 tablets, not 2 mg) nor after a bare strength; otherwise it stays unreadable."""
    out: list[str] = []
    unit: str | None = None
    for expression in expressions:
        if (lead := _MASS_LEAD.match(expression)) is not None:
            unit = lead["u"] if expression[lead.end() :].strip() else None  # a regimen, not a strength alone
        elif unit and (bare := _BARE.match(expression)) and not re.search(rf"\b{MASS}\b", bare["rest"], re.I):
            if float(bare["n"]) > MAX_COUNT:
                expression = f"{bare['n']} {unit} {bare['rest']}"
        out.append(expression)
    return out
