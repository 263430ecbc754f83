"""`ingest --rebuild` and the chat's background re-index: fill a fresh store, then swap it in atomically.

The embedded store folder `<data_dir>/chroma` is a symlink to a versioned folder `chroma-<stamp>`; a new version is
filled and the symlink replaced with one `rename`, so a reader sees the old index or the new one, never half of
either. A rebuild embeds everything again; a staged re-index copies the live version and updates the copy
incrementally, so only changed text is embedded and readers keep the old index meanwhile. The previous version is
kept (a running app may still read it); older ones are removed. The audit log is not in these folders, so neither
touches it.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

from assistant.index.ingest import IngestResult, index_corpus, ingest, unchanged_since_last_ingest
from assistant.index.lock import ingest_lock
from assistant.index.store import EmbedFn, StoreError, open_collection
from assistant.settings import Settings

VERSION_PREFIX = "chroma-"


def rebuild(
    settings: Settings, embed: EmbedFn | None = None, progress: Callable[[Iterable], Iterable] = iter
) -> IngestResult:
    """Index the whole corpus into a new store folder and make it the live one."""
    if settings.chroma_url:
        raise StoreError(
            f"--rebuild swaps the embedded store; for the server at {settings.chroma_url} stop it, "
            "move its --path aside and run ingest again"
        )
    with ingest_lock(settings.data_dir, settings.ingest_lock_wait):
        return _rebuild_locked(settings, embed, progress)


def staged_reindex(
    settings: Settings, embed: EmbedFn | None, progress: Callable[[Iterable], Iterable], live_collection
) -> tuple[IngestResult, Path | None]:
    """Re-index without touching the store readers use: copy it, update the copy, swap it in. Returns the result and
    the new store folder (None when nothing changed, or for a Chroma server, which is updated in place)."""
    if settings.chroma_url:
        return ingest(settings, embed, progress, collection=live_collection), None
    with ingest_lock(settings.data_dir, settings.ingest_lock_wait):
        if (same := unchanged_since_last_ingest(settings, live_collection)) is not None:
            return same, None
        live = settings.chroma_path.resolve() if settings.chroma_path.exists() else None
        result = _rebuild_locked(settings, embed, progress, copy_of=live)
        return result, settings.chroma_path.resolve()


def _rebuild_locked(
    settings: Settings,
    embed: EmbedFn | None,
    progress: Callable[[Iterable], Iterable],
    copy_of: Path | None = None,
) -> IngestResult:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    fresh = settings.data_dir / f"{VERSION_PREFIX}{stamp}-{os.getpid()}"
    try:
        if copy_of is not None:
            shutil.copytree(copy_of, fresh)
        result = index_corpus(settings, embed, progress, collection=open_collection(settings, path=fresh))
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)  # a failed rebuild leaves the live store as it was
        raise
    swap_in(settings.chroma_path, fresh)
    return result


def swap_in(live: Path, fresh: Path) -> None:
    """Point `live` at `fresh` with one atomic rename; keep the version it pointed to, remove older ones."""
    previous = live.resolve() if live.is_symlink() else None
    if live.exists() and not live.is_symlink():  # a store from before versioned folders: keep it as the previous
        previous = live.with_name(f"{VERSION_PREFIX}legacy-{os.getpid()}")
        live.rename(previous)
    staged = live.with_name(f".{live.name}.swap-{os.getpid()}")
    staged.unlink(missing_ok=True)
    staged.symlink_to(fresh.name)
    os.replace(staged, live)
    keep = {fresh.resolve(), previous.resolve() if previous else None}
    for old in live.parent.glob(f"{VERSION_PREFIX}*"):
        if old.is_dir() and old.resolve() not in keep:
            shutil.rmtree(old, ignore_errors=True)
