"""Which drugs a guideline is about: its front matter, else the drug dictionary on its title, plus the rules
files that cite it. Used to label documents in the library listing (never to decide a dose)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from assistant.corpus.drug_dictionary import find_drug_names
from assistant.types import Guideline


@lru_cache(maxsize=512)
def drugs_in_title(title: str) -> tuple[str, ...]:
    """Generic names the offline drug dictionary finds in a title (brand names map to their generic)."""
    tokens = re.findall(r"[A-Za-z][A-Za-z-]+", title)
    return tuple(dict.fromkeys(name.lower() for name, _, _ in find_drug_names(tokens)))


def document_drugs(doc: Guideline, cited_by: Mapping[str, set[str]] | None = None) -> list[str]:
    """Front-matter drugs, else those named in the title; plus every drug whose rules cite the document."""
    named = list(doc.drugs) or list(drugs_in_title(doc.title))
    from_rules = sorted((cited_by or {}).get(doc.id, set()))
    return list(dict.fromkeys([*named, *from_rules]))
