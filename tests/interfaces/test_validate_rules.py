"""`python -m assistant validate-rules`: one line per problem, so a pharmacist can author a rules file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from assistant.settings import REPO_ROOT

RULES = REPO_ROOT / "corpus" / "rules" / "baclofen.toml"


def run(args: list[str], tmp_path: Path, extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), **(extra_env or {})}
    return subprocess.run(
        [sys.executable, "-m", "assistant", "validate-rules", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )


def test_shipped_rules_are_clean(tmp_path: Path) -> None:
    out = run([], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip().endswith("reviewed by " + out.stdout.split("reviewed by ")[1].strip())
    assert ": ok — 2 rule(s)" in out.stdout


def test_every_problem_on_its_own_line(tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8")
    text = text.replace("[rules.max_daily_mg]\nvalue = 30\n", "[rules.max_daily_mg]\nvalue = 300\n", 1)
    text = text.replace('section = "Monitoring and Precautions"', 'section = "Monitoring"', 1)
    text = text.replace("During the first month", "During the first week")
    bad = tmp_path / "baclofen.toml"
    bad.write_text(text, encoding="utf-8")
    out = run([str(bad)], tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    lines = out.stdout.strip().splitlines()
    assert all(line.startswith(f"{bad}: ") for line in lines)
    assert any("max_daily_mg: the quote does not state 300" in line for line in lines)
    assert any("no section 'Monitoring' in baclofen-muscle-cramps" in line for line in lines)
    assert any("monitoring[0]: quote not found under 'Monitoring and Precautions'" in line for line in lines)
    assert len(lines) == 3


def test_unknown_field_says_the_schema_cannot_express_it(tmp_path: Path) -> None:
    text = RULES.read_text(encoding="utf-8").replace(
        'indication = "spasticity"\n', 'indication = "spasticity"\nloading_dose_mg = 5\n'
    )
    bad = tmp_path / "baclofen.toml"
    bad.write_text(text, encoding="utf-8")
    out = run([str(bad), str(tmp_path / "nope.toml")], tmp_path)
    assert out.returncode == 1
    assert "the rules schema cannot express 'loading_dose_mg'" in out.stdout
    assert f"{tmp_path / 'nope.toml'}: no such file" in out.stdout


def test_a_rule_citing_a_superseded_document_is_reported(tmp_path: Path) -> None:
    import shutil

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    doc = corpus / "baclofen-spasticity.md"
    doc.write_text(
        doc.read_text(encoding="utf-8").replace("---\n", "---\nsuperseded_by: baclofen-spasticity-2027\n", 1),
        encoding="utf-8",
    )
    env = {**os.environ, "ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIR": str(corpus)}
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "validate-rules", str(RULES)],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 1
    assert "'baclofen-spasticity' is superseded by 'baclofen-spasticity-2027'; cite the newer document" in out.stdout
    assert "baclofen-muscle-cramps' is superseded" not in out.stdout


def test_the_rules_folder_follows_the_corpus_folder_and_is_named(tmp_path: Path) -> None:
    import shutil

    corpus = tmp_path / "library"
    shutil.copytree(REPO_ROOT / "corpus", corpus)
    (corpus / "rules" / "baclofen.toml").write_text(
        RULES.read_text(encoding="utf-8").replace(
            "[rules.max_daily_mg]\nvalue = 30\n", "[rules.max_daily_mg]\nvalue = 300\n", 1
        ),
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if k != "ASSISTANT_RULES_DIR"}
    env |= {"ASSISTANT_DATA_DIR": str(tmp_path / "data"), "ASSISTANT_CORPUS_DIR": str(corpus)}
    out = subprocess.run(
        [sys.executable, "-m", "assistant", "validate-rules"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO_ROOT,
        timeout=120,
        check=False,
    )
    assert out.returncode == 1, out.stdout + out.stderr  # the other library's rules, not the shipped ones
    assert f"validating baclofen.toml in {corpus / 'rules'} against the library of {corpus}" in out.stderr
    assert "max_daily_mg: the quote does not state 300" in out.stdout
