"""`python -m assistant batch`: one answer or one error per input line, in order, whatever happens to a line.

A store that stops answering is retried with bounded backoff; after `store_breaker` consecutive failed lines the
circuit opens and every remaining line gets its error at once. A one-line summary goes to stderr at the end.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, BinaryIO, TextIO, TypeVar

from assistant.errors import InputError
from assistant.index.store import StoreError
from assistant.interfaces.check_dose import InputError as PatientError
from assistant.interfaces.check_dose import patient_from_json
from assistant.interfaces.jsonl import (
    LineError,
    numbered_lines,
    parse_record,
    write_line,
)
from assistant.settings import Settings
from assistant.types import Patient

R = TypeVar("R")  # what `reply` returns: an Answer, or an answer object from a server


class CircuitOpen(StoreError):
    """The store failed on too many lines in a row: the line is not tried."""


@dataclass
class BatchTally:
    """What happened to the lines of one run (for the summary and the exit code)."""

    answered: int = 0
    errors: int = 0
    store_failures: int = 0
    skipped: int = 0  # lines refused at once because the circuit was open

    def summary(self) -> str:
        total = self.answered + self.errors
        text = f"batch: {total} line(s), {self.answered} answered, {self.errors} error(s)"
        if self.store_failures:
            text += (
                f" ({self.store_failures} store failure(s), {self.skipped} skipped after the store stopped answering)"
            )
        return text


def read_record(record: dict[str, Any]) -> tuple[list[str], Patient]:
    """(turns, patient) of one batch object; LineError naming the problem."""
    has_question, has_turns = "question" in record, "turns" in record
    if has_question and has_turns:
        raise LineError("give 'question' or 'turns', not both")
    if has_question:
        turns = [record["question"]]
    elif has_turns:
        turns = record["turns"]
        if not isinstance(turns, list) or not turns:
            raise LineError("'turns' must be a non-empty list of texts")
    else:
        raise LineError("needs 'question' (text) or 'turns' (list of texts)")
    if not all(isinstance(t, str) for t in turns):
        raise LineError("'question' and every turn must be text")
    patient = record.get("patient")
    try:
        facts = patient_from_json(patient) if patient is not None else Patient()
    except PatientError as exc:
        raise LineError(str(exc)) from None
    return turns, facts


def run_batch(
    stream: BinaryIO,
    out: TextIO,
    reply: Callable[[list[str], Patient], R],
    to_object: Callable[[R], dict[str, Any]],
    settings: Settings,
    sleep: Callable[[float], None] = time.sleep,
) -> BatchTally:
    """Answer every non-blank line of `stream` onto `out`; never stops early, never loses a line."""
    tally = BatchTally()
    consecutive_store_failures = 0
    for number, raw in numbered_lines(stream):
        if not raw.strip():
            continue
        record_id: Any = None
        try:
            record = parse_record(raw)
            record_id = record.get("id")
            turns, patient = read_record(record)
            if consecutive_store_failures >= settings.store_breaker:
                raise CircuitOpen(f"skipped: the store failed on {consecutive_store_failures} lines in a row")
            answer = _with_retries(reply, turns, patient, settings, sleep)
            consecutive_store_failures = 0
            write_line(out, {"id": record_id, **to_object(answer)})
            tally.answered += 1
            continue
        except CircuitOpen as exc:
            tally.skipped += 1
            message = str(exc)
        except StoreError as exc:
            tally.store_failures += 1
            consecutive_store_failures += 1
            message = str(exc)
        except (LineError, InputError, ValueError) as exc:
            record_id = getattr(exc, "record_id", None) or record_id
            message = str(exc)
        except RecursionError:
            message = "the conversation is nested or long beyond what the reader can follow"
        tally.errors += 1
        write_line(out, {"id": record_id, "error": f"line {number}: {message.splitlines()[0] if message else 'error'}"})
    return tally


def _with_retries(
    reply: Callable[[list[str], Patient], R],
    turns: list[str],
    patient: Patient,
    settings: Settings,
    sleep: Callable[[float], None],
) -> R:
    """Retry a store failure `store_retries` times, waiting store_backoff, 2×, 4×…; the last failure propagates."""
    for attempt in range(settings.store_retries + 1):
        try:
            return reply(turns, patient)
        except StoreError:
            if attempt == settings.store_retries:
                raise
            sleep(settings.store_backoff * 2**attempt)
    raise AssertionError("unreachable")


def print_summary(tally: BatchTally) -> None:
    print(tally.summary(), file=sys.stderr)
