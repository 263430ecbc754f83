"""LLMRequest, the one context of the LLM path: the drug's rules and the check_dose tool's rules both come from its
`rules`, and question, hits and dose check from the extractive answer (fast: no index, no embedding model)."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.dosing.rules.load import load_rules
from assistant.llm.request import LLMRequest
from assistant.llm.run import compose_with_llm
from assistant.settings import REPO_ROOT, Settings
from assistant.types import Answer, Patient

BACLOFEN = load_rules(REPO_ROOT / "corpus" / "rules")["baclofen"]
RENAMED = {"zzdrug": BACLOFEN.model_copy(update={"drug": "zzdrug"})}  # a drug no rules folder has


class ScriptedChatModel(BaseChatModel):
    """Returns prepared AIMessages in order and records every message list it was sent."""

    script: list[AIMessage]
    received: list[list[BaseMessage]] = []

    def bind_tools(self, tools: Any, **kwargs: Any) -> ScriptedChatModel:
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.received.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.script[len(self.received) - 1])])

    @property
    def _llm_type(self) -> str:
        return "scripted"


def request(**changes) -> LLMRequest:
    fields = {
        "extractive": Answer(question="What is the maximum dose of zzdrug for spasticity?", text="", refused=False),
        "history": [],
        "patient": Patient(),
        "source_chunk": lambda source: None,
        "guard_question": "maximum dose zzdrug spasticity",
        "allowed": {},
        "rules": RENAMED,
        "drug": "zzdrug",
        "settings": Settings(),
    }
    return LLMRequest(**{**fields, **changes})


def test_the_drug_rules_are_read_from_the_one_rule_set():
    assert request().drug_rules is RENAMED["zzdrug"]
    assert request(drug=None).drug_rules is None
    assert request(drug="baclofen").drug_rules is None  # not in `rules`: never another folder's
    one = request()
    assert (one.question, one.hits, one.dose_check) == (one.extractive.question, [], None)


def test_the_models_check_dose_calls_use_the_requests_rules():
    call = {
        "name": "check_dose",
        "id": "call-1",
        "args": {"drug": "zzdrug", "dose": "150 mg/day", "indication": "spasticity"},
    }
    model = ScriptedChatModel(script=[AIMessage(content="", tool_calls=[call]), AIMessage("No cited sentence.")])
    draft = compose_with_llm(model, request())
    [tool_message] = [m for m in model.received[1] if isinstance(m, ToolMessage)]
    result = json.loads(tool_message.content)
    assert result["drug"] == "zzdrug" and result["verdict"] == "above_max"
    assert draft.tool_calls == [{"name": "check_dose", "args": call["args"], "result": "above_max"}]
    assert draft.fallback and draft.model_text == ""
