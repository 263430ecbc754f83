"""The chat page uses the public API only: every module under ui/ imports from `assistant`, never from a submodule.

Imports are read with `ast` (nothing under ui/ is imported), including those inside functions and `if TYPE_CHECKING:`
blocks. The public names themselves must all resolve, so `from assistant import X` cannot fail at run time.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import assistant

REPO = Path(__file__).resolve().parents[2]
UI = REPO / "ui"
UI_FILES = sorted(UI.rglob("*.py"))


def private_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of every import of `assistant.<anything>` in the source, as an import or a from-import."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("assistant.")]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("assistant."):
                found.append((node.lineno, node.module))
    return found


def test_ui_has_modules_to_check():
    assert UI / "app.py" in UI_FILES and UI / "sidebar.py" in UI_FILES


@pytest.mark.parametrize("path", UI_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_ui_imports_only_the_public_api(path: Path):
    bad = ", ".join(f"line {line}: {module}" for line, module in private_imports(path.read_text(encoding="utf-8")))
    assert not bad, f"{path.relative_to(REPO)} imports assistant's submodules (use `from assistant import …`): {bad}"


@pytest.mark.parametrize(
    "source",
    [
        "import assistant.types",
        "import assistant.types as t",
        "import os, assistant.errors",
        "from assistant.types import Patient",
        "from assistant.interfaces import audit",
        "def f():\n    from assistant.pipeline import Assistant",
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from assistant.types import Answer",
    ],
)
def test_the_check_catches_every_form_of_private_import(source: str):
    assert private_imports(source)


@pytest.mark.parametrize(
    "source",
    ["import assistant", "from assistant import Patient, audit", "import assistants.x", "from . import assistant"],
)
def test_the_check_allows_the_public_api(source: str):
    assert private_imports(source) == []


def test_every_public_name_resolves():
    assert assistant.__all__, "assistant.__all__ is empty"
    missing = []
    for name in assistant.__all__:
        try:
            getattr(assistant, name)
        except AttributeError as exc:  # a wrong home in _HOMES/_MODULES, or a name its home does not define
            missing.append(f"{name}: {exc}")
    assert not missing, missing


def test_every_name_the_ui_imports_is_public():
    """`from assistant import X` in ui/ names only exported names (a typo would fail only when that line runs)."""
    public = set(assistant.__all__)
    used = {
        (path.relative_to(REPO).as_posix(), alias.name)
        for path in UI_FILES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module == "assistant"
        for alias in node.names
    }
    assert used, "ui/ imports nothing from assistant"
    assert sorted(u for u in used if u[1] not in public) == []
