"""Optional LLM composition: a LangChain chat model writes the answer, the guard decides what of it is shown.

The model gets the conversation, the retrieved chunks numbered [1]..[k] (then any chunk a dose limit cites),
the patient facts and the DoseCheck the orchestrator computed; `check_dose` is bound as a tool for models
that call tools. Its draft then goes through `guard.guard` sentence by sentence, after the orchestrator's own
dose-check lines (the model never writes the verdict block). When nothing cited survives, or what survives does
not answer the question (`assistant.llm.relevance`), the caller keeps the extractive answer (`fallback`). Backends
are built in `assistant.llm.backends`.
"""
from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from pydantic import BaseModel, ConfigDict, Field

from assistant.answer.compose import VERDICT_WORDS, Draft, _Candidates, dose_check_lines
from assistant.answer.guard import Guarded, guard
from assistant.dosing.rules import DrugRules
from assistant.dosing.tool import TOOL_NAME, make_check_dose_tool
from assistant.llm.relevance import unanswered
from assistant.answer.support import support_pool
from assistant.text.citations import MARKER, cited_numbers, normalise_markers, strip_citations
from assistant.text.quantities import numbers_in, unsupported
from assistant.text.sentences import sentence_ends, split_sentences
from assistant.text.words import content_terms
from assistant.types import (
    Answer,
    Chunk,
    DoseCheck,
    GuardRemoval,
    GuardReport,
    Hit,
    Patient,
)

log = logging.getLogger("assistant")

MAX_TOOL_ROUNDS = 3
MAX_HISTORY_TURNS = 6
MAX_TURN_CHARS = 800
MIN_TERM_SHARE = 0.6  # a model sentence must mostly use the words of the text it cites (or of the question)

SYSTEM_PROMPT = """Answer the clinician's question using only the numbered guideline sources below. Copy the wording and \
the numbers of the source you use; never calculate, convert or round a number. End every sentence with the number of its \
source in square brackets. Do not call a dose safe, fine or acceptable and do not answer yes or no: the dose check is \
shown to the clinician separately. If the sources do not answer the question, say so.

Example (another drug):
Guideline sources:
[1] Drug X > Administration: Drug X should be taken with food.
[2] Drug X > Monitoring: Check liver tests before starting drug X.
Question: What should be checked before drug X is started?
Answer: Check liver tests before starting drug X [2]."""

# The checker's own verdict words, and wording that claims the dose is within limits. ('Caution' and
# 'contraindicated' are ordinary clinical words and stay with the guard's other checks.)
_VERDICT_NAMES = re.compile(r"\b(" + "|".join(v for v in VERDICT_WORDS if "_" in v) + r")\b", re.I)
_WITHIN = re.compile(r"\bwithin (?:the )?(?:guideline'?s? |recommended |dosing |usual |safe )?(?:limits?|range)\b", re.I)
# Permission to give the dose, in any wording the guard's acceptability check does not cover ('I can increase').
_PERMITS = re.compile(r"\b(?:can|may|could|able to)\s+(?:safely\s+|still\s+)?(?:be\s+)?(?:increased?|given|give|used?|taken|take|"
                      r"continued?|started|start|prescribed?|go(?:ne)? up|raised?)\b|\bgo ahead\b|\bno (?:problem|concern)s?\b", re.I)
_YES_NO = re.compile(r"^\W*(?:yes|no)\s*[,.;:!\u2014-]", re.I)
_GLUED = re.compile(r"(?:(?<=[A-Za-z])|(?<=[A-Za-z/%][.,]))[0-9]+(?:\.[0-9]+)?")  # 'day.5', 'q8h': numbers_in skips them


class LLMError(RuntimeError):
    """A backend that cannot be built or reached; the message is one line and names the setting."""


class LLMDraft(BaseModel):
    """What the LLM path produced for one turn, after the guard."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    guarded: Guarded = Field(description="Dose-check lines plus the model's kept sentences, renumbered.")
    fallback: bool = Field(description="True when no cited model sentence survived: use the extractive answer.")
    model_text: str = Field(default="", description="The model's sentences the guard kept, without the dose-check lines.")
    raw: str = Field(description="The model's draft as written (after marker normalisation).")
    tool_calls: list[dict] = Field(default_factory=list, description="check_dose calls the model made, with their verdicts.")


# -- prompt -----------------------------------------------------------------------------------------------
def numbered_sources(hits: list[Hit], dose_check: DoseCheck | None, source_chunk) -> tuple[Draft, list[str]]:
    """Citations 1..k for the retrieved chunks (then limit sources), and the orchestrator's dose-check lines."""
    cands = _Candidates()
    for hit in hits:
        cands.cite(hit.chunk)
    lines = dose_check_lines(dose_check, cands, source_chunk) if dose_check is not None else []
    return Draft(text="", citations=cands.citations, checker_lines=lines), lines


