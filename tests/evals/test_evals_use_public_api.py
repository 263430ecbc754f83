"""The evals use the public API only: `assistant` and `assistant.evaluation`, never another `assistant.<submodule>`.

Imports are read with `ast` (nothing is imported), at any depth: inside a function too, and `import_module` /
`__import__` calls with a literal name. A `from assistant import x` where `x` is a submodule counts as that submodule.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.evaluation import REPO_ROOT

EVALS = REPO_ROOT / "evals"
ALLOWED = {"assistant", "assistant.evaluation"}


def _is_module(name: str) -> bool:
    """True when the dotted name is a module or package of the repo (not a class or function of one)."""
    path = REPO_ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported_modules(source: str) -> list[tuple[int, str]]:
    """(line, module) for every module of the `assistant` package the source imports."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            # `from assistant import text` imports the submodule assistant.text
            found += [
                (node.lineno, f"{node.module}.{alias.name}")
                for alias in node.names
                if _is_module(f"{node.module}.{alias.name}")
            ]
        elif (
            isinstance(node, ast.Call)
            and (getattr(node.func, "attr", None) or getattr(node.func, "id", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            found.append((node.lineno, node.args[0].value))
    return [(line, name) for line, name in found if name == "assistant" or name.startswith("assistant.")]


def violations(source: str) -> list[str]:
    return [f"line {line}: {name}" for line, name in imported_modules(source) if name not in ALLOWED]


def _eval_files() -> list[Path]:
    return sorted(EVALS.rglob("*.py"))


def test_there_are_eval_modules_to_check():
    names = {p.name for p in _eval_files()}
    assert {"runner.py", "metrics.py", "score.py", "__main__.py"} <= names


@pytest.mark.parametrize("path", _eval_files(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_eval_module_imports_public_api_only(path: Path):
    bad = violations(path.read_text(encoding="utf-8"))
    assert not bad, (
        f"{path.relative_to(REPO_ROOT)} imports an assistant submodule other than assistant.evaluation "
        f"(use `assistant` or add the name to assistant/evaluation.py): {bad}"
    )


@pytest.mark.parametrize(
    "source",
    [
        "from assistant.types import Answer\n",
        "import assistant.pipeline\n",
        "import assistant.text.quantities as q\n",
        "def f():\n    from assistant.query.scope import decide\n",
        "from assistant import text\n",
        "import importlib\nimportlib.import_module('assistant.pipeline')\n",
        "__import__('assistant.settings')\n",
    ],
)
def test_the_check_catches_a_submodule_import(source: str):
    assert violations(source)


@pytest.mark.parametrize(
    "source",
    [
        "import assistant\n",
        "from assistant import Answer, Assistant\n",
        "from assistant.evaluation import extract, support_pool\n",
        "import assistant.evaluation as ev\n",
        "def f():\n    from assistant import Settings\n",
        "from evals.metrics import terms\nimport assistants_elsewhere\n",
        "from . import sibling\n",
    ],
)
def test_the_check_allows_the_public_api(source: str):
    assert violations(source) == []


def test_evaluation_exports_resolve():
    import assistant.evaluation as evaluation

    for name in evaluation.__all__:
        assert getattr(evaluation, name) is not None, name


def test_python_m_evals_help():
    """`python -m evals` (evals/__main__.py) starts and prints its options without loading a model."""
    done = subprocess.run(
        [sys.executable, "-m", "evals", "--help"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "--suite" in done.stdout and "--cases" in done.stdout
