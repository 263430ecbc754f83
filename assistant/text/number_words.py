"""Numbers written in words, read as numbers where that is unambiguous: 'eGFR twenty', 'twenty-five', 'ten
milligrams a day' become 20, 25, 10. A number word from eleven up is a number anywhere; one to ten only right before
a mass unit ('ten milligrams') or right after a measure ('eGFR five', 'sodium ...'), because alone they are as often
counts or pronouns ('one of them'). Anything else stays as written, for the reader to report."""

from __future__ import annotations

import re

from assistant.text.quantities import measured_after, unit_pattern, units

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
_ONES += "seventeen eighteen nineteen"
ONES = {w: i for i, w in enumerate(_ONES.split())}
TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_UNIT_WORDS = "|".join(sorted(ONES, key=len, reverse=True))
_TENS_WORDS = "|".join(TENS)
_PHRASE = re.compile(
    rf"\b(?:(?P<hundred>(?:one|a)\s+hundred)|(?P<tens>{_TENS_WORDS})(?:[-\s](?P<unit>{'|'.join(list(ONES)[1:10])}))?"
    rf"|(?P<ones>{_UNIT_WORDS}))\b",
    re.IGNORECASE,
)
_MASS_AFTER = re.compile(rf"^\s*{unit_pattern(units('mass'))}", re.IGNORECASE)


def _value(m: re.Match[str]) -> int:
    if m["hundred"]:
        return 100
    if m["tens"]:
        return TENS[m["tens"].lower()] + (ONES[m["unit"].lower()] if m["unit"] else 0)
    return ONES[m["ones"].lower()]


def numbers_for_words(text: str) -> str:
    """The text with every unambiguous number word written in digits (see the module docstring)."""

    def replace(m: re.Match[str]) -> str:
        value = _value(m)
        measured = _MASS_AFTER.match(text[m.end() :]) or measured_after(text[max(0, m.start() - 40) : m.start()])
        if value > 10 or (value > 0 and measured):
            return str(value)
        return m.group(0)

    return _PHRASE.sub(replace, text)
