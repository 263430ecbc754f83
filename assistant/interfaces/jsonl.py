"""JSON Lines in and out for the batch commands: one record per `\\n`-terminated line, whatever the bytes hold.

Lines are split on b"\\n" only (U+2028, U+0085 or a lone \\r inside a question never split a record), each line is
decoded on its own (a non-UTF-8 line is that line's error, not the file's), and every output line is plain
`\\n`-free JSON that the same reader reads back.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, TextIO

# Inside JSON these can only occur in strings, so escaping them keeps the object equal and the line unsplittable
# by readers that treat them as line breaks; a lone surrogate cannot be written as UTF-8 at all.
_UNSAFE_IN_OUTPUT = re.compile("[\u0085\u2028\u2029\ud800-\udfff]")


class LineError(ValueError):
    """One input line that cannot be used; the message is one line and names what is wrong."""

    def __init__(self, message: str, record_id: Any = None) -> None:
        super().__init__(message)
        self.record_id = record_id


@contextmanager
def open_input(path: str) -> Iterator[BinaryIO]:
    """The batch input as bytes: '-' is stdin; pipes and process substitution (/dev/fd/N) are files too."""
    if path == "-":
        yield sys.stdin.buffer
        return
    file = Path(path)
    if not file.exists():
        raise FileNotFoundError(f"no such file: {path}")
    if file.is_dir():
        raise FileNotFoundError(f"is a directory, not a JSONL file: {path}")
    with file.open("rb") as stream:
        yield stream


def numbered_lines(stream: BinaryIO) -> Iterator[tuple[int, bytes]]:
    """(1-based line number, raw bytes without the line end), read as it arrives (a pipe is answered line by line)."""
    for number, raw in enumerate(stream, start=1):  # binary iteration splits on b"\n" only
        yield number, raw.rstrip(b"\r\n")


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise LineError(f"duplicate key '{_printable(key)}'")
        out[key] = value
    return out


def _printable(text: str) -> str:
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def parse_record(raw: bytes) -> dict[str, Any]:
    """One line → a JSON object; LineError (with the id when it could be read) for anything else."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LineError(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        record = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise LineError("JSON nested too deeply") from None
    if not isinstance(record, dict):
        raise LineError("each line must be a JSON object")
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise LineError(
            "text holds an unpaired surrogate (e.g. \\ud800), which is not a character", record.get("id")
        ) from None
    except RecursionError:
        raise LineError("JSON nested too deeply") from None
    return record


def dumps_line(obj: dict[str, Any]) -> str:
    """One JSON line (no trailing newline) that is valid UTF-8 and holds no character a reader could split on."""
    text = json.dumps(obj, ensure_ascii=False)
    return _UNSAFE_IN_OUTPUT.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write_line(out: TextIO, obj: dict[str, Any]) -> None:
    """Write and flush one record, so a reader downstream of a pipe sees it at once."""
    out.write(dumps_line(obj) + "\n")
    out.flush()
