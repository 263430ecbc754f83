"""Small code: no module of the package over 300 lines; no function of the dose checker or the LLM path takes
more than 6 parameters or runs longer than 60 lines.

Read with `ast` (nothing is imported). Parameters count every positional, keyword-only, *args and **kwargs
parameter; a method's `self` or `cls` is not counted. Length runs from the `def` line (decorators included) to
the function's last line. What one turn needs travels as one typed context (`assistant.llm.request.LLMRequest`)
instead of a dozen parameters, so that no caller can pass two different rule sets.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.settings import REPO_ROOT

MAX_PARAMETERS = 6
MAX_LINES = 60
SCOPE = ["assistant/llm", "assistant/dosing"]  # folders walked for functions, relative to the repository root
MAX_MODULE_LINES = 300


def _functions(tree: ast.AST) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
    """Every function of the tree, with whether it is a method (defined directly in a class body)."""

    def visit(node: ast.AST, in_class: bool) -> Iterator[tuple[ast.FunctionDef | ast.AsyncFunctionDef, bool]]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                yield child, in_class
                yield from visit(child, False)
            else:
                yield from visit(child, isinstance(child, ast.ClassDef))

    yield from visit(tree, False)


def parameter_count(func: ast.FunctionDef | ast.AsyncFunctionDef, method: bool) -> int:
    args = func.args
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    names += [a.arg for a in (args.vararg, args.kwarg) if a is not None]
    static = any(isinstance(d, ast.Name) and d.id == "staticmethod" for d in func.decorator_list)
    if method and not static and names and names[0] in ("self", "cls"):
        names = names[1:]
    return len(names)


def line_count(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    first = min([func.lineno, *(d.lineno for d in func.decorator_list)])
    return (func.end_lineno or func.lineno) - first + 1


def _files() -> list[Path]:
    return sorted(p for folder in SCOPE for p in (REPO_ROOT / folder).rglob("*.py"))


def _where(path: Path, func: ast.FunctionDef | ast.AsyncFunctionDef) -> str:
    return f"{path.relative_to(REPO_ROOT)}:{func.lineno} {func.name}"


@pytest.mark.parametrize(
    "path", sorted((REPO_ROOT / "assistant").rglob("*.py")), ids=lambda p: str(p.relative_to(REPO_ROOT))
)
def test_no_module_is_over_300_lines(path: Path):
    lines = path.read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_MODULE_LINES, f"{path.relative_to(REPO_ROOT)} has {lines} lines"


def test_scope_has_files():
    assert _files(), f"no Python file under {SCOPE}"


@pytest.mark.parametrize("path", _files(), ids=lambda p: str(p.relative_to(REPO_ROOT)))
def test_no_function_is_too_wide_or_too_long(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    problems = []
    for func, method in _functions(tree):
        if (n := parameter_count(func, method)) > MAX_PARAMETERS:
            problems.append(f"{_where(path, func)} takes {n} parameters (at most {MAX_PARAMETERS})")
        if (n := line_count(func)) > MAX_LINES:
            problems.append(f"{_where(path, func)} is {n} lines long (at most {MAX_LINES})")
    assert problems == []


def test_the_checks_count_as_documented():
    source = (
        "class A:\n"
        "    def m(self, a, b, c, d, e, f): pass\n"
        "    @staticmethod\n"
        "    def s(a, b, c, d, e, f, g): pass\n"
        "def f(a, /, b, *args, c, **kw): pass\n"
        "def g(self, a): pass\n"
    )
    found = {func.name: parameter_count(func, method) for func, method in _functions(ast.parse(source))}
    assert found == {"m": 6, "s": 7, "f": 5, "g": 2}
    [long] = [f for f, _ in _functions(ast.parse("def f():\n" + "    x = 1\n" * 60))]
    assert line_count(long) == 61
