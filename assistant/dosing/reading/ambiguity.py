"""Numbers with two plausible readings in a dose expression: '1.000 mg' (1 or 1000) and '2 500 mg' (2500, or
2 tablets of 500). The grammar in parse.py reads each reading; this module only finds them."""

from __future__ import annotations

import re
from decimal import Decimal

from assistant.text.quantities import dose_forms, unit_pattern, units

MASSES = units("mass")  # the dose grammar reads masses only
UNIT = unit_pattern(MASSES)
FORM = unit_pattern(dose_forms())
# '1.000' / '2.500': a point before exactly three digits ending in 0 may be a European thousands separator.
# A decimal is not written with that superfluous trailing zero, while a dose read in thousands is round;
# '2.125' and '0.125' stay decimals.
_DOT_THOUSANDS = re.compile(r"(?<![0-9.])(?P<head>[1-9][0-9]{0,2})\.(?P<tail>[0-9]{2}0)(?![0-9.])")
# '2 500 mg': one space group after a head may be a count of tablets and their strength.
_GROUPED = re.compile(
    rf"^(?P<head>[0-9]{{1,3}}) (?P<group>[0-9]{{3}})\s*(?P<unit>{UNIT})(?![a-z0-9µμ])\s*(?P<form>{FORM}(?![a-z]))?"
)
_RANGE_AFTER = re.compile(r"\s*(?:-|to\b)\s*[0-9]")
# A head up to this may be a number of tablets; a larger one ('32 500 mcg') is read as thousands unless a
# dose-form word ('tablets') follows the unit.
MAX_TABLET_COUNT = 10


def readings(s: str) -> list[tuple[str, int, str]]:
    """(text to read, tablets per dose, label) for each plausible reading of a normalised expression."""
    if dot := _DOT_THOUSANDS.search(s):
        unit = re.match(rf"\s*({UNIT})?", s[dot.end() :])
        unit_text = f" {unit[1]}" if unit and unit[1] else ""
        decimal = format(Decimal(dot[0]).normalize(), "f")
        thousands = _DOT_THOUSANDS.sub(r"\g<head>\g<tail>", s)
        return [(s, 1, f"{decimal}{unit_text}"), (thousands, 1, f"{dot['head']}{dot['tail']}{unit_text}")]
    g = _GROUPED.match(s)
    if g and not _RANGE_AFTER.match(s, g.end("unit")) and int(g["group"]) > 0:
        head = int(g["head"])
        # A strength is never written with a leading zero ('1 020 mg' is 1020 mg, never 1 × 020 mg).
        if (head <= MAX_TABLET_COUNT or g["form"]) and not g["group"].startswith("0"):
            strength = f"{g['group']} {g['unit']}"
            return [(s, 1, f"{head}{strength}"), (s[len(g["head"]) + 1 :], head, f"{head} × {strength}")]
    return [(s, 1, "")]
