"""The turn's written answer: the extractive one, or the LLM backend's rewrite where it survives the guard."""

from __future__ import annotations

from assistant.llm.request import LLMRequest
from assistant.types import Answer


def written(request: LLMRequest, backend, chat_models: dict) -> Answer:
    """The extractive answer, or its rewrite by `backend` (a spec or a chat model) where the model's draft survives the
    guard. A refusal and the 'none' backend call no model (and load nothing of the LLM path)."""
    if request.extractive.refused or isinstance(backend, str) and backend.strip().lower() in ("", "none"):
        return request.extractive
    from assistant.llm.run import llm_reply

    return llm_reply(request, backend, chat_models)