def build_messages(history: list, question: str, draft: Draft, patient: Patient, dose_check: DoseCheck | None) -> list[BaseMessage]:
    """System rules, the last turns of the conversation, then sources, patient, dose check and the question."""
    messages: list[BaseMessage] = [SystemMessage(SYSTEM_PROMPT)]
    for turn in list(history)[-MAX_HISTORY_TURNS:]:
        content = strip_citations(turn.content)[:MAX_TURN_CHARS]  # old [n] point at other numbering
        messages.append(HumanMessage(content) if turn.role == "user" else AIMessage(content))
    sources = "\n".join(f"[{c.n}] {c.title} > {c.section}: {c.text}" for c in draft.citations)
    facts = ", ".join(f"{k} {v}" for k, v in patient.known().items()) or "none given"
    parts = [f"Guideline sources:\n{sources}", f"Patient facts: {facts}"]
    if dose_check is not None:
        parts.append("Dose check (already computed and shown to the clinician):\n" + "\n".join(draft.checker_lines))
    parts.append(f"Question: {question}")
    messages.append(HumanMessage("\n\n".join(parts)))
    return messages


# -- running the model ------------------------------------------------------------------------------------
def bind_check_dose(model: BaseChatModel):
    """The model with check_dose bound as a tool, or the model itself when it cannot bind tools."""
    try:
        return model.bind_tools([make_check_dose_tool()])
    except (NotImplementedError, AttributeError, TypeError, ValueError):
        return model


def run_model(model: BaseChatModel, messages: list[BaseMessage], stream: "SentenceStream | None" = None) -> tuple[str, list[dict]]:
    """Call the model; execute its check_dose calls and feed the results back. Returns (final text, tool calls).

    Only the text of the last round (the one without tool calls) is the draft."""
    runnable, tool = bind_check_dose(model), make_check_dose_tool()
    messages, calls = list(messages), []
    for _ in range(MAX_TOOL_ROUNDS + 1):
        message = _call(runnable, model, messages, stream.feed if stream else None)
        if not message.tool_calls or len(calls) >= MAX_TOOL_ROUNDS:
            return _content(message), calls
        if stream:
            stream.reset()
        messages.append(message)
        for call in message.tool_calls:
            if call["name"] == TOOL_NAME:
                result = tool.invoke({**call, "type": "tool_call"})
                content = result.content if isinstance(result, ToolMessage) else str(result)
            else:
                content = f"unknown tool {call['name']!r}; the only tool is {TOOL_NAME}"
            calls.append({"name": call["name"], "args": call.get("args", {}), "result": _verdict_of(content)})
            messages.append(ToolMessage(content=content, tool_call_id=call.get("id") or call["name"], name=call["name"]))
    return "", calls


def _call(runnable, model: BaseChatModel, messages: list[BaseMessage], on_token) -> AIMessage:
    """One model call, streamed to `on_token` when given; retried without tools when the server rejects them."""
    try:
        return _once(runnable, messages, on_token)
    except Exception as exc:
        if runnable is model or "tool" not in str(exc).lower():
            raise
        return _once(model, messages, on_token)


def _once(runnable, messages, on_token) -> AIMessage:
    if on_token is None:
        return runnable.invoke(messages)
    full: AIMessageChunk | None = None
    for chunk in runnable.stream(messages):
        full = chunk if full is None else full + chunk
        if text := _content(chunk):
            on_token(text)
    return AIMessage(content=full.content, tool_calls=full.tool_calls) if full is not None else AIMessage(content="")


def _content(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, list):  # content blocks
        return "".join(b.get("text", "") if isinstance(b, dict) else str(b) for b in content)
    return content or ""


def _verdict_of(content: str) -> str:
    try:
        return str(json.loads(content).get("verdict", "error"))
    except (json.JSONDecodeError, AttributeError):
        return "error: " + content.splitlines()[0][:120] if content else "error"


# -- guarding the draft -----------------------------------------------------------------------------------
def normalise(text: str) -> str:
    """Put markers written after the full stop before it, expand [1-3] and [1][2], drop list numbering."""
    text = normalise_markers(text)
    return re.sub(r"(?m)^(\s*)\d{1,2}[.)]\s+", r"\1- ", text).strip()


