"""Typo candidates without a scan of the vocabulary: a symmetric-delete index (SymSpell's idea) in SQLite.

Every corpus word that can be within `MAX_DISTANCE` edits of a `MIN_LENGTH`-letter word is stored under each
string made by deleting up to `MAX_DISTANCE` of its letters. Two words within Levenshtein distance d share such a
string (each with at most d deletions), so the words stored under a misspelling's own deletions are a superset of
its corrections; the caller ranks them by true distance. Written at ingest into the lexical index folder and opened
read-only at start-up (no load, no build).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from itertools import combinations
from pathlib import Path

MIN_LENGTH = 5  # shorter words are never corrected
MAX_DISTANCE = 2
MAX_LENGTH = 40  # longer "words" (pasted ids, gibberish) are not corrected: their deletions would be too many
_SCHEMA = "CREATE TABLE deletes (variant TEXT NOT NULL, word TEXT NOT NULL, PRIMARY KEY (variant, word)) WITHOUT ROWID"


def deletions(word: str, distance: int) -> set[str]:
    """The word and every string made by deleting 1..distance of its letters."""
    out = {word}
    for n in range(1, min(distance, len(word) - 1) + 1):
        out |= {"".join(c for i, c in enumerate(word) if i not in drop) for drop in combinations(range(len(word)), n)}
    return out


def _rows(words: Iterable[str]) -> Iterable[tuple[str, str]]:
    for word in words:
        if len(word) >= MIN_LENGTH - MAX_DISTANCE:
            for variant in deletions(word, MAX_DISTANCE):
                yield variant, word


class TypoIndex:
    """Which corpus words might be a misspelt word's intended word (at most `MAX_DISTANCE` edits away)."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._db = connection

    @classmethod
    def write(cls, words: Iterable[str], path: Path) -> None:
        """Store the index of `words` in a new file at `path`."""
        path.unlink(missing_ok=True)
        db = sqlite3.connect(path)
        try:
            cls._fill(db, words)
        finally:
            db.close()

    @classmethod
    def open(cls, path: Path) -> TypoIndex:
        """The index written at `path`, read-only (the file is never changed after ingest: a new index is a new
        folder), so a read-only data dir works and several workers share it."""
        uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1"
        return cls(sqlite3.connect(uri, uri=True, check_same_thread=False))

    @classmethod
    def in_memory(cls, words: Iterable[str]) -> TypoIndex:
        """An index built now (for an index loaded without its file, and for tests)."""
        db = sqlite3.connect(":memory:", check_same_thread=False)
        cls._fill(db, words)
        return cls(db)

    @staticmethod
    def _fill(db: sqlite3.Connection, words: Iterable[str]) -> None:
        db.execute(_SCHEMA)
        db.executemany("INSERT OR IGNORE INTO deletes VALUES (?, ?)", _rows(sorted(set(words))))
        db.commit()

    def candidates(self, word: str, distance: int) -> set[str]:
        """Corpus words that may be within `distance` (≤ MAX_DISTANCE) edits of `word`; verify with a real distance."""
        if len(word) > MAX_LENGTH:
            return set()
        variants = sorted(deletions(word, min(distance, MAX_DISTANCE)))
        marks = ",".join("?" * len(variants))
        rows = self._db.execute(f"SELECT DISTINCT word FROM deletes WHERE variant IN ({marks})", variants)  # noqa: S608
        return {w for (w,) in rows}
