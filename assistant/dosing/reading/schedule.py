"""How often a dose is given: the text after the amount ('tid', 'every 8 hours', '/day in 3 divided doses') read
to doses per day, and an oral route word around it. The amount itself is read in parse.py."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6}
_COUNT = r"(?P<n>[0-9]{1,2}|one|two|three|four|five|six)"
_DAY = r"(?:daily|a day|per day|each day|every day|/ ?day|/ ?d)"
PER_DAY = r"(?:/ ?day|/ ?d|/ ?24 ?h(?:ours?|rs?)?|per day|per 24 ?hours?|a day|daily|every day|each day)"
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
# Schedules longer than a day, read as a fraction of a dose per day ('70 mg once weekly' = 10 mg/day on average).
_WEEK = r"(?:a week|per week|each week|every week|weekly|/ ?week|/ ?wk)"
_LONGER = [
    (re.compile(rf"(?:once )?{_WEEK}|once a week"), Decimal(1) / Decimal(7)),
    (re.compile(rf"twice {_WEEK}"), Decimal(2) / Decimal(7)),
    (re.compile(r"every other day|on alternate days|every 48 ?h(?:ours?|rs?)?"), Decimal(1) / Decimal(2)),
]
_EVERY_DAYS = re.compile(r"(?:once )?every (?P<n>[0-9]{1,2}|two|three|four|five|six) ?(?P<unit>days?|weeks?)")
_EVERY_H = re.compile(
    r"(?:every (?P<h>[0-9]{1,2}) ?(?:hours?|hrs?|h)|q ?(?P<q>[0-9]{1,2}) ?(?:h|hr|hrs|hours?|hourly))"
)
_TIMING = re.compile(
    r",?\s+(?:(?:with|after|before)\s+(?:the\s+|a\s+)?(?:evening |morning |main )?(?:meals?|food|breakfast|lunch|"
    r"dinner|supper)|at bedtime|in the (?:evening|morning))$"
)
_DOSES = r"(?:divided |equal |separate )?doses"
_SPLIT = r"(?:divided|split)(?: up)? (?:into|in)"
# A daily total and its doses per day: '/day in 3 divided doses', '/day divided into 3 (doses)', 'daily split into 3',
# '60 mg divided into 3 doses a day'.
_DIVIDED_N = [
    re.compile(rf"{PER_DAY},? {_SPLIT} {_COUNT}(?: {_DOSES})?"),
    re.compile(rf"{PER_DAY},? (?:in|given in|as) {_COUNT} {_DOSES}"),
    re.compile(rf"{_SPLIT} {_COUNT} {_DOSES} {PER_DAY}"),
]
_DIVIDED_F = re.compile(rf"{PER_DAY},? (?:divided|split) (?P<f>.+)")
_ROUTE = r"(?:po|p\.o\.?|orally|by mouth|oral)"
# A word that starts a frequency: after a number it is not an unknown unit.
FREQ_WORD = re.compile(
    r"(?:daily|weekly|once|twice|times|x|every|each|per|a|at|in|on|q.*|[bt]\.?i\.?d.*|q\.?i\.?d.*|tds|qds|bd)"
)


def _count(token: str) -> int:
    return _COUNT_WORDS[token] if token in _COUNT_WORDS else int(token)


def times_per_day(phrase: str) -> Decimal | None:
    """Doses per day for a frequency phrase ('tid', 'every 8 hours'), or None if not one."""
    for pattern, n in _TIMES:
        if pattern.fullmatch(phrase):
            return Decimal(n)
    if m := _TIMES_N.fullmatch(phrase):
        return Decimal(_count(m["n"]))
    if re.fullmatch(r"(?:once|as a single dose|single dose|one dose)", phrase):  # one dose that day
        return Decimal(1)
    if re.fullmatch(r"(?:every hour|hourly|each hour)", phrase):
        return Decimal(24)
    if m := _EVERY_H.fullmatch(phrase):
        hours = int(m["h"] or m["q"])
        return Decimal(24) / Decimal(hours) if 1 <= hours <= 24 else Decimal(0)
    for pattern, per_day in _LONGER:
        if pattern.fullmatch(phrase):
            return per_day
    if m := _EVERY_DAYS.fullmatch(phrase):
        days = _count(m["n"]) * (7 if m["unit"].startswith("week") else 1)
        return Decimal(1) / Decimal(days) if days >= 1 else Decimal(0)
    return None


def frequency(rest: str) -> tuple[str, Decimal | None] | Literal["no_frequency", "bad_frequency"]:
    """('single'|'daily', doses/day or None) for the text after the amount, or a failure code."""
    rest = _TIMING.sub("", rest)  # 'with the evening meal', 'at bedtime' say when, not how often
    if not rest:
        return "no_frequency"
    if re.fullmatch(PER_DAY, rest):
        return "daily", None
    if m := next((d for p in _DIVIDED_N if (d := p.fullmatch(rest))), None):
        return "daily", Decimal(_count(m["n"]))
    if (m := _DIVIDED_F.fullmatch(rest)) and (n := times_per_day(m["f"])) is not None:
        return "daily", n
    if (n := times_per_day(rest)) is not None:
        return "single", n
    return "bad_frequency"


def total_and_frequency(rest: str) -> bool:
    """True for a daily total followed by a frequency ('/day tid'): the amount could be either, so neither."""
    return bool(re.match(rf"{PER_DAY} ", rest)) and times_per_day(re.sub(rf"^{PER_DAY} ", "", rest)) is not None


def strip_route(rest: str) -> tuple[str, str | None]:
    """Remove an oral route word before or after the frequency ('po tid', 'daily by mouth')."""
    for pattern in (rf"^{_ROUTE}(?: |$)", rf"(?:^| ){_ROUTE}$"):
        if re.search(pattern, rest):
            return re.sub(pattern, " ", rest, count=1).strip(), "oral"
    return rest, None
