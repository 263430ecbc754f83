"""Arrows point down only: interfaces → pipeline → stages → text/types/settings/errors; evals and ui on top.

Imports are read with `ast` (nothing is imported). A module may import its own stage and any stage below it;
`assistant` never imports `evals` or `ui`, not even inside a
function (the evals register their `eval` command as an entry point). The package has no import cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

from assistant.settings import REPO_ROOT

# Lowest first. A module's stage is its first package folder (or module) under `assistant`,
# or its second where that sub-package is a floor of its own (dosing's foundations).
STAGES: list[set[str]] = [
    {"text", "types", "patient", "settings", "errors", "stats"},
    {"corpus"},
    {"dosing.rules", "dosing.reading"},  # foundations: the rules schema and the dose grammar, used by index and query
    {"index"},
    {"query"},
    {"retrieval"},
    {"dosing"},  # the stage: findings, check_dose and its tool, on top of the two foundations
    {"judge", "turns"},  # the verdict for an understood question: dosing over every reading and scenario
    {"answer"},
    {"llm"},
    {"pipeline"},
    {"interfaces", "evaluation", "__main__", "__init__"},
]
TOP = {"evals", "ui"}
FLOORS = {name for stage in STAGES for name in stage if "." in name}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO_ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, imported inside a function) for every import of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[str, bool]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            nested = in_function or isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef)
            if isinstance(child, ast.Import):
                found.extend((alias.name, in_function) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                for alias in child.names:  # 'from pkg import submodule' depends on the submodule, not the package
                    name = f"{child.module}.{alias.name}"
                    found.append((name if _known(name) else child.module, in_function))
            visit(child, nested)

    visit(tree, False)
    return found


def _files(package: str) -> list[Path]:
    return sorted((REPO_ROOT / package).rglob("*.py"))


def _stage(module: str) -> int:
    parts = module.split(".")
    part = parts[1] if len(parts) > 1 else "__init__"
    if len(parts) > 2 and f"{part}.{parts[2]}" in FLOORS:  # a sub-package that is a floor of its own
        part = f"{part}.{parts[2]}"
    return next(i for i, names in enumerate(STAGES) if part in names)


def _known(module: str) -> bool:
    """True when the name is a module or package of the repo (not a class or function imported from one)."""
    path = REPO_ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_every_assistant_module_has_a_stage():
    for path in _files("assistant"):
        _stage(_module_name(path))  # raises StopIteration for a folder missing from STAGES


def test_assistant_imports_point_down_only():
    upward = []
    for path in _files("assistant"):
        module = _module_name(path)
        for target, _ in _imports(path):
            root = target.split(".")[0]
            if root in TOP:
                upward.append(f"{module} imports {target}")
            elif root == "assistant" and target != "assistant" and _known(target) and _stage(target) > _stage(module):
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_evals_and_ui_are_never_imported_by_assistant_even_inside_a_function():
    found = [
        f"{_module_name(path)} imports {target}"
        for path in _files("assistant")
        for target, _ in _imports(path)
        if target.split(".")[0] in TOP
    ]
    assert found == []


def test_no_private_name_is_imported_from_another_module():
    private = []
    for package in ("assistant", "evals", "ui"):
        for path in _files(package):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in {"assistant", *TOP}:
                    private += [f"{_module_name(path)}: {a.name}" for a in node.names if a.name.startswith("_")]
    assert private == []


def test_no_import_cycle():
    graph: dict[str, set[str]] = {}
    for package in ("assistant", "evals", "ui"):
        for path in _files(package):
            graph[_module_name(path)] = {
                target  # a lazy import is a dependency too (it only hides a cycle until the function runs)
                for target, _ in _imports(path)
                if target.split(".")[0] in {"assistant", *TOP} and _known(target) and target != _module_name(path)
            }
    state: dict[str, int] = {}
    cycles: list[str] = []

    def walk(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                cycles.append(" → ".join([*trail[trail.index(nxt) :], nxt]) if nxt in trail else nxt)
            elif nxt not in state:
                walk(nxt, [*trail, nxt])
        state[node] = 2

    for node in graph:
        if node not in state:
            walk(node, [node])
    assert cycles == []
