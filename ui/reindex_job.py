"""The chat's re-index as a background job: one per server, with progress, while every session keeps answering.

The job runs `Assistant.reindex_aside` in a thread: the new index is built in a copy of the store and swapped in
whole under the reply lock, so replies meanwhile come from the previous index. Pages poll the job to draw a
progress bar; a second click while it runs starts nothing.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant import one_line


@dataclass
class ReindexJob:
    """State shared by every session of the server; written by the job's thread, read by pages."""

    thread: threading.Thread | None = None
    embedded: int = 0
    to_embed: int = 0
    started: float = 0.0
    outcome: tuple[str | None, list[str]] | None = None  # (summary line, problems) once finished
    finished_runs: int = 0
    guard: threading.Lock = field(default_factory=threading.Lock)

    def running(self) -> bool:
        return self.thread is not None and self.thread.is_alive()

    def fraction(self) -> float:
        return min(1.0, self.embedded / self.to_embed) if self.to_embed else 0.0

    def status(self) -> str:
        elapsed = time.monotonic() - self.started
        if not self.to_embed:
            return f"Re-indexing: reading the corpus… {elapsed:.0f} s"
        return (
            f"Re-indexing: {self.embedded} of {self.to_embed} new chunks embedded ({elapsed:.0f} s). "
            "Answers come from the current index until the new one is ready."
        )

    def start(self, assistant: Any, reply_lock: threading.Lock, summary: Any, log: logging.Logger) -> bool:
        """Start a re-index unless one runs; `summary(result)` → (line, problems). False when one was running."""
        with self.guard:
            if self.running():
                return False
            self.embedded, self.to_embed, self.outcome = 0, 0, None
            self.started = time.monotonic()
            self.thread = threading.Thread(
                target=self._work, args=(assistant, reply_lock, summary, log), name="reindex", daemon=True
            )
            self.thread.start()
            return True

    def _progress(self, batches: Iterable[list]) -> Iterator[list]:
        pending = list(batches)
        self.to_embed = sum(len(b) for b in pending)
        for batch in pending:
            yield batch
            self.embedded += len(batch)

    def _work(self, assistant: Any, reply_lock: threading.Lock, summary: Any, log: logging.Logger) -> None:
        try:
            self.outcome = summary(assistant.reindex_aside(reply_lock, self._progress))
        except Exception as exc:  # the store, the corpus or the disk: one line on the page, details in the log
            log.exception("re-index failed")
            self.outcome = (None, [f"Re-index failed: {one_line(exc, with_type=True)}"])
        finally:
            self.finished_runs += 1
