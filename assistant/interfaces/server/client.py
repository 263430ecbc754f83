"""`ask --server URL` and `batch --server URL`: the same output as without a server, from a running `serve`, so
repeated questions do not pay the start-up. The API key, when the server needs one, is ASSISTANT_SERVER_API_KEY."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from assistant import AssistantError, InputError, Patient
from assistant.index.store import StoreError


class ServerError(StoreError):
    """The server could not be reached or failed (5xx): like a store failure, a batch retries it with backoff."""


def post(url: str, path: str, body: dict[str, Any], timeout: float = 120.0) -> dict[str, Any]:
    """POST JSON to the server; the answer object, or ServerError with the server's error message."""
    import httpx

    headers = {"content-type": "application/json"}
    key = os.environ.get("ASSISTANT_SERVER_API_KEY")
    if key:
        headers["authorization"] = f"Bearer {key}"
    try:
        response = httpx.post(url.rstrip("/") + path, json=body, headers=headers, timeout=timeout)
    except httpx.HTTPError as exc:
        raise ServerError(f"cannot reach the server at {url}: {exc}") from None
    try:
        data = response.json()
    except ValueError:
        raise ServerError(f"the server at {url} answered {response.status_code} without JSON") from None
    error = data.get("error", {}) if isinstance(data, dict) else {}
    message = f"server: {error.get('message') or response.status_code}"
    if 400 <= response.status_code < 500:
        raise InputError(message)  # this request is wrong; the next one may be fine
    if response.status_code >= 500 or not isinstance(data, dict):
        raise ServerError(message)
    return data


def remote_answer(url: str, turns: list[str], patient: Patient, record_id: Any = None) -> dict[str, Any]:
    """The answer object for a conversation, from the server (its id removed; the caller adds its own)."""
    body: dict[str, Any] = {"id": record_id, "turns": turns, "patient": patient.known()}
    data = post(url, "/v1/ask", body)
    data.pop("id", None)
    return data


def _no_remote_options(args: argparse.Namespace) -> None:
    given = [f"--{n}" for n in ("indication", "route", "llm") if getattr(args, n, None)]
    if given:
        raise AssistantError(f"{', '.join(given)} cannot be sent to a server (set them on the server)")


def ask_remote(args: argparse.Namespace, question: str, patient: Patient, text: Callable[[Any], str]) -> int:
    """`ask --server`: the server's answer printed as `ask` prints its own."""
    from assistant.types import Answer

    _no_remote_options(args)
    obj = remote_answer(args.server, [question], patient)
    if args.json:
        print(json.dumps(obj, ensure_ascii=False))
        return 0
    fields = {k: v for k, v in obj.items() if k in Answer.model_fields}
    print(text(Answer.model_validate({**fields, "text": obj["answer"]})))
    return 0


def batch_remote(args: argparse.Namespace) -> int:
    """`batch --server`: one line out per line in, as `batch` writes them; a failing server is retried like a store."""
    from assistant.interfaces.batch import print_summary, run_batch
    from assistant.interfaces.jsonl import open_input
    from assistant.settings import Settings

    _no_remote_options(args)
    with open_input(args.file) as stream:
        tally = run_batch(stream, sys.stdout, lambda t, p: remote_answer(args.server, t, p), dict, Settings())
    print_summary(tally)
    return 1 if tally.errors else 0
