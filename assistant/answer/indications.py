"""Which indication a guideline sentence speaks about (shared by composition and the guard's role check).

The indications, their spellings and the marker of general (all-indication) text are rules data.
"""

from __future__ import annotations

import re

from assistant.dosing.rules.schema import DrugRules
from assistant.types import Chunk


def indication_in(text: str, drug_rules: DrugRules | None) -> str | None:
    """The first indication of the rules whose name or spelling the text uses."""
    if drug_rules is None:
        return None
    low = text.lower()
    found = [
        (m.start(), key)
        for key, ind in drug_rules.indications.items()
        for term in {key.replace("_", " "), ind.label, *ind.aliases}
        if (m := re.search(rf"\b{re.escape(term.lower())}", low))
    ]
    return min(found)[1] if found else None


def sentence_indication(sentence: str, chunk: Chunk, drug_rules: DrugRules | None) -> str | None:
    """The indication a sentence speaks about: named in it, 'general' for text the rules mark as general (e.g. a
    label's general dosing), else its guideline's."""
    marker = drug_rules.general_text.marker if drug_rules is not None and drug_rules.general_text else None
    if marker and re.search(re.escape(marker), sentence, re.IGNORECASE):
        return "general"
    return indication_in(sentence, drug_rules) or indication_in(chunk.title, drug_rules)
