"""One ingest at a time per data dir: a lock file holding the owner's PID; a lock whose PID is gone is stale.

Two ingests started together would both embed and add the same new chunks; with the lock the second waits, then
finds nothing left to do. A lock left by a crashed (killed) ingest names a PID that no longer runs, so it is cleared.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from assistant.index.store import StoreError

LOCK_NAME = "ingest.lock"


class IngestBusy(StoreError):
    """Another ingest still holds the lock after the wait; the message is one line."""


def _owner(lock: Path) -> int | None:
    try:
        return int(lock.read_text(encoding="ascii").strip() or "0") or None
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


@contextmanager
def ingest_lock(data_dir: Path, wait: float, poll: float = 0.2) -> Iterator[None]:
    """Hold the data dir's ingest lock; wait up to `wait` seconds for a live owner; clear a stale one."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = data_dir / LOCK_NAME
    deadline = time.monotonic() + wait
    while True:
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            break
        except FileExistsError:
            owner = _owner(lock)
            if owner is None or not _alive(owner):
                _clear_stale(lock, owner)
                continue
            if time.monotonic() >= deadline:
                raise IngestBusy(
                    f"another ingest (pid {owner}) is running on {data_dir}; try again when it finishes (lock: {lock})"
                ) from None
            time.sleep(poll)
        except OSError as exc:
            raise StoreError(f"cannot create the ingest lock {lock}: {exc.strerror or exc}") from None
    try:
        os.write(fd, str(os.getpid()).encode("ascii"))
        os.close(fd)
        yield
    finally:
        if _owner(lock) == os.getpid():
            lock.unlink(missing_ok=True)


def _clear_stale(lock: Path, owner: int | None) -> None:
    """Remove a lock whose owner is gone, unless another process replaced it meanwhile."""
    if owner is None:
        # Just created by a live process that has not written its PID yet, or truly empty: give it a moment.
        time.sleep(0.05)
        if _owner(lock) is not None:
            return
    if _owner(lock) == owner:
        lock.unlink(missing_ok=True)
