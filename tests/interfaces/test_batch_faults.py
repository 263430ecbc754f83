"""Batch never loses a line: hostile input gives exactly one output line per input line, in order (issue 13)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.interfaces.check_dose import InputError, parse_patient
from assistant.interfaces.jsonl import dumps_line, numbered_lines, parse_record
from assistant.settings import REPO_ROOT

GOOD_DOSE = {"drug": "baclofen", "dose": "10 mg/day", "indication": "muscle_cramps"}


def _line(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


# (raw line, expected id, substring of the error or None when the line must be answered)
DOSE_LINES: list[tuple[bytes, object, str | None]] = [
    (_line({"id": "ok", **GOOD_DOSE}), "ok", None),
    (b'{"id": "surrogate", "drug": "baclofen\\ud800", "dose": "10 mg/day"}', "surrogate", "unpaired surrogate"),
    (b'{"id": "latin1", "drug": "baclof\xe9n", "dose": "10 mg/day"}', None, "not UTF-8"),
    (b"[" * 100_000, None, "nested too deeply"),
    (b'{"id": "dup", "drug": "baclofen", "drug": "x", "dose": "10 mg/day"}', None, "duplicate key 'drug'"),
    (_line({"id": "bool", **GOOD_DOSE, "patient": {"egfr": True}}), "bool", "patient egfr"),
    (
        _line({"id": "egfr300", **GOOD_DOSE, "patient": {"egfr": 300}}),
        "egfr300",
        "egfr 300 is outside the plausible range 0–200",
    ),
    (
        _line({"id": "age", **GOOD_DOSE, "patient": {"age": 1e9}}),
        "age",
        "age 1e+09 is outside the plausible range 0–130",
    ),
    (
        _line({"id": "na", **GOOD_DOSE, "patient": {"sodium": 1e6}}),
        "na",
        "sodium 1e+06 is outside the plausible range 90–200",
    ),
    (b'{"id": "nan", "drug": "baclofen", "dose": "10 mg/day", "patient": {"egfr": NaN}}', "nan", "egfr"),
    (_line({"id": "ls", **GOOD_DOSE, "dose": "10 mg/day\u2028then\u0085more"}), "ls", None),
    (b'{"id": "cr",\r "drug": "baclofen", "dose": "10 mg/day"}', "cr", None),
    (_line({"id": "ok2", **GOOD_DOSE}), "ok2", None),
]


def _check(rows: list[dict], expected: list[tuple[bytes, object, str | None]]) -> None:
    assert len(rows) == len(expected)
    for row, (_raw, ident, error) in zip(rows, expected, strict=False):
        assert row["id"] == ident, row
        if error is None:
            assert "error" not in row, row
        else:
            assert error in row["error"], row


def _read_back(stdout: bytes) -> list[dict]:
    """Output must be re-readable by the same reader: no U+2028/U+2029/U+0085 or surrogates split a record."""
    for bad in ("\u2028", "\u2029", "\u0085"):
        assert bad.encode("utf-8") not in stdout
    return [parse_record(raw) for _n, raw in numbered_lines(__import__("io").BytesIO(stdout))]


def _cli(args: list[str], stdin: bytes | None = None, env: dict | None = None, shell: str | None = None):
    command = [sys.executable, "-m", "assistant", *args]
    if shell:
        command = ["bash", "-c", shell.format(py=sys.executable)]
    return subprocess.run(
        command,
        check=False,
        input=stdin,
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=600,
        env={**os.environ, "HF_HUB_OFFLINE": "1", **(env or {})},
    )


def test_check_dose_batch_one_line_out_per_line_in_from_stdin():
    out = _cli(["check-dose", "--batch", "-"], stdin=b"\n".join(raw for raw, _, _ in DOSE_LINES) + b"\n")
    assert out.returncode == 1 and b"Traceback" not in out.stderr
    rows = _read_back(out.stdout)
    _check(rows, DOSE_LINES)
    assert rows[10]["dose"] == "10 mg/day\u2028then\u0085more"  # read back to the same text


def test_check_dose_batch_reads_a_pipe_from_process_substitution(tmp_path: Path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(_line({"id": 1, **GOOD_DOSE}) + b"\n")
    out = _cli([], shell=f"{{py}} -m assistant check-dose --batch <(cat {path})")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["verdict"] == "within_limits"


@pytest.mark.parametrize("value", ["2_5", "1e9", "nan", "inf", "true", "٣٠"])
def test_patient_number_is_plain_decimal(value: str):
    with pytest.raises(InputError, match="egfr must be a number"):
        parse_patient([f"egfr={value}"])


def test_output_escapes_line_separators_and_surrogates():
    line = dumps_line({"id": "\ud800", "text": "a\u2028b\u2029c\u0085d"})
    assert "\n" not in line and line.encode("utf-8")
    assert json.loads(line) == {"id": "\ud800", "text": "a\u2028b\u2029c\u0085d"}


ASK_LINES: list[tuple[bytes, object, str | None]] = [
    (_line({"id": "q1", "question": "What is the maximum daily dose of baclofen for muscle cramps?"}), "q1", None),
    (_line({"id": "obj", "turns": {"a": "max dose?"}}), "obj", "'turns' must be a non-empty list"),
    (_line({"id": "str", "turns": "max dose?"}), "str", "'turns' must be a non-empty list"),
    (_line({"id": "both", "question": "max dose?", "turns": ["max dose?"]}), "both", "not both"),
    (b'{"id": "dup", "question": "a", "question": "b"}', None, "duplicate key 'question'"),
    (b'{"id": "sur", "question": "max dose \\udc00 of baclofen?"}', "sur", "unpaired surrogate"),
    (b'{"id": "bin", "question": "max \xff dose"}', None, "not UTF-8"),
    (b"[" * 100_000, None, "nested too deeply"),
    (
        _line({"id": "bool", "question": "Is 10 mg/day baclofen OK for cramps?", "patient": {"egfr": True}}),
        "bool",
        "patient egfr",
    ),
    (
        _line({"id": "egfr", "question": "Is 10 mg/day baclofen OK for cramps?", "patient": {"egfr": 300}}),
        "egfr",
        "plausible range 0–200",
    ),
    (_line({"id": "list", "question": "max dose?", "patient": ["egfr", 30]}), "list", "'patient' must be an object"),
    (
        _line({"id": "ls", "question": "What is the maximum daily dose \u2028 of baclofen for \u0085 muscle cramps?"}),
        "ls",
        None,
    ),
    (_line({"id": "q2", "turns": ["What is the max dose for cramps?", "and if the eGFR is 45?"]}), "q2", None),
]


@pytest.mark.slow
def test_ask_batch_one_line_out_per_line_in_from_process_substitution(tmp_path: Path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join(raw for raw, _, _ in ASK_LINES) + b"\n")
    out = _cli([], shell=f"{{py}} -m assistant batch <(cat {path})", env={"ASSISTANT_DATA_DIR": str(tmp_path / "d")})
    assert out.returncode == 1 and b"Traceback" not in out.stderr, out.stderr[-2000:]
    rows = _read_back(out.stdout)
    _check(rows, ASK_LINES)
    assert rows[-2]["question"].count("\u2028") == 1 and rows[-2]["refused"] is False
    summary = out.stderr.decode().strip().splitlines()[-1]
    assert summary == f"batch: {len(ASK_LINES)} line(s), 3 answered, {len(ASK_LINES) - 3} error(s)"


@pytest.mark.slow
def test_thousand_turn_conversation_is_answered(assistant):
    from assistant.pipeline import Turn

    first = Turn(role="user", content="What is the maximum daily dose of baclofen for muscle cramps?")
    history = [first] + [Turn(role="user", content="and what about that?") for _ in range(998)]
    answer = assistant.reply(history, "and if the eGFR is 45?")  # every turn a follow-up: the reader looks back
    assert answer.refused is False and "eGFR 30-60" in answer.text
