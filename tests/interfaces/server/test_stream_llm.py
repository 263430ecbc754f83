"""A streamed answer written by a language model (a deterministic fake): only guarded text leaves the server, and a
stream the client breaks off is audited as broken."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.outputs import ChatGenerationChunk

from assistant.interfaces.server.service import Service
from tests.interfaces.server.conftest import start
from tests.interfaces.server.test_http_api import events

pytestmark = pytest.mark.slow
MAX_Q = "What is the maximum dose of baclofen for muscle cramps?"


class SlowFake(GenericFakeChatModel):
    """Streams its scripted message word by word, `delay` seconds apart."""

    delay: float = 0.0

    def _stream(self, *args: Any, **kwargs: Any) -> Iterator[ChatGenerationChunk]:
        for chunk in super()._stream(*args, **kwargs):
            time.sleep(self.delay)
            yield chunk


def n_max(assistant) -> int:
    hits = assistant.reply([], MAX_Q).hits
    return next(i for i, h in enumerate(hits, start=1) if "up to a maximum of 30 mg/day" in h.chunk.text)


def test_only_guarded_sentences_are_streamed(assistant):
    n = n_max(assistant)
    draft = (
        f"The maximum dose for muscle cramps is 40 mg/day [{n}]. "
        f"The maximum dose of baclofen for muscle cramps is 30 mg/day [{n}]. Nothing cited here."
    )
    model = SlowFake(messages=iter([draft]))
    gen = start(Service(assistant.settings, assistant, llm=model))
    running = next(gen)
    try:
        with httpx.stream("POST", running.url + "/v1/ask?stream=true", json={"question": MAX_Q}, timeout=60) as r:
            got = events(r.read().decode())
    finally:
        next(gen, None)
    texts = [d["text"] for name, d in got if name == "text"]
    answer = got[-2][1]
    assert "".join(texts) == answer["answer"] == "The maximum dose of baclofen for muscle cramps is 30 mg/day [1]."
    assert not any("40 mg" in t or "Nothing cited" in t for t in texts)
    assert [name for name, _ in got][-2:] == ["answer", "end"]


def test_a_broken_stream_is_audited_as_broken(assistant):
    n = n_max(assistant)
    sentences = " ".join(f"The maximum dose of baclofen for muscle cramps is 30 mg/day [{n}]." for _ in range(6))
    model = SlowFake(messages=iter([sentences]), delay=0.1)
    gen = start(Service(assistant.settings, assistant, llm=model))
    running = next(gen)
    try:
        before = len(running.audit_lines())
        with httpx.stream("POST", running.url + "/v1/ask?stream=true", json={"question": MAX_Q}, timeout=60) as r:
            first = next(r.iter_lines())
            assert first == "event: text"
        for _ in range(100):  # the server notices the closed connection at its next send
            if len(running.audit_lines()) > before:
                break
            time.sleep(0.1)
        time.sleep(1.0)
        lines = running.audit_lines()[before:]
    finally:
        next(gen, None)
    assert len(lines) == 1
    assert json.loads(lines[0])["stream"] == "broken"
