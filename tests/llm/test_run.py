"""LLM composition with a scripted chat model: every prepared draft is caught or passed exactly by the guard.

The model is injected per call (`assistant.reply(..., llm=model)`); the Assistant, its retrieval, the dose
checker and the guard are the real ones (session fixture `assistant`).
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from assistant.llm.checks import normalise
from assistant.llm.run import FALLBACK_NOTE, OFF_POINT_NOTE
from assistant.types import GuardRemoval

MAX_Q = "What is the maximum dose of baclofen for muscle cramps?"
CRAMPS_40_Q = "Is 40 mg/day of baclofen OK for muscle cramps in cirrhosis?"
SPAS_150_Q = "Is 150 mg/day of baclofen OK for spasticity?"
BACKEND = "custom:ScriptedChatModel"


class ScriptedChatModel(BaseChatModel):
    """Returns prepared AIMessages in order, records every message list it was sent and the tools bound to it."""

    script: list[AIMessage]
    received: list[list[BaseMessage]] = []
    tools: list[Any] = []

    def bind_tools(self, tools, **kwargs):
        self.tools = list(tools)
        return self

    def _generate(self, messages, stop=None, run_manager=None, **kwargs) -> ChatResult:
        self.received.append(list(messages))
        return ChatResult(generations=[ChatGeneration(message=self.script[len(self.received) - 1])])

    @property
    def _llm_type(self) -> str:
        return "scripted"


def scripted(*drafts: str | AIMessage) -> ScriptedChatModel:
    return ScriptedChatModel(script=[d if isinstance(d, AIMessage) else AIMessage(content=d) for d in drafts])


def n_of(assistant, question: str, phrase: str) -> int:
    """The [n] the model sees for the retrieved chunk containing `phrase` (chunks are numbered in hit order)."""
    hits = assistant.reply([], question).hits
    return next(i for i, h in enumerate(hits, start=1) if phrase in h.chunk.text)


@pytest.fixture(scope="module")
def n_max(assistant) -> int:
    return n_of(assistant, MAX_Q, "up to a maximum of 30 mg/day")


def test_correct_answer_passes_exactly(assistant, n_max):
    model = scripted(f"The maximum dose of baclofen for muscle cramps is 30 mg/day [{n_max}].")
    answer = assistant.reply([], MAX_Q, llm=model)
    assert answer.text == "The maximum dose of baclofen for muscle cramps is 30 mg/day [1]."
    assert [c.n for c in answer.citations] == [1] and "up to a maximum of 30 mg/day" in answer.citations[0].text
    assert answer.guard.removed == [] and not answer.guard.fallback
    assert answer.backend == BACKEND and answer.notes == [] and not answer.refused
    prompt = model.received[0][-1].content
    assert f"[{n_max}] Baclofen for Muscle Cramps" in prompt and prompt.endswith(f"Question: {MAX_Q}")
    assert [t.name for t in model.tools] == ["check_dose"]


def test_wrong_maximum_is_removed(assistant, n_max):
    model = scripted(
        f"The maximum dose of baclofen for muscle cramps is 30 mg/day [{n_max}]. "
        f"The maximum dose for muscle cramps is 40 mg/day [{n_max}]."
    )
    answer = assistant.reply([], MAX_Q, llm=model)
    assert answer.text == "The maximum dose of baclofen for muscle cramps is 30 mg/day [1]."
    assert answer.guard.removed == [
        GuardRemoval(
            sentence=f"The maximum dose for muscle cramps is 40 mg/day [{n_max}].",
            code="unsupported_number",
            reason="number 40 is not in the cited text, the question or the dose check",
        )
    ]


def test_only_a_wrong_maximum_falls_back_to_the_extractive_answer(assistant, n_max):
    extractive = assistant.reply([], MAX_Q)
    answer = assistant.reply([], MAX_Q, llm=scripted(f"The maximum dose for muscle cramps is 40 mg/day [{n_max}]."))
    assert answer.text == extractive.text and answer.citations == extractive.citations
    assert answer.guard.fallback and answer.notes == [FALLBACK_NOTE]
    assert [r.reason for r in answer.guard.removed] == [
        "number 40 is not in the cited text, the question or the dose check"
    ]


@pytest.mark.parametrize(
    "phrase, draft, why",
    [
        (
            "particular efficacy for muscle cramps",
            "Baclofen has demonstrated particular efficacy for muscle cramps in patients with liver cirrhosis [{n}].",
            "the kept sentences do not say what the question asks (maximum)",
        ),
        (
            "up to a maximum of 30 mg/day",
            "Baclofen for muscle cramps should be increased weekly up to a maximum [{n}].",
            "the kept sentences state none of the figures the guideline answers with"
            " (10 mg/day, 10 mg weekly, 30 mg/day)",
        ),
    ],
    ids=["supported-but-off-topic", "maximum-without-its-figure"],
)
def test_supported_text_that_does_not_answer_falls_back(assistant, phrase, draft, why):
    extractive = assistant.reply([], MAX_Q)
    answer = assistant.reply([], MAX_Q, llm=scripted(draft.format(n=n_of(assistant, MAX_Q, phrase))))
    assert answer.guard.removed == [] and answer.guard.fallback
    assert answer.text == extractive.text and answer.citations == extractive.citations
    assert answer.notes == [f"{OFF_POINT_NOTE} ({why})."]


def test_right_number_in_the_wrong_role_is_removed(assistant, n_max):
    model = scripted(
        f"The maximum dose of baclofen for muscle cramps is 30 mg/day [{n_max}]. "
        f"Start baclofen at 30 mg/day for muscle cramps [{n_max}]."
    )
    answer = assistant.reply([], MAX_Q, llm=model)
    assert answer.text == "The maximum dose of baclofen for muscle cramps is 30 mg/day [1]."
    assert answer.guard.removed == [
        GuardRemoval(
            sentence=f"Start baclofen at 30 mg/day for muscle cramps [{n_max}].",
            code="wrong_role",
            reason="states start 30 mg, not the rule for muscle_cramps",
        )
    ]


def test_invented_citation_is_removed(assistant):
    answer = assistant.reply(
        [], MAX_Q, llm=scripted("The maximum dose of baclofen for muscle cramps is 30 mg/day [42].")
    )
    assert len(answer.hits) < 42  # a marker no source has
    assert answer.guard.fallback and answer.notes == [FALLBACK_NOTE]
    assert answer.guard.removed[0] == GuardRemoval(
        sentence="The maximum dose of baclofen for muscle cramps is 30 mg/day.",
        code="uncited",
        reason="no citation to a retrieved guideline chunk",
    )


def test_dose_called_safe_against_the_checker_is_removed(assistant):
    n80 = n_of(assistant, SPAS_150_Q, "with a maximum of 80 mg daily")
    model = scripted(f"150 mg/day is safe for spasticity [{n80}]. The maximum for spasticity is 80 mg daily [{n80}].")
    answer = assistant.reply([], SPAS_150_Q, llm=model)
    assert answer.dose_check.verdict == "above_max"
    assert answer.text.startswith(
        "**Above the guideline maximum** (above_max): 150 mg/day of oral baclofen for spasticity.\n"
    )
    assert answer.text.endswith("\n\nThe maximum for spasticity is 80 mg daily [1].")
    assert "safe" not in answer.text
    assert answer.guard.removed == [
        GuardRemoval(
            sentence=f"150 mg/day is safe for spasticity [{n80}].",
            code="calls_acceptable",
            reason="calls a dose acceptable but the dose checker says above_max",
        )
    ]
    assert not answer.guard.fallback


@pytest.mark.parametrize(
    "draft, reasons",
    [
        (
            "The proposed dose is within_limits [{n}]. Drug X is taken with food [{n}]. "
            "So I can increase baclofen to 40 mg/day for muscle cramps [{n}]. "
            "The maximum for muscle cramps is 30 mg/day [{n}].",
            [
                "states verdict within_limits but the dose checker says above_max",
                "only 0% of its words are in the cited text or the question (needs 60%)",
                "permits the dose but the dose checker says above_max",
            ],
        ),
        (
            "The maximum for muscle cramps is 30 mg/day [{n}]. The maximum for muscle cramps is 30 mg/day [{n}]. "
            "Baclofen for muscle cramps has been given for 30 years [{n}].",
            [
                "repeats an earlier sentence",
                "quantity 30 years is not stated so in the cited text, the question or the dose check",
            ],
        ),
        (
            "The maximum for muscle cramps is 30 mg/day [{n}]. "
            "The patient with cirrhosis takes 40 mg/day of baclofen [{n}].",
            ["none of its figures is in the text it cites (it only restates the question or the dose check)"],
        ),
    ],
    ids=["verdict-wording-permission", "repeat-and-other-unit", "restates-the-question"],
)
def test_model_specific_problems_are_removed(assistant, draft, reasons):
    n30 = n_of(assistant, CRAMPS_40_Q, "up to a maximum of 30 mg/day")
    answer = assistant.reply([], CRAMPS_40_Q, llm=scripted(draft.format(n=n30)))
    assert answer.text.endswith("\n\nThe maximum for muscle cramps is 30 mg/day [1].")
    assert [r.reason for r in answer.guard.removed] == reasons


def test_tool_call_is_executed_and_fed_back(assistant):
    n30 = n_of(assistant, CRAMPS_40_Q, "up to a maximum of 30 mg/day")
    call = {
        "name": "check_dose",
        "id": "call-1",
        "args": {
            "drug": "baclofen",
            "dose": "40 mg/day",
            "indication": "muscle_cramps",
            "patient": {"cirrhosis": True},
        },
    }
    model = scripted(
        AIMessage(content="", tool_calls=[call]),
        f"40 mg/day is above the maximum of 30 mg/day for muscle cramps [{n30}].",
    )
    answer = assistant.reply([], CRAMPS_40_Q, llm=model)
    [tool_message] = [m for m in model.received[1] if isinstance(m, ToolMessage)]
    assert tool_message.tool_call_id == "call-1" and '"verdict": "above_max"' in tool_message.content
    expected_head = "**Above the guideline maximum** (above_max): 40 mg/day of oral baclofen for muscle cramps."
    assert answer.text.startswith(
        expected_head + "\n- 40 mg/day is above the maximum of 30 mg/day for muscle cramps [1]."
    )
    assert answer.text.endswith("\n\n40 mg/day is above the maximum of 30 mg/day for muscle cramps [1].")
    assert answer.guard.removed == [] and not answer.guard.fallback and answer.dose_check.verdict == "above_max"


def test_generic_fake_chat_model_without_tools(assistant, n_max):
    model = GenericFakeChatModel(
        messages=iter([f"Baclofen for muscle cramps goes up to a maximum of 30 mg/day [{n_max}]."])
    )
    answer = assistant.reply([], MAX_Q, llm=model)
    assert answer.text == "Baclofen for muscle cramps goes up to a maximum of 30 mg/day [1]."
    assert answer.backend == "custom:GenericFakeChatModel"


def test_stream_shows_only_guarded_sentences(assistant, n_max):
    model = GenericFakeChatModel(
        messages=iter(
            [
                f"The maximum dose for muscle cramps is 40 mg/day [{n_max}]. "
                f"The maximum dose of baclofen for muscle cramps is 30 mg/day [{n_max}]. Nothing cited here."
            ]
        )
    )
    shown: list[str] = []
    answer = assistant.reply([], MAX_Q, llm=model, on_text=shown.append)
    assert shown and shown[-1] == answer.text == "The maximum dose of baclofen for muscle cramps is 30 mg/day [1]."
    assert all("40" not in s and "Nothing" not in s for s in shown)


def test_none_is_the_extractive_answer_unchanged(assistant):
    default = assistant.reply([], CRAMPS_40_Q)
    assert assistant.reply([], CRAMPS_40_Q, llm="none") == default
    assert default.backend == "none" and default.notes == [] and not default.guard.fallback


@pytest.mark.parametrize(
    "spec, message",
    [
        (
            "bogus:x",
            "unknown LLM backend 'bogus:x' (ASSISTANT_LLM / --llm): "
            "use none, ollama:MODEL, openai:MODEL or llamacpp[:PATH]",
        ),
        (
            "llamacpp:/no/such/model.gguf",
            "LLM backend 'llamacpp:/no/such/model.gguf' (ASSISTANT_LLM / --llm): no such model file",
        ),
        ("ollama:", "LLM backend 'ollama:' (ASSISTANT_LLM / --llm) needs a model name, e.g. ollama:MODEL"),
    ],
)
def test_unavailable_backend_falls_back_with_a_note(assistant, spec, message):
    extractive = assistant.reply([], MAX_Q)
    answer = assistant.reply([], MAX_Q, llm=spec)
    assert answer.text == extractive.text and answer.guard.fallback and answer.backend == spec
    assert answer.notes == [f"{message}; showing the extractive answer"]


def test_unreachable_server_falls_back_with_a_note(assistant, unused_port):
    from assistant.pipeline import Assistant

    other = Assistant(
        assistant.settings.model_copy(update={"ollama_url": f"http://127.0.0.1:{unused_port}"}),
        embeddings=assistant.embeddings,
        llm="ollama:llama3.2",
    )
    answer = other.reply([], MAX_Q)
    assert answer.guard.fallback and answer.backend == "ollama:llama3.2"
    [note] = answer.notes
    assert note.startswith(
        f"LLM backend 'ollama:llama3.2' at http://127.0.0.1:{unused_port} (ASSISTANT_LLM / --llm) failed: "
    )


def test_refusal_does_not_call_the_model(assistant):
    model = scripted()  # would fail on any call
    answer = assistant.reply([], "What is the capital of France?", llm=model)
    assert answer.refused and model.received == []


def test_normalise_moves_markers_before_the_full_stop():
    assert (
        normalise("Start at 10 mg/day. [1] Then [2][3].\n1. Use [1-3].")
        == "Start at 10 mg/day [1]. Then [2, 3].\n- Use [1, 2, 3]."
    )


def test_restating_the_question_figures_does_not_answer(assistant):
    from assistant.llm.relevance import unanswered

    extractive = assistant.reply([], "Is baclofen 10 mg tid OK for muscle cramps with an eGFR of 25?")
    assert extractive.dose_check.verdict == "contraindicated"
    why = unanswered("The eGFR is 25 and the maximum dose is 10 mg tid [1].", extractive)
    assert why is not None and why.startswith(
        "the kept sentences state none of the figures the guideline answers with ("
    )
    assert "25" not in why and "30" in why
    assert (
        unanswered("Baclofen should be avoided below an eGFR of 30, with a maximum of 30 mg/day [1].", extractive)
        is None
    )
