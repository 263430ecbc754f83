"""`POST /v1/ask?stream=true`: the guarded answer as server-sent events, in the order the chat shows it.

Events: `text` (the next guarded piece: what an LLM writer's guard let through, else each line of the extractive
answer), then `answer` (the whole answer object, authoritative: an LLM draft the guard rejected is replaced by it),
then `end`. A failure is one `error` event with the API's error object. The audit line is written once the last
event is sent; a stream the client broke off is audited with `"stream": "broken"`."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from assistant import AssistantError, Patient, one_line
from assistant.interfaces.answer_json import answer_object
from assistant.interfaces.server.errors import ApiError, error_code

if TYPE_CHECKING:
    from assistant.interfaces.server.models import AskRequest
    from assistant.interfaces.server.service import Service


def event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


async def answer_events(svc: Service, body: AskRequest) -> AsyncIterator[bytes]:
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def job() -> Any:
        try:  # on_text gets the guarded text so far (cumulative), in the writer's thread
            return svc.ask(body.conversation(), body.patient or Patient(), on_text=lambda t: _put(t))
        finally:
            _put(None)

    def _put(item: str | None) -> None:
        loop.call_soon_threadsafe(queue.put_nowait, item)

    answer, status, sent = None, "broken", ""
    try:
        future = loop.run_in_executor(None, job)
        while (text := await queue.get()) is not None:
            piece = text[len(sent) :] if text.startswith(sent) else text
            sent = text
            if piece.strip():
                yield event("text", {"text": piece})
        try:
            answer = await future
        except AssistantError as exc:
            status = "error"
            yield event("error", json.loads(ApiError(error_code(exc), one_line(exc)).body()))
            return
        if not sent:
            blank = ""  # blank lines go with the next line, so the pieces join back into the answer's markdown
            for line in answer.text.splitlines(keepends=True):
                if line.strip():
                    yield event("text", {"text": blank + line})
                    blank = ""
                else:
                    blank += line
        yield event("answer", {"id": body.id, **answer_object(answer)})
        yield event("end", {})
        status = "complete"
    finally:
        if status != "error":
            facts = body.patient.known() if body.patient else {}
            extra = {"surface": "http", "id": body.id, "stream": status}
            question = body.conversation()[-1]
            await asyncio.shield(
                loop.run_in_executor(
                    None, lambda: svc.record("answer", answer=answer, question=question, patient=facts, extra=extra)
                )
            )
