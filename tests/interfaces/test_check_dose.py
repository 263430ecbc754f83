"""check-dose command: JSON and text output, batch, input errors (exit 2, one line, no traceback)."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.dosing.check import check_dose
from assistant.dosing.request import DoseRequest
from assistant.interfaces.check_dose import (
    add_check_dose_arguments,
    format_text,
    parse_patient,
    run_check_dose,
)
from assistant.settings import REPO_ROOT
from assistant.types import DoseCheck

REPO = REPO_ROOT


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    add_check_dose_arguments(parser)
    code = run_check_dose(parser.parse_args(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_output_is_the_dose_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        [
            "--json",
            "--drug",
            "baclofen",
            "--dose",
            "40 mg/day",
            "--indication",
            "muscle_cramps",
            "--patient",
            "egfr=45",
            "age=70",
        ],
        capsys,
    )
    assert (code, err) == (0, "")
    got = DoseCheck.model_validate(json.loads(out))
    assert (got.verdict, got.hard_stop, got.daily_dose_mg) == ("above_max", True, 40)
    assert got.patient == {"egfr": 45.0, "age": 70.0}
    assert len(out.strip().splitlines()) == 1


def test_repeated_patient_flags_and_titration(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        [
            "--json",
            "--drug",
            "baclofen",
            "--dose",
            "20 mg/day",
            "--indication",
            "cramps",
            "--previous-dose",
            "10 mg/day",
            "--interval-days",
            "3",
            "--patient",
            "dialysis=false",
            "--patient",
            "sodium=130",
        ],
        capsys,
    )
    got = json.loads(out)
    assert (
        code == 0
        and got["verdict"] == "exceeds_titration_step"
        and got["patient"] == {"dialysis": False, "sodium": 130.0}
    )


def test_text_output_has_verdict_line_and_citations(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--drug", "baclofen", "--dose", "40 mg/day", "--indication", "muscle_cramps"], capsys)
    lines = out.splitlines()
    assert code == 0 and lines[0] == "ABOVE_MAX — HARD STOP: baclofen '40 mg/day', oral, muscle_cramps"
    assert "  read as: 40 mg/day; single dose not stated; doses/day not stated" in lines
    assert any(ln.startswith("      source: baclofen-muscle-cramps § Summary: ") for ln in lines)


def test_unable_to_check_is_exit_zero_with_reason(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--drug", "baclofen", "--dose", "10 mg"], capsys)
    assert code == 0 and out.startswith("UNABLE_TO_CHECK: ") and "  reason: dose not read: no frequency" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--patient", "height=170"],
            "error: unknown patient key 'height' (known: egfr, crcl, dialysis, cirrhosis, age, "
            "sodium, weight, aki, renal_impairment, pregnant, breastfeeding, age_group, child_pugh)",
        ),
        (["--patient", "egfr=abc"], "error: patient egfr must be a number, got 'abc'"),
        (["--patient", "egfr=-3"], "error: patient egfr -3 is outside the plausible range 0–200 mL/min/1.73m²"),
        (["--patient", "egfr=2_5"], "error: patient egfr must be a number, got '2_5'"),
        (["--patient", "sodium=1e6"], "error: patient sodium must be a number, got '1e6'"),
        (["--patient", "age=131"], "error: patient age 131 is outside the plausible range 0–130 years"),
        (["--patient", "dialysis=maybe"], "error: patient dialysis must be true or false, got 'maybe'"),
        (["--patient", "egfr"], "error: --patient expects KEY=VALUE, got 'egfr'"),
        (["--patient", "age=70", "age=71"], "error: patient key 'age' given twice"),
    ],
)
def test_bad_patient_is_exit_2_one_line(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["--drug", "baclofen", "--dose", "10 mg/day", *argv], capsys)
    assert (code, out, err) == (2, "", message + "\n")


def test_missing_drug_or_dose(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["--dose", "10 mg/day"], capsys)
    assert code == 2 and err == "error: check-dose needs --drug and --dose (or --batch FILE.jsonl)\n"


def test_parse_patient_values() -> None:
    assert parse_patient(["EGFR=45.5", "dialysis=yes", "cirrhosis=0"]) == {
        "egfr": 45.5,
        "dialysis": True,
        "cirrhosis": False,
    }


def test_batch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    lines = [
        {"id": "a", "drug": "baclofen", "dose": "10 mg/day", "indication": "muscle_cramps"},
        "not json",
        {"id": "b", "drug": "baclofen", "dose": "5 mg tid", "patient": {"egfr": "z"}},
        {"id": "c", "drug": "baclofen", "dose": "5 mg tid", "colour": "blue"},
        {"id": "d", "drug": "baclofen"},
        {
            "id": "e",
            "drug": "baclofen",
            "dose": "20 mg/day",
            "indication": "muscle_cramps",
            "route": "po",
            "previous_dose": "10 mg/day",
            "interval_days": 7,
            "patient": {"egfr": 90, "sodium": 135},
        },
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n", encoding="utf-8")
    code, out, err = run(["--batch", str(path)], capsys)
    rows = [json.loads(ln) for ln in out.splitlines()]
    assert code == 1 and err == ""
    assert [r["id"] for r in rows] == ["a", None, "b", "c", "d", "e"]
    assert rows[0]["verdict"] == "within_limits" and "error" not in rows[0]
    assert rows[1]["error"].startswith("not JSON")
    assert rows[2]["error"].startswith("patient egfr:")
    assert rows[3]["error"] == "unknown key(s): colour"
    assert rows[4]["error"] == "'dose' must be a string"
    assert (
        rows[5]["verdict"] == "within_limits"
        and rows[5]["route"] == "oral"
        and rows[5]["patient"] == {"egfr": 90.0, "sodium": 135.0}
    )


def test_batch_all_good_is_exit_0_and_missing_file_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "ok.jsonl"
    path.write_text(json.dumps({"id": 1, "drug": "baclofen", "dose": "90 mg/day"}) + "\n", encoding="utf-8")
    code, out, _ = run(["--batch", str(path)], capsys)
    assert code == 0 and json.loads(out)["verdict"] == "above_max"
    code, out, err = run(["--batch", str(tmp_path / "missing.jsonl")], capsys)
    assert code == 2 and out == "" and err.startswith("error: batch file not found: ")


def test_format_text_unable() -> None:
    text = format_text(check_dose(DoseRequest(drug="baclofen", dose="50 mcg/day", route="intrathecal")))
    assert text.splitlines()[0] == "UNABLE_TO_CHECK: baclofen '50 mcg/day', intrathecal, no indication given"


# ---------------------------------------------------------------- as a process


def subprocess_run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "assistant", "check-dose", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=60,
    )


def test_module_prints_json_fast() -> None:
    proc = subprocess_run(
        ["--json", "--drug", "baclofen", "--dose", "5 mg three times daily", "--indication", "spasticity"]
    )
    assert proc.returncode == 0 and proc.stderr == ""
    got = json.loads(proc.stdout)
    assert (got["verdict"], got["daily_dose_mg"], got["single_dose_mg"], got["doses_per_day"]) == (
        "within_limits",
        15.0,
        5.0,
        3.0,
    )
    check = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, assistant.interfaces.check_dose, assistant.interfaces.cli; "
            "print(sorted(m for m in ('torch', 'sentence_transformers', 'chromadb', 'langchain_core') "
            "if m in sys.modules))",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert check.stdout.strip() == "[]"


def test_module_broken_rules_are_refused_in_one_line_and_the_dose_is_not_checked(tmp_path: Path) -> None:
    (tmp_path / "baclofen.toml").write_text('drug = "baclofen"\nsurprise = 1\n', encoding="utf-8")
    env = {"ASSISTANT_RULES_DIR": str(tmp_path)}
    proc = subprocess_run(["--json", "--drug", "baclofen", "--dose", "10 mg/day"], env=env)
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert proc.stderr.startswith("warning: rules refused: baclofen.toml: ") and len(proc.stderr.splitlines()) == 1
    assert "surprise: Extra inputs are not permitted" in proc.stderr
    out = json.loads(proc.stdout)
    assert out["verdict"] == "unable_to_check" and out["reason"].startswith("rules for baclofen refused: baclofen.toml")


def test_rules_dir_option_wins_over_the_environment(tmp_path: Path) -> None:
    text = (REPO / "corpus/rules/baclofen.toml").read_text(encoding="utf-8")
    (tmp_path / "baclofen.toml").write_text(text.replace("value = 65\n", "value = 60\n"), encoding="utf-8")
    args = ["--json", "--drug", "baclofen", "--dose", "15 mg tid", "--indication", "spasticity", "--patient", "age=62"]
    assert json.loads(subprocess_run(args).stdout)["verdict"] == "within_limits"
    proc = subprocess_run([*args, "--rules-dir", str(tmp_path)], env={"ASSISTANT_RULES_DIR": str(REPO / "nowhere")})
    assert proc.returncode == 0 and json.loads(proc.stdout)["verdict"] == "caution"


def test_module_bad_patient_no_traceback() -> None:
    proc = subprocess_run(["--drug", "baclofen", "--dose", "10 mg/day", "--patient", "egfr=high"])
    assert (proc.returncode, proc.stdout, proc.stderr) == (2, "", "error: patient egfr must be a number, got 'high'\n")


def test_check_dose_cli_and_batch_take_starting() -> None:
    args = ["--json", "--drug", "baclofen", "--dose", "30 mg/day", "--indication", "muscle_cramps", "--starting"]
    proc = subprocess_run(args)
    assert proc.returncode == 0 and json.loads(proc.stdout)["verdict"] == "exceeds_titration_step"
    lines = [
        {"id": 1, "drug": "baclofen", "dose": "30 mg/day", "indication": "muscle_cramps", "starting": True},
        {"id": 2, "drug": "baclofen", "dose": "30 mg/day", "indication": "muscle_cramps", "starting": False},
        {"id": 3, "drug": "baclofen", "dose": "30 mg/day", "starting": "yes"},
    ]
    proc = subprocess.run(
        [sys.executable, "-m", "assistant", "check-dose", "--batch", "-"],
        input="\n".join(json.dumps(x) for x in lines) + "\n",
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    out = [json.loads(x) for x in proc.stdout.splitlines()]
    assert [o.get("verdict") for o in out] == ["exceeds_titration_step", "within_limits", None]
    assert out[2] == {"id": 3, "error": "'starting' must be true, false or null"}
