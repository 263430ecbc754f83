"""Evaluation cases: `evals/cases/*.yaml`, validated with pydantic; a bad file gives a one-line error.

Case format. Each YAML file holds a list of records; the file name (without `.yaml`) is the records'
category (e.g. `dose.yaml` → category `dose`). Ids are unique across all files. Fields:

- `id` (str, required): unique, e.g. `cramps-max-dose`.
- `question` (str) **or** `turns` (list of user messages): a conversation is replayed turn by turn and
  scored on the answer to its last message; the earlier answers' text goes back in as history.
- `patient` (mapping, optional): facts passed to `Assistant.reply` as a `Patient`; the keys of
  `assistant.types.Patient` (corpus/patient_fields.toml: `egfr`, `crcl`, `weight`, `age`, `dialysis`, ...) only.
- `gold_chunks` (list of `{doc, phrase}`): the chunks that answer the question. `doc` is a guideline id,
  `phrase` a distinctive verbatim phrase of the chunk text (not of a heading), so the case survives
  re-chunking. A hit matches when its doc id equals `doc` and its text contains the phrase (or the
  phrase's first 40 characters), case-insensitive, whitespace- and dash-normalised.
- `must_include` (list of facts): each fact is a list of alternative strings (a plain string is a fact
  with one alternative); the fact is present when any alternative appears in the answer text
  (case-insensitive, `[n]` markers removed, dashes and whitespace normalised). At least one alternative
  of every fact must be the guideline's own wording (a test checks this against the corpus).
- `must_not_include` (list of str): strings that must not appear in the answer (same normalisation).
- `expected_verdict` (optional): the dose-check verdict word the answer's `dose_check` must carry:
  contraindicated, above_max, exceeds_titration_step, caution, within_limits or unable_to_check.
- `expect_refusal` (bool, default false): true for out-of-corpus questions; such a case has no
  `gold_chunks`, `must_include` or `expected_verdict`.
- `note` (str, optional): why the expectation is what it is (e.g. the rule a verdict follows from).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from assistant import AssistantError, Patient, Verdict, one_line
from assistant.evaluation import strip_citations

VERDICTS: tuple[str, ...] = get_args(Verdict)
PREFIX_CHARS = 40


class CaseError(AssistantError, ValueError):
    """A case file that cannot be used; the message is one line."""


class GoldChunk(BaseModel):
    """A chunk that answers the case, named by its document and a verbatim phrase of its text."""

    model_config = ConfigDict(extra="forbid")

    doc: str = Field(min_length=1, description="Guideline id, e.g. 'baclofen-muscle-cramps'.")
    phrase: str = Field(min_length=8, description="Distinctive verbatim phrase from the chunk text.")


class Case(BaseModel):
    """One evaluation case (see the module docstring for the file format)."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, pattern=r"^[A-Za-z0-9_.-]+$")
    category: str = Field(default="", description="File stem the case was read from.")
    question: str | None = None
    turns: list[str] | None = None
    patient: Patient | None = None
    gold_chunks: list[GoldChunk] = Field(default_factory=list)
    must_include: list[list[str]] = Field(default_factory=list)
    must_not_include: list[str] = Field(default_factory=list)
    expected_verdict: Verdict | None = None
    expect_refusal: bool = False
    note: str = ""

    @field_validator("must_include", mode="before")
    @classmethod
    def _facts(cls, value):
        if not isinstance(value, list):
            return value
        return [[item] if isinstance(item, str) else item for item in value]

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        if (self.question is None) == (self.turns is None):
            raise ValueError("give exactly one of 'question' or 'turns'")
        if self.turns is not None and (not self.turns or any(not t.strip() for t in self.turns)):
            raise ValueError("'turns' must be a non-empty list of non-empty messages")
        if self.question is not None and not self.question.strip():
            raise ValueError("'question' is empty")
        if any(not fact or any(not alt.strip() for alt in fact) for fact in self.must_include):
            raise ValueError("every must_include fact needs at least one non-empty alternative")
        if self.expect_refusal and (self.gold_chunks or self.must_include or self.expected_verdict):
            raise ValueError("a refusal case has no gold_chunks, must_include or expected_verdict")
        return self

    @property
    def user_turns(self) -> list[str]:
        """Every user message, the scored one last."""
        return list(self.turns) if self.turns is not None else [self.question or ""]

    @property
    def final_question(self) -> str:
        return self.user_turns[-1]

    @property
    def multi_turn(self) -> bool:
        return len(self.user_turns) > 1


def normalise(text: str) -> str:
    """Lower case, `[n]` markers and markdown emphasis removed, dashes and whitespace unified."""
    text = strip_citations(text)
    text = text.replace("**", "").replace("__", "")
    text = re.sub(r"[‐‑‒–—−]", "-", text)
    text = re.sub(r"(?<=\d)\s*-\s*(?=\d)", "-", text)
    text = text.replace("\u00a0", " ")
    return re.sub(r"\s+", " ", text).strip().lower()


def phrase_in(phrase: str, text: str) -> bool:
    """The gold-chunk rule, applied alike to our chunks and the baseline's: the whole phrase, or its
    first PREFIX_CHARS characters (a fixed-size chunk may cut a phrase), occurs in the text."""
    p, t = normalise(phrase), normalise(text)
    return p in t or (len(p) > PREFIX_CHARS and p[:PREFIX_CHARS] in t)


def _error(path: Path, index: int, record: object, exc: ValidationError) -> CaseError:
    cid = record.get("id") if isinstance(record, dict) else None
    return CaseError(f"{path.name}: case {index + 1} ({cid or 'no id'}): {one_line(exc)}")


def load_file(path: Path) -> list[Case]:
    """The cases of one YAML file; CaseError (one line) when the file or a record is invalid."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CaseError(f"{path.name}: cannot read ({exc.__class__.__name__})") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise CaseError(f"{path.name}: not valid YAML{where} ({problem})") from None
    if not isinstance(data, list):
        raise CaseError(f"{path.name}: expected a list of cases, got {type(data).__name__}")
    cases = []
    for i, record in enumerate(data):
        if not isinstance(record, dict):
            raise CaseError(f"{path.name}: case {i + 1}: expected a mapping, got {type(record).__name__}")
        try:
            cases.append(Case(**{**record, "category": record.get("category", path.stem)}))
        except ValidationError as exc:
            raise _error(path, i, record, exc) from None
        except TypeError as exc:
            raise CaseError(f"{path.name}: case {i + 1}: {exc}") from None
    return cases


def load_cases(path: Path) -> list[Case]:
    """Every case of a folder of `*.yaml` files (or of one file); ids must be unique."""
    if not path.exists():
        raise CaseError(f"cases not found: {path}")
    files = [path] if path.is_file() else sorted(path.glob("*.yaml")) + sorted(path.glob("*.yml"))
    if not files:
        raise CaseError(f"no *.yaml case files in {path}")
    cases: list[Case] = []
    seen: dict[str, str] = {}
    for f in files:
        for case in load_file(f):
            if case.id in seen:
                raise CaseError(f"{f.name}: case id '{case.id}' already used in {seen[case.id]}")
            seen[case.id] = f.name
            cases.append(case)
    return cases
