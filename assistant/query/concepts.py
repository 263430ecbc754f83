"""The closed world over concepts, not digits: a patient fact that is mentioned ('stage 4 CKD', 'eGFR twenty',
'severe hyponatraemia') but whose value or state was not read is reported, so the judge can keep the verdict from
green when the drug's rules use that fact. Negated mentions ('no kidney disease', 'kidneys fine') are not."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.query.lexicon import FactMention, Lexicon
from assistant.query.numbers import NumberRole


class UnreadMention(BaseModel):
    """A mention of a patient fact from which no value or state was read."""

    text: str = Field(description="The words as written.")
    concept: str = Field(description="The mention group of corpus/reader.toml, e.g. 'kidney'.")
    fields: list[str] = Field(description="Patient fields the mention is about.")


def negated(text: str, start: int, end: int, lexicon: Lexicon) -> bool:
    """A negation cue just before the mention ('no kidney disease') or a 'fine' just after ('kidneys are fine')."""
    clause_start = max(text.rfind(c, 0, start) for c in ".;,\n") + 1
    before = text[clause_start:start]
    after = text[end : end + 40]
    by_before = lexicon.negation_before is not None and lexicon.negation_before.search(before) is not None
    return by_before or (lexicon.negation_after is not None and lexicon.negation_after.match(after) is not None)


def _read_spans(text: str, numbers: list[NumberRole], mention: FactMention, lexicon: Lexicon) -> list[tuple[int, int]]:
    spans = [(n.start, n.end) for n in numbers if n.fact in mention.fields]
    for name, pattern in lexicon.patterns.items():
        if name.split(".")[0] in mention.read_by:
            spans += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return spans


def unread_mentions(turns: list[str], numbers: list[list[NumberRole]], lexicon: Lexicon) -> list[UnreadMention]:
    """Every mention of a patient fact, over the whole conversation, that nothing nearby was read from."""
    out: list[UnreadMention] = []
    near = lexicon.mention_near_chars
    for text, roles in zip(turns, numbers, strict=True):
        for mention in lexicon.fact_mentions:
            spans = _read_spans(text, roles, mention, lexicon)
            for m in mention.pattern.finditer(text):
                if any(s - near <= m.start() and m.end() <= e + near for s, e in spans):
                    continue
                if negated(text, m.start(), m.end(), lexicon):
                    continue
                out.append(UnreadMention(text=m.group(0), concept=mention.name, fields=sorted(mention.fields)))
    return out


def only_negated(text: str, word: str, lexicon: Lexicon) -> bool:
    """True when the word occurs in the text and every occurrence is negated ('not pregnant')."""
    found = list(re.finditer(rf"\b{re.escape(word)}\b", text, re.IGNORECASE))
    return bool(found) and all(negated(text, m.start(), m.end(), lexicon) for m in found)
