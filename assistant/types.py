"""Typed objects passed between stages. Free of LangChain and Chroma types.

The patient facts live in `assistant.patient` and are re-exported here: `from assistant.types import Patient`
works as before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from assistant.patient import PATIENT_FIELDS_FILE as PATIENT_FIELDS_FILE
from assistant.patient import AgeGroup as AgeGroup
from assistant.patient import Patient as Patient
from assistant.patient import RenalImpairment as RenalImpairment
from assistant.patient import StrictNumber as StrictNumber
from assistant.patient import facts_noted_when_unused as facts_noted_when_unused
from assistant.patient import patient_bounds as patient_bounds


class Guideline(BaseModel):
    """One guideline document: Markdown or plain text (front matter optional) or a PDF."""

    id: str = Field(description="Stable document id: front matter `id`, else the file name without extension.")
    title: str = Field(description="Front matter `title`, else the first heading or line.")
    source: str = Field(default="", description="Where the text came from (front matter `source`); empty when unknown.")
    date: str = Field(default="", description="Date of the source text (front matter `date`); empty when unknown.")
    text: str = Field(description="The document body without front matter (for a PDF: its extracted text).")
    file: str = Field(default="", description="File name in the corpus folder, or the full path of an ingested file.")
    drugs: list[str] = Field(default_factory=list, description="Drugs the document is about (front matter `drug`).")
    indications: list[str] = Field(default_factory=list, description="Indications it covers (front matter).")
    superseded_by: str | None = Field(default=None, description="Id of the document that replaces this one.")
    line_pages: list[int] = Field(
        default_factory=list, description="For a PDF: the 1-based page of each line of `text`; empty otherwise."
    )
    notes: list[str] = Field(
        default_factory=list, description="What reading the file left out or warned about (shown by ingest)."
    )


class Chunk(BaseModel):
    """One retrievable unit: a title paragraph, a bullet or a closing paragraph."""

    id: str = Field(description="Content hash of doc_id, section and text (16 hex chars).")
    doc_id: str = Field(description="Id of the Guideline it comes from.")
    title: str = Field(description="Title of that Guideline.")
    section: str = Field(description="Section heading the text sits under ('Summary' before the first heading).")
    text: str = Field(description="The guideline's own words, with its trailing reference numbers removed.")
    refs: list[int] = Field(default_factory=list, description="The guideline's own reference numbers for this text.")
    position: int = Field(default=0, description="Order of the chunk within its document.")
    page: int | None = Field(default=None, description="1-based PDF page the text is on; None for text files.")


class Hit(BaseModel):
    """A retrieved chunk with the ranks that produced it."""

    chunk: Chunk
    score: float = Field(description="Reciprocal-rank-fusion score (higher is better).")
    dense_rank: int | None = Field(default=None, description="1-based rank in the dense (Chroma) list, None if absent.")
    bm25_rank: int | None = Field(default=None, description="1-based rank in the BM25 list, None if absent.")
    similarity: float | None = Field(default=None, description="Cosine similarity of question and chunk embeddings.")


class Citation(BaseModel):
    """A `[n]` marker in an answer and the chunk it points to."""

    n: int = Field(description="The number shown in the answer text as [n].")
    chunk_id: str
    doc_id: str
    title: str
    section: str
    text: str = Field(description="The exact cited guideline text.")
    refs: list[int] = Field(default_factory=list, description="The guideline's own reference numbers.")
    page: int | None = Field(default=None, description="1-based PDF page of the cited text; None for text files.")


Verdict = Literal[
    "contraindicated", "above_max", "exceeds_titration_step", "caution", "within_limits", "unable_to_check"
]
Severity = Literal["hard", "soft", "info"]
# Most severe first (the headline over several checks or readings): 'could not check' is never hidden behind a
# softer verdict or a green one.
VERDICT_ORDER: tuple[Verdict, ...] = (
    "contraindicated",
    "above_max",
    "exceeds_titration_step",
    "unable_to_check",
    "caution",
    "within_limits",
)
SEVERITY_ORDER: tuple[Severity, ...] = ("hard", "soft", "info")  # stops, then cautions, then information
VERDICT_SEVERITY: dict[Verdict, Severity] = {
    "contraindicated": "hard",
    "above_max": "hard",
    "exceeds_titration_step": "soft",
    "caution": "soft",
    "unable_to_check": "soft",
    "within_limits": "info",
}
HARD_STOPS: frozenset[Verdict] = frozenset(v for v, s in VERDICT_SEVERITY.items() if s == "hard")
# The words a clinician reads for each verdict (answer text, UI badge, exports).
VERDICT_LABELS: dict[Verdict, str] = {
    "contraindicated": "Do not give: contraindicated for this patient",
    "above_max": "Above the guideline maximum",
    "exceeds_titration_step": "Faster or larger increase than the guideline titration",
    "caution": "Caution",
    "within_limits": "Within the guideline limits",
    "unable_to_check": "Unable to check this dose",
}


def verdict_rank(verdict: Verdict) -> int:
    """Higher is more severe (VERDICT_ORDER read from the bottom)."""
    return len(VERDICT_ORDER) - VERDICT_ORDER.index(verdict)


def most_severe(verdicts: Iterable[Verdict], default: Verdict = "within_limits") -> Verdict:
    """The most severe of the verdicts (`default` when there are none)."""
    return max(verdicts, key=verdict_rank, default=default)


# A question intent: a name from corpus/intents.toml (intents are data, so the type is the name, not a closed set).
Intent = str


class RuleSource(BaseModel):
    """Where a limit comes from in the corpus."""

    model_config = ConfigDict(extra="forbid")

    doc_id: str = Field(description="Guideline id.")
    section: str = Field(description="Section heading in that guideline.")
    quote: str = Field(description="Exact text of the guideline that states the limit.")


class Finding(BaseModel):
    """One observation of the dose checker."""

    code: str = Field(description="Machine code, e.g. 'max_daily', 'renal_avoid', 'titration_step'.")
    severity: Severity
    verdict: Verdict = Field(description="The verdict this finding implies on its own.")
    message: str = Field(description="Plain-language statement for the clinician.")
    limit: str | None = Field(default=None, description="The limit that applied, e.g. '30 mg/day'.")
    citation: RuleSource | None = Field(default=None, description="Corpus text the limit comes from.")


class DoseCheck(BaseModel):
    """Result of `check_dose`: the verdict and everything behind it."""

    drug: str
    dose: str = Field(description="The dose expression as given.")
    indication: str | None
    route: str
    verdict: Verdict = Field(description="Most severe verdict among the findings.")
    hard_stop: bool = Field(description="True for contraindicated / above_max.")
    reason: str | None = Field(default=None, description="Why it could not be checked (unable_to_check only).")
    findings: list[Finding] = Field(default_factory=list)
    limits_applied: str | None = Field(
        default=None, description="Which rule's limits applied, e.g. 'oral <drug> for <indication>'."
    )
    single_dose_mg: float | None = None
    daily_dose_mg: float | None = None
    daily_dose_max_mg: float | None = Field(default=None, description="Upper end when the dose is a range.")
    doses_per_day: float | None = None
    patient: dict[str, float | bool | str] = Field(default_factory=dict, description="Patient facts that were used.")
    assumptions: list[str] = Field(
        default_factory=list, description="What the verdict assumed because nothing was said."
    )
    readings: list[str] = Field(
        default_factory=list, description="Each reading of the question that was checked, with its verdict."
    )


class Draft(BaseModel):
    """An answer before the guard: markdown text and the citations its [n] markers refer to."""

    text: str
    citations: list[Citation] = Field(default_factory=list)
    checker_lines: list[str] = Field(
        default_factory=list, description="Lines written from the DoseCheck, not from a model."
    )


RemovalCode = Literal[
    "uncited",
    "unsupported_number",
    "wrong_role",
    "calls_acceptable",
    "wrong_verdict",
    "permits_dose",
    "yes_no",
    "glued_number",
    "restates_given",
    "off_source_words",
    "wrong_unit",
    "repeat",
    "conflicts_with_rules",
]
# Labels for reports (the eval groups removals by code, never by parsing the prose reason).
REMOVAL_LABELS: dict[RemovalCode, str] = {
    "uncited": "no valid citation",
    "unsupported_number": "unsupported number",
    "wrong_role": "wrong role",
    "calls_acceptable": "calls dose acceptable",
    "wrong_verdict": "wrong verdict",
    "permits_dose": "permits dose",
    "yes_no": "yes/no verdict",
    "glued_number": "glued number",
    "restates_given": "only restates given figures",
    "off_source_words": "words not in source",
    "wrong_unit": "wrong unit",
    "repeat": "repeat",
    "conflicts_with_rules": "contradicts the dose rules",
}


class GuardRemoval(BaseModel):
    """A sentence or citation the guard removed, and why."""

    sentence: str
    code: RemovalCode = Field(description="Which rule removed it (REMOVAL_LABELS names each for reports).")
    reason: str = Field(description="The reason in plain words, with the figures involved.")


class GuardReport(BaseModel):
    """What the guard did to a draft."""

    removed: list[GuardRemoval] = Field(default_factory=list)
    fallback: bool = Field(default=False, description="True when the draft was replaced by the extractive answer.")


class Answer(BaseModel):
    """What the assistant returns for one turn."""

    question: str
    text: str = Field(description="Markdown with [n] citation markers.")
    refused: bool
    citations: list[Citation] = Field(default_factory=list)
    dose_check: DoseCheck | None = None
    hits: list[Hit] = Field(default_factory=list)
    intent: Intent | None = Field(default=None, description="Detected question intent, e.g. 'maximum'.")
    understood: dict[str, object] = Field(
        default_factory=dict, description="Facts read from the question and conversation."
    )
    guard: GuardReport = Field(default_factory=GuardReport)
    backend: str = Field(
        default="none", description="Answer writer asked for: 'none' (extractive) or an LLM backend, e.g. 'llamacpp'."
    )
    notes: list[str] = Field(
        default_factory=list, description="Visible notes, e.g. why an LLM answer fell back to the extractive one."
    )
    answer_cue: str | None = Field(
        default=None, description="Wording of guideline text that answers the question's kind (data)."
    )
    clarify: str | None = Field(
        default=None, description="A question back to the user, when the question cannot be placed."
    )
    not_covered: list[str] = Field(
        default_factory=list,
        description="Named drugs, substances, populations or asked aspects the library does not cover.",
    )
    safety_net: str | None = Field(
        default=None, description="The fixed sentence a possible emergency gets first (also the text's first block)."
    )


class DocStatus(BaseModel):
    doc_id: str
    title: str
    chunks: int


class CorpusStatus(BaseModel):
    """What is indexed, for the UI's corpus panel."""

    documents: list[DocStatus]
    built_at: str | None
    rules_refused: dict[str, str] = {}  # drug → why its rules file was refused at load (its doses are not checked)
