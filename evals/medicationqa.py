"""MedicationQA (Ben Abacha et al., MEDINFO 2019) as an out-of-corpus suite, read from ../shared at eval time.

The CSV (`question,focus,type`) is never copied into the repository. A question's focus drug is *mentioned* by
the corpus when one of the focus's specific words (a word rarer than RARE_ZIPF in general English, so
"botulinum" or "tizanidine" but not "sodium", "injection" or "pain") occurs as a word in a guideline's text.
Questions on unmentioned drugs must be refused with no dose; questions on mentioned drugs may be answered, but
only with cited corpus text, and are scored separately (they are not in refusal recall).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from wordfreq import zipf_frequency

from assistant import AssistantError
from assistant.evaluation import load_corpus

RARE_ZIPF = 3.0


class MedicationQAError(AssistantError, ValueError):
    """The file is missing or unreadable; the message is one line."""


@dataclass
class MQAQuestion:
    """One MedicationQA question and whether the corpus mentions its focus drug."""

    row: int
    question: str
    focus: str
    qtype: str
    mentioned_by: list[str] = field(default_factory=list)

    @property
    def mentioned(self) -> bool:
        return bool(self.mentioned_by)


def corpus_words(corpus_dir: Path) -> set[str]:
    """Lower-cased words of every guideline's title and text."""
    words: set[str] = set()
    for g in load_corpus(corpus_dir).guidelines:
        words |= set(re.findall(r"[a-z]+", f"{g.title} {g.text}".lower()))
    return words


def mentioned_by(focus: str, words: set[str]) -> list[str]:
    """The focus's specific words that the corpus contains (empty: the corpus never mentions the drug)."""
    found = []
    for w in re.findall(r"[a-z]+", focus.lower()):
        if len(w) > 2 and w in words and zipf_frequency(w, "en") < RARE_ZIPF and w not in found:
            found.append(w)
    return found


def load_medicationqa(path: Path, corpus_dir: Path) -> list[MQAQuestion]:
    """Every question of the CSV, tagged with the corpus words that mention its focus drug."""
    if not path.is_file():
        raise MedicationQAError(
            f"MedicationQA skipped: {path} not found (it is read from ../shared/external at eval time)"
        )
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise MedicationQAError(f"MedicationQA skipped: cannot read {path} ({exc.__class__.__name__})") from None
    if not rows or not {"question", "focus"} <= set(rows[0]):
        raise MedicationQAError(f"MedicationQA skipped: {path} lacks the columns question,focus")
    words = corpus_words(corpus_dir)
    return [
        MQAQuestion(
            i, r["question"].strip(), r["focus"].strip(), (r.get("type") or "").strip(), mentioned_by(r["focus"], words)
        )
        for i, r in enumerate(rows, start=2)
        if r.get("question", "").strip()
    ]
