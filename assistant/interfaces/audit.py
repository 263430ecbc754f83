"""Append-only JSONL audit log of answers, feedback and downloads.

One JSON object per line. A record is written with a single `write` on a file opened in append mode
("a+b", so O_APPEND), then flushed and fsynced, under an exclusive lock, so concurrent sessions never interleave lines.
The file is never truncated or rewritten; a corrupt or torn line already in the file does not stop
new appends (the next record starts on its own line) and `read_audit` skips it.

What a record holds (README "Audit log"): timestamp, event, the question (as typed, or with
ASSISTANT_AUDIT_QUESTIONS=hmac only its HMAC-SHA256 keyed with a local secret file), the answer text, citations,
the dose check, the patient facts of the Patient model (corpus/patient_fields.toml), indication, route, and the
provenance of the answer: app version and hashes of the corpus, rules and index. No names or record numbers are
asked for; free text typed into a question is kept only in 'text' mode.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from assistant.errors import AssistantError
from assistant.types import Answer, DoseCheck, Patient

AuditEvent = Literal["answer", "feedback", "download", "dose_check", "cds_hooks", "search"]
# Every patient fact the checker reads (the Patient model), plus the indication and route chosen in the form.
PATIENT_FIELDS = (*Patient.model_fields, "indication", "route")
EVENTS = ("answer", "feedback", "download", "dose_check", "cds_hooks", "search")

_lock = threading.Lock()  # one process, many Streamlit sessions (threads); flock covers other processes


class AuditError(AssistantError, OSError):
    """The audit log could not be written; the message is one line."""


def patient_fields(patient: dict[str, Any] | None) -> dict[str, Any]:
    """Only the allowed, known patient facts (no identifiers ever reach the log)."""
    if not patient:
        return {}
    return {k: patient[k] for k in PATIENT_FIELDS if patient.get(k) is not None}


def load_secret(path: Path) -> bytes:
    """The HMAC key: 32 random bytes in a 0600 file, created on first use (never logged, never sent anywhere)."""
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) < 32:
            raise AuditError(f"audit secret {path} is shorter than 32 bytes; remove it to create a new one") from None
        return key
    except OSError as exc:
        raise AuditError(f"cannot create audit secret {path}: {exc.strerror or exc}") from None
    key = secrets.token_bytes(32)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


def question_hmac(question: str, key: bytes) -> str:
    """'hmac-sha256:<hex>' of the question as typed: equal questions match, the text cannot be read back."""
    return "hmac-sha256:" + hmac.new(key, question.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def keyed_id(value: str, key: bytes) -> str:
    """A patient or user identifier as its HMAC: the same person matches across lines, the id cannot be read back."""
    return question_hmac(value, key)


def _hide_questions(record: dict[str, Any], key: bytes) -> None:
    """Replace every question text in a record (and in a downloaded conversation) by its keyed hash."""
    if record.get("question") is not None:
        record["question"] = question_hmac(str(record["question"]), key)
    for turn in record.get("conversation") or []:
        if isinstance(turn, dict):
            if turn.get("question") is not None:
                turn["question"] = question_hmac(str(turn["question"]), key)
            turn.pop("understood", None)  # holds fragments of the question text


def make_record(
    event: AuditEvent,
    answer: Answer | None = None,
    question: str | None = None,
    patient: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    question_key: bytes | None = None,
    provenance: dict[str, str] | None = None,
    dose_check: DoseCheck | None = None,
) -> dict[str, Any]:
    """Build one audit record: timestamp, event, question (or its HMAC with `question_key`), answer text, citations,
    dose_check, patient and the provenance (app version, corpus/rules/index hashes)."""
    if event not in EVENTS:
        raise ValueError(f"unknown audit event {event!r}; expected one of {', '.join(EVENTS)}")
    record: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "event": event,
        "question": question if question is not None else (answer.question if answer else None),
        "answer": answer.text if answer else None,
        "refused": answer.refused if answer else None,
        "citations": [c.model_dump(mode="json") for c in answer.citations] if answer else [],
        "dose_check": _dose_check(answer.dose_check if answer else dose_check),
        "patient": patient_fields(patient),
    }
    record.update(provenance or {})
    for key, value in (extra or {}).items():
        if key not in record:  # extras never overwrite the fixed fields
            record[key] = json.loads(json.dumps(value, default=str)) if key == "conversation" else value
    if question_key is not None:
        _hide_questions(record, question_key)
    return record


def _dose_check(check: DoseCheck | None) -> dict[str, Any] | None:
    return check.model_dump(mode="json") if check is not None else None


def append_record(path: Path, record: dict[str, Any]) -> None:
    """Append one record as one line; never truncates. Raises AuditError with a one-line message."""
    # ASCII-only JSON: U+2028, NEL or a lone surrogate in a question can never split or break a line.
    data = (json.dumps(record, ensure_ascii=True, default=str, separators=(",", ":")) + "\n").encode("ascii")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with _lock, open(path, "a+b", buffering=0) as f:  # O_APPEND; readable to check the last byte
            fcntl.flock(f.fileno(), fcntl.LOCK_EX)
            try:
                # A torn last line (crash mid-write, manual edit) must not swallow this record.
                size = os.fstat(f.fileno()).st_size
                if size and os.pread(f.fileno(), 1, size - 1) != b"\n":
                    data = b"\n" + data
                written = f.write(data)
                while written is not None and written < len(data):  # a short write is rare but legal
                    written += f.write(data[written:])
                f.flush()
                os.fsync(f.fileno())
            finally:
                fcntl.flock(f.fileno(), fcntl.LOCK_UN)
    except OSError as exc:
        raise AuditError(f"cannot write audit log {path}: {exc.strerror or exc}") from None


def log_event(
    path: Path,
    event: AuditEvent,
    answer: Answer | None = None,
    question: str | None = None,
    patient: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    question_key: bytes | None = None,
    provenance: dict[str, str] | None = None,
    dose_check: DoseCheck | None = None,
) -> dict[str, Any]:
    """Build and append one record; returns what was written."""
    record = make_record(
        event,
        answer=answer,
        question=question,
        patient=patient,
        extra=extra,
        question_key=question_key,
        provenance=provenance,
        dose_check=dose_check,
    )
    append_record(path, record)
    return record


def read_audit(path: Path) -> tuple[list[dict[str, Any]], int]:
    """All readable records, and how many lines were corrupt (skipped)."""
    if not path.exists():
        return [], 0
    records: list[dict[str, Any]] = []
    bad = 0
    with open(path, "rb") as f:
        for raw in f:
            if not raw.strip():
                continue
            try:
                obj = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError):
                bad += 1
                continue
            if isinstance(obj, dict):
                records.append(obj)
            else:
                bad += 1
    return records, bad
