"""Optional LLM composition: a LangChain chat model writes the answer, the guard decides what of it is shown.

The model gets the conversation, the retrieved chunks numbered [1]..[k] (then any chunk a dose limit cites),
the patient facts and the DoseCheck the orchestrator computed; `check_dose` is bound as a tool for models
that call tools. Its draft then goes through `assistant.llm.checks` and `guard.guard` sentence by sentence, after
the orchestrator's own dose-check lines (the model never writes the verdict block; `assistant.llm.prompt`). When
nothing cited survives, or what survives does not answer the question (`assistant.llm.relevance`), the caller
keeps the extractive answer (`fallback`). Backends are built in `assistant.llm.backends`; what one turn needs
comes as one `LLMRequest` (`assistant.llm.request`), built by the pipeline.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from pydantic import BaseModel, ConfigDict, Field

from assistant.answer.guard import Guarded
from assistant.dosing.rules.schema import DrugRules
from assistant.dosing.tool import TOOL_NAME, make_check_dose_tool
from assistant.errors import LLMError, one_line
from assistant.llm.backends import resolve
from assistant.llm.checks import guard_draft, normalise
from assistant.llm.prompt import build_messages, numbered_sources
from assistant.llm.relevance import unanswered
from assistant.llm.request import LLMRequest
from assistant.text.citations import MARKER
from assistant.text.sentences import sentence_ends
from assistant.types import Answer, GuardReport

log = logging.getLogger("assistant")

MAX_TOOL_ROUNDS = 3


class LLMDraft(BaseModel):
    """What the LLM path produced for one turn, after the guard."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    guarded: Guarded = Field(description="Dose-check lines plus the model's kept sentences, renumbered.")
    fallback: bool = Field(description="True when no cited model sentence survived: use the extractive answer.")
    model_text: str = Field(
        default="", description="The model's sentences the guard kept, without the dose-check lines."
    )
    raw: str = Field(description="The model's draft as written (after marker normalisation).")
    tool_calls: list[dict] = Field(
        default_factory=list, description="check_dose calls the model made, with their verdicts."
    )


# -- running the model ------------------------------------------------------------------------------------
def bind_check_dose(model: BaseChatModel, tool: BaseTool) -> Runnable[Any, BaseMessage]:
    """The model with check_dose bound as a tool, or the model itself when it cannot bind tools."""
    try:
        return model.bind_tools([tool])
    except (NotImplementedError, AttributeError, TypeError, ValueError):
        return model


def run_model(
    model: BaseChatModel,
    messages: list[BaseMessage],
    stream: SentenceStream | None = None,
    rules: Mapping[str, DrugRules] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Call the model; execute its check_dose calls (against `rules`, the loaded rules of every drug) and feed the
    results back. Returns (final text, tool calls).

    Only the text of the last round (the one without tool calls) is the draft."""
    tool = make_check_dose_tool(rules)  # the orchestrator's rules, never another folder
    runnable = bind_check_dose(model, tool)
    messages = list(messages)
    calls: list[dict[str, Any]] = []
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
                content = _content(result) if isinstance(result, ToolMessage) else str(result)
            else:
                content = f"unknown tool {call['name']!r}; the only tool is {TOOL_NAME}"
            calls.append({"name": call["name"], "args": call.get("args", {}), "result": _verdict_of(content)})
            messages.append(
                ToolMessage(content=content, tool_call_id=call.get("id") or call["name"], name=call["name"])
            )
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
        return "error: " + one_line(ValueError(content))[:120] if content.strip() else "error"


class SentenceStream:
    """Feeds model tokens; calls `show` with the guarded text of the complete sentences so far, when it changes."""

    def __init__(self, show: Callable[[str], None], guard_prefix: Callable[[str], Guarded]) -> None:
        self.show, self.guard_prefix = show, guard_prefix
        self.buffer = ""  # the model's text so far
        self.shown: str | None = None  # the guarded text last shown
        self.done = 0  # end of the last complete sentence

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


def compose_with_llm(model: BaseChatModel, request: LLMRequest) -> LLMDraft:
    """Ask the model, then guard its draft. Model and connection errors propagate (the caller falls back)."""
    sources, _ = numbered_sources(request.hits, request.dose_check, request.source_chunk)
    messages = build_messages(request.history, request.question, sources, request.patient, request.dose_check)

    def guarded(text: str) -> tuple[Guarded, str]:
        question, dose_check = request.guard_question, request.dose_check
        return guard_draft(text, sources, question, request.allowed, dose_check, request.drug_rules)

    stream = None
    if request.on_text is not None:
        stream = SentenceStream(request.on_text, lambda prefix: guarded(prefix)[0])
    raw, calls = run_model(model, messages, stream, request.rules)
    if stream:
        stream.finish()
    full, kept = guarded(raw)
    return LLMDraft(
        guarded=full, fallback=not MARKER.search(kept), model_text=kept, raw=normalise(raw), tool_calls=calls
    )


def describe_error(spec: str, exc: BaseException, where: str | None = None) -> str:
    """One line naming the setting (and the server URL), for notes and stderr."""
    detail = one_line(exc)
    if isinstance(exc, LLMError):
        return f"{detail}; showing the extractive answer"
    at = f" at {where}" if where else ""
    failed = f"failed: {type(exc).__name__}: {detail[:200]}"
    return f"LLM backend {spec!r}{at} (ASSISTANT_LLM / --llm) {failed}; showing the extractive answer"


FALLBACK_NOTE = "The language model's draft kept no cited sentence after the guard; this is the extractive answer."
OFF_POINT_NOTE = (
    "What the guard kept of the language model's draft does not answer the question; this is the extractive answer"
)


def llm_reply(request: LLMRequest, backend: str | BaseChatModel, cache: dict[str, BaseChatModel]) -> Answer:
    """The extractive answer rewritten by the LLM backend (a spec or a chat model) and guarded; on any failure,
    or when nothing cited survives the guard, or what survives does not answer the question, the extractive
    answer with `guard.fallback` and a note. `cache` keeps the chat models built from specs."""
    extractive, settings = request.extractive, request.settings
    spec = backend if isinstance(backend, str) else f"custom:{type(backend).__name__}"
    try:
        model = resolve(backend, settings, cache)
        result = compose_with_llm(model, request)
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
    return extractive.model_copy(
        update={
            "text": result.guarded.text,
            "citations": result.guarded.citations,
            "guard": result.guarded.report,
            "backend": spec,
        }
    )