def model_checks(text: str, sources: Draft, question: str, allowed: dict[str, Chunk], dose_check: DoseCheck | None,
                 rules: DrugRules | None) -> tuple[str, list[GuardRemoval]]:
    """Checks a model's sentences need on top of the guard (which was built for the guideline's own words):
    a verdict word other than the checker's, a bare yes/no verdict, a number glued to a word (invisible to the
    number check), and a sentence whose words are mostly not in the text it cites. A sentence the guard itself
    removes is left to the guard, so that its reason is the one reported."""
    by_n = {c.n: c for c in sources.citations}
    context = set(content_terms(" ".join([question, *sources.checker_lines])))
    removed, lines, seen = [], [], set()
    facts = ". ".join(f"{k} {v}" for k, v in (dose_check.patient if dose_check else {}).items() if not isinstance(v, bool))
    for line in text.split("\n"):
        kept = []
        for sentence in split_sentences(line) if line.strip() else [line]:
            if guard(Draft(text=sentence, citations=sources.citations), question, allowed, dose_check, rules).report.removed:
                kept.append(sentence)  # the guard's own pass removes it, with its reason
            elif (key := " ".join(content_terms(strip_citations(sentence)))) in seen and key:
                removed.append(GuardRemoval(sentence=sentence.strip(), reason="repeats an earlier sentence"))
            elif reason := _model_problem(sentence, by_n, context, dose_check) or _unit_problem(sentence, by_n, question, sources, facts):
                removed.append(GuardRemoval(sentence=sentence.strip(), reason=reason))
            else:
                seen.add(key)
                kept.append(sentence)
        if kept or not line.strip():
            lines.append(" ".join(kept))
    return "\n".join(lines), removed


def _unit_problem(sentence: str, by_n: dict, question: str, sources: Draft, facts: str) -> str | None:
    """A supported number with another unit ('10 years' where the question says '10 mg'): the guard compares
    values only, so the model's quantities are also compared with their units."""
    cited = [by_n[n].text for n in cited_numbers(sentence) if n in by_n]
    pool = support_pool(cited=cited, given=[question, facts, *sources.checker_lines])
    if bad := unsupported(sentence, pool):
        return f"quantity {', '.join(q.label() for q in bad)} is not stated so in the cited text, the question or the dose check"
    return None


def _model_problem(sentence: str, by_n: dict, context: set[str], dose_check: DoseCheck | None) -> str | None:
    actual = dose_check.verdict if dose_check else None
    named = {m.group(1).lower() for m in _VERDICT_NAMES.finditer(sentence)}
    if dose_check is not None and _WITHIN.search(sentence):  # said of the proposed dose
        named.add("within_limits")
    if named - {actual}:
        return f"states verdict {', '.join(sorted(named - {actual}))} but the dose checker says {actual or 'no dose check'}"
    if dose_check is not None and actual != "within_limits" and _PERMITS.search(sentence):
        return f"permits the dose but the dose checker says {actual}"
    if _YES_NO.match(sentence):
        return "a yes/no verdict is the dose checker's and the guideline's, not the model's"
    if glued := _GLUED.findall(strip_citations(sentence)):
        return f"number {', '.join(glued)} is glued to a word, so it cannot be checked"
    cited = [by_n[n] for n in cited_numbers(sentence) if n in by_n]
    figures = set(numbers_in(sentence))
    if cited and figures and not figures & set(numbers_in(" ".join(c.text for c in cited))):
        return "none of its figures is in the text it cites (it only restates the question or the dose check)"
    terms = set(content_terms(strip_citations(sentence)))
    if cited and terms:
        vocabulary = context | set(content_terms(" ".join(f"{c.title} {c.section} {c.text}" for c in cited)))
        share = len(terms & vocabulary) / len(terms)
        if share < MIN_TERM_SHARE:
            return f"only {share:.0%} of its words are in the cited text or the question (needs {MIN_TERM_SHARE:.0%})"
    return None


def guard_draft(model_text: str, sources: Draft, question: str, allowed: dict[str, Chunk],
                dose_check: DoseCheck | None, rules: DrugRules | None) -> tuple[Guarded, str]:
    """Dose-check lines + the model's text through the guard, and the model's kept sentences alone."""
    text, pre_removed = model_checks(normalise(model_text), sources, question, allowed, dose_check, rules)
    text = "\n".join(line for line in text.split("\n") if line not in sources.checker_lines)  # copies of the checker's lines
    model_only = guard(Draft(text=text, citations=sources.citations), question, allowed, dose_check, rules)
    body = "\n\n".join(part for part in ("\n".join(sources.checker_lines), text) if part)
    full = guard(Draft(text=body, citations=sources.citations, checker_lines=sources.checker_lines), question, allowed, dose_check, rules)
    full.report = GuardReport(removed=pre_removed + full.report.removed)
    return full, model_only.text


