"""Co-medications no rule addresses: the drug's own guideline text is searched for a sentence that names the other
drug and states something about taking them together (reader data: [interactions] cue). Such a sentence makes the
dose at least a caution, quoted; a drug the text does not speak to is an assumption of the verdict, never silence."""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from assistant.corpus.routes import reader_path
from assistant.dosing.findings.common import finding
from assistant.dosing.rules.quotes import sourced
from assistant.dosing.rules.schema import DrugRules
from assistant.settings import REPO_ROOT
from assistant.text.sentences import split_sentences
from assistant.types import Finding, RuleSource


@lru_cache(maxsize=8)
def interaction_cue(corpus_dir: str) -> re.Pattern[str] | None:
    """The library's cue words (its reader.toml), else the shipped ones."""
    path = reader_path(corpus_dir)
    cue = tomllib.loads(path.read_text(encoding="utf-8")).get("interactions", {}).get("cue") if path else None
    return re.compile(str(cue), re.IGNORECASE) if cue else None


def aliases(name: str) -> set[str]:
    """The name as given and the dictionary's generic name(s) for it (a brand names its substance)."""
    out = {name.strip().lower()}
    words = re.findall(r"[A-Za-z][A-Za-z-]+", name)
    if words:
        from assistant.corpus.drug_dictionary import find_drug_names

        out |= {found.lower() for found, _, _ in find_drug_names(words)}
    return out


def stated_in_text(
    drug_rules: DrugRules, names: list[str], documents: dict[str, str], corpus_dir: Path | None
) -> tuple[list[Finding], list[str]]:
    """(a caution per drug the drug's own documents state something about taking it with, the drugs not spoken to)."""
    cue = interaction_cue(str(corpus_dir or REPO_ROOT / "corpus"))
    cited = dict.fromkeys(src.doc_id for _, _, src in sourced(drug_rules, drug_rules.drug))
    found: list[Finding] = []
    silent: list[str] = []
    for name in names:
        sentence = _sentence(aliases(name), [(d, documents[d]) for d in cited if d in documents], cue)
        if sentence is None:
            silent.append(name)
            continue
        doc_id, section, text = sentence
        message = (
            f"Taken with {name}: the guideline speaks to this (quoted); no rule checks the pair, so this is a caution."
        )
        source = RuleSource(doc_id=doc_id, section=section, quote=text)
        found.append(finding("interaction_in_text", "caution", message, f"with {name}", source))
    return found, silent


def _sentence(
    names: set[str], documents: list[tuple[str, str]], cue: re.Pattern[str] | None
) -> tuple[str, str, str] | None:
    """(doc id, section, sentence) of the first sentence naming one of the names with a cue word."""
    if cue is None:
        return None
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(names)) + r")\b", re.IGNORECASE)
    for doc_id, text in documents:
        section = "Summary"
        for line in text.splitlines():
            if line.lstrip().startswith("#"):
                section = line.lstrip("# ").strip()
                continue
            for sentence in split_sentences(line):
                if pattern.search(sentence) and cue.search(sentence):
                    return doc_id, section, sentence.strip()
    return None
