"""Subject linking: which drugs and substances a text is about, by a maintained drug dictionary
(drug-named-entity-recognition: generic and brand names → canonical name) plus the library's own aliases."""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from assistant.corpus.drug_dictionary import find_drug_names, find_drug_names_in_each
from assistant.query.lexicon import Lexicon

_TOKEN = re.compile(r"[A-Za-z][A-Za-z0-9'-]*")


class DrugMention(BaseModel):
    """One drug or substance named in the text."""

    name: str = Field(description="Canonical lower-case name (generic for a brand).")
    text: str = Field(default="", description="The words the user wrote for it.")
    start: int = Field(description="Character offset of the mention.")
    end: int
    covered: bool = Field(description="A drug the library has rules or a guideline about.")
    vague: bool = Field(default=False, description="A vague reference ('my bp medicine'): never dosed.")
    generic: bool = Field(default=False, description="'medications', 'the tablets': the conversation's drug, if any.")


def drug_mentions(text: str, lexicon: Lexicon) -> list[DrugMention]:
    """Every drug, substance or vague drug reference in the text, in order of appearance."""
    tokens = list(_TOKEN.finditer(text))
    found: list[DrugMention] = []
    for m in tokens:
        alias = lexicon.drug_aliases.get(m.group(0).lower())
        if alias:
            found.append(_mention(alias, m.start(), m.end(), lexicon, m.group(0)))
    words = [m.group(0) for m in tokens]
    for dictionary_name, first, last in find_drug_names(words):
        name = dictionary_name.lower()
        start, end = tokens[first].start(), tokens[max(first, last - 1)].end()
        if name and not any(f.start <= start < f.end for f in found):
            found.append(_mention(name, start, end, lexicon, text[start:end]))
    for pattern, generic in ((lexicon.vague, False), (lexicon.vague_any, True)):
        for m in pattern.finditer(text):
            if not any(f.start <= m.start() < f.end or m.start() <= f.start < m.end() for f in found):
                found.append(
                    DrugMention(
                        name=m.group(0).lower(),
                        text=m.group(0),
                        start=m.start(),
                        end=m.end(),
                        covered=False,
                        vague=True,
                        generic=generic,
                    )
                )
    return sorted(found, key=lambda f: f.start)


def _mention(name: str, start: int, end: int, lexicon: Lexicon, text: str) -> DrugMention:
    canonical = name.lower()  # the library names every drug in lower case ('Aspirin' → 'aspirin')
    return DrugMention(name=canonical, text=text, start=start, end=end, covered=canonical in lexicon.covered_drugs)


def subject_drugs_of(titles: list[str]) -> set[str]:
    """Drugs that guidelines are about: the dictionary's drugs in each document title."""
    found = find_drug_names_in_each([_TOKEN.findall(title) for title in titles])
    return {name.lower() for matches in found for name, _, _ in matches}