class SentenceStream:
    """Feeds model tokens; calls `show` with the guarded text of the complete sentences so far, when it changes."""

    def __init__(self, show: Callable[[str], None], guard_prefix: Callable[[str], Guarded]) -> None:
        self.show, self.guard_prefix, self.buffer, self.shown, self.done = show, guard_prefix, "", None, 0

    def feed(self, token: str) -> None:
        self.buffer += token
        text = normalise(self.buffer)
        ends = sentence_ends(text)
        if ends and ends[-1] != self.done:  # guard again only when another sentence is complete
            self.done = ends[-1]
            self.emit(text[: ends[-1]])

    def emit(self, prefix: str) -> None:
        shown = self.guard_prefix(prefix).text
        if shown != self.shown:
            self.shown = shown
            self.show(shown)

    def reset(self) -> None:
        self.buffer, self.done = "", 0

    def finish(self) -> None:
        """The model is done: its last sentence is complete too."""
        self.emit(normalise(self.buffer))


def compose_with_llm(
    model: BaseChatModel,
    history: list,
    question: str,
    hits: list[Hit],
    patient: Patient,
    dose_check: DoseCheck | None,
    source_chunk,
    guard_question: str,
    allowed: dict[str, Chunk],
    rules: DrugRules | None,
    on_text: Callable[[str], None] | None = None,
) -> LLMDraft:
    """Ask the model, then guard its draft. Model and connection errors propagate (the caller falls back)."""
    sources, _ = numbered_sources(hits, dose_check, source_chunk)
    messages = build_messages(history, question, sources, patient, dose_check)
    stream = None
    if on_text is not None:
        stream = SentenceStream(on_text, lambda prefix: guard_draft(prefix, sources, guard_question, allowed, dose_check, rules)[0])
    raw, calls = run_model(model, messages, stream)
    if stream:
        stream.finish()
    guarded, kept = guard_draft(raw, sources, guard_question, allowed, dose_check, rules)
    return LLMDraft(guarded=guarded, fallback=not MARKER.search(kept), model_text=kept, raw=normalise(raw), tool_calls=calls)


def describe_error(spec: str, exc: BaseException, where: str | None = None) -> str:
    """One line naming the setting (and the server URL), for notes and stderr."""
    detail = str(exc).splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, LLMError):
        return f"{detail}; showing the extractive answer"
    at = f" at {where}" if where else ""
    return f"LLM backend {spec!r}{at} (ASSISTANT_LLM / --llm) failed: {type(exc).__name__}: {detail[:200]}; showing the extractive answer"


FALLBACK_NOTE = "The language model's draft kept no cited sentence after the guard; this is the extractive answer."
OFF_POINT_NOTE = "What the guard kept of the language model's draft does not answer the question; this is the extractive answer"


def llm_reply(extractive: Answer, backend, cache: dict, settings, *, history: list, patient: Patient, source_chunk,
              guard_question: str, allowed: dict[str, Chunk], rules: DrugRules | None,
              on_text: Callable[[str], None] | None = None) -> Answer:
    """The extractive answer rewritten by the LLM backend (a spec or a chat model) and guarded; on any failure,
    or when nothing cited survives the guard, or what survives does not answer the question, the extractive
    answer with `guard.fallback` and a note."""
    from assistant.llm.backends import resolve

    spec = backend if isinstance(backend, str) else f"custom:{type(backend).__name__}"
    try:
        model = resolve(backend, settings, cache)
        result = compose_with_llm(model, history, extractive.question, extractive.hits, patient, extractive.dose_check,
                                  source_chunk, guard_question, allowed, rules, on_text)
    except Exception as exc:  # unknown backend, missing file, unreachable server, model error: extractive + note
        where = {"ollama": settings.ollama_url, "openai": settings.openai_base_url}.get(spec.partition(":")[0])
        note = describe_error(spec, exc, where)
        log.info(note)
        report = GuardReport(removed=extractive.guard.removed, fallback=True)
        return extractive.model_copy(update={"backend": spec, "guard": report, "notes": [note]})
    for call in result.tool_calls:
        log.info("model called %s: %s", call["name"], call["result"])
    removed = result.guarded.report.removed
    if removed:
        log.warning("guard removed %d sentence(s) of the %s draft: %s", len(removed), spec, [r.reason for r in removed])
    off_point = None if result.fallback else unanswered(result.model_text, extractive)
    if result.fallback or off_point:
        report = GuardReport(removed=removed + extractive.guard.removed, fallback=True)
        note = FALLBACK_NOTE if result.fallback else f"{OFF_POINT_NOTE} ({off_point})."
        return extractive.model_copy(update={"backend": spec, "guard": report, "notes": [note]})
    return extractive.model_copy(update={"text": result.guarded.text, "citations": result.guarded.citations,
                                         "guard": result.guarded.report, "backend": spec})
