"""One `Service` per server process: the loaded `Assistant`, the audit log and the lock replies run under.
The HTTP API, the CDS Hooks service and the MCP tools all call it, so there is one implementation of each act."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant import Assistant, DoseCheck, DoseRequest, Patient, Settings, Turn, audit, check_dose, document_summaries
from assistant.types import Answer, Hit


class Service:
    """Answers, dose checks, searches and the library listing, each audited as one line."""

    def __init__(self, settings: Settings, assistant: Assistant | None = None, llm: Any = None) -> None:
        """`llm`: the answer writer (a backend spec or a chat model); None: the assistant's default (settings.llm)."""
        self.settings = settings
        self.assistant = assistant or Assistant(settings)
        self.llm = llm
        self.lock = threading.Lock()  # the pipeline keeps per-reply state; one reply at a time per process
        self.id_key = audit.load_secret(settings.audit_secret_path)  # CDS Hooks patient/user ids: keyed hashes only
        self.question_key = self.id_key if settings.audit_questions == "hmac" else None
        self._file_hashes: dict[str, tuple[float, str]] = {}

    # -- acts ---------------------------------------------------------------------
    def ask(self, turns: list[str], patient: Patient, on_text: Callable[[str], None] | None = None) -> Answer:
        """The answer to the last turn of a conversation, as the chat gives it."""
        history = [Turn(role="user", content=t) for t in turns[:-1]]
        with self.lock:
            return self.assistant.reply(history, turns[-1], patient=patient, llm=self.llm, on_text=on_text)

    def check(self, request: DoseRequest) -> DoseCheck:
        """The dose checker on the rules the assistant loaded (validated against this library)."""
        return check_dose(request, rules=self.assistant.rules)

    def search(self, question: str, k: int) -> list[Hit]:
        with self.lock:
            return self.assistant.search(question)[:k]

    # -- audit --------------------------------------------------------------------
    def record(self, event: audit.AuditEvent, **fields: Any) -> None:
        """One audit line (the chat's log, HMAC option included); raises AuditError, so no answer leaves unaudited."""
        audit.log_event(
            self.settings.audit_path,
            event,
            question_key=self.question_key,
            provenance=self.assistant.provenance,
            **fields,
        )

    def hashed_id(self, value: str | None) -> str | None:
        return audit.keyed_id(value, self.id_key) if value else None

    # -- library ------------------------------------------------------------------
    def documents(self) -> list[dict[str, Any]]:
        """The library: each document with its drugs, file hash, and the review of the rules of its drugs."""
        rules = self.assistant.rules
        out = []
        for summary in document_summaries(self.assistant.collection):
            reviews = [
                {"drug": d, "reviewed_by": rules[d].reviewed_by, "reviewed_on": rules[d].reviewed_on}
                for d in summary.drugs
                if d in rules
            ]
            path = self.document_path(summary.doc_id)
            out.append(
                {
                    "doc_id": summary.doc_id,
                    "title": summary.title,
                    "drugs": summary.drugs,
                    "chunks": summary.chunks,
                    "source_date": summary.source_date,
                    "sha256": self._sha256(path) if path else None,
                    "rules": reviews,
                }
            )
        return out

    def document_path(self, doc_id: str) -> Path | None:
        """The file a document was indexed from, when it is still readable."""
        name = self.assistant.document_file(doc_id)
        if not name:
            return None
        path = Path(name) if Path(name).is_absolute() else self.settings.corpus_dir / name
        return path if path.is_file() else None

    def readiness(self) -> dict[str, Any]:
        status = self.assistant.corpus_status()
        return {
            "ready": bool(status.documents),
            "documents": len(status.documents),
            "rules": sorted(self.assistant.rules),
            "rules_refused": status.rules_refused,
            **self.assistant.provenance,
        }

    def _sha256(self, path: Path) -> str:
        mtime = path.stat().st_mtime
        cached = self._file_hashes.get(str(path))
        if cached is None or cached[0] != mtime:
            cached = (mtime, hashlib.sha256(path.read_bytes()).hexdigest())
            self._file_hashes[str(path)] = cached
        return cached[1]
