"""The shape docs/architecture.md describes, kept true: layers, no cycles, functions that fit."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import grimp
import pytest

SOURCE = Path(__file__).resolve().parent.parent / "src" / "slawatch"
CORE = ("slawatch.agreements", "slawatch.engine")
SHELL = (
    "slawatch.store",
    "slawatch.ingest",
    "slawatch.web",
    "slawatch.alerts",
    "slawatch.reports",
    "slawatch.evaluation",
    "slawatch.commands",
    "slawatch.cli",
    "slawatch.config",
    "slawatch.i18n",
    "slawatch.wall_clock",
)
# What would let the core touch the database, files, the network or the web.
OUTSIDE_WORLD = ("sqlalchemy", "psycopg", "fastapi", "starlette", "httpx", "apprise", "typer")
WEB = ("fastapi", "starlette", "uvicorn")
LONGEST_FUNCTION = 80  # lines, docstring included


@cache
def graph() -> grimp.ImportGraph:
    return grimp.build_graph(
        "slawatch", include_external_packages=True, exclude_type_checking_imports=True
    )


def ours() -> list[str]:
    return sorted(m for m in graph().modules if m == "slawatch" or m.startswith("slawatch."))


def within(module: str, packages: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in packages)


def imports(module: str) -> set[str]:
    return graph().find_modules_directly_imported_by(module)


def import_cycles() -> list[list[str]]:
    """Return the strongly connected groups of modules (Tarjan), the ones of two or more."""
    index: dict[str, int] = {}
    lowest: dict[str, int] = {}
    stack: list[str] = []
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = lowest[module] = len(index)
        stack.append(module)
        for imported in sorted(i for i in imports(module) if i.startswith("slawatch")):
            if imported not in index:
                visit(imported)
                lowest[module] = min(lowest[module], lowest[imported])
            elif imported in stack:
                lowest[module] = min(lowest[module], index[imported])
        if lowest[module] == index[module]:
            group = []
            while (member := stack.pop()) != module:
                group.append(member)
            if group:
                cycles.append(sorted([module, *group]))

    for module in ours():
        if module not in index:
            visit(module)
    return cycles


def test_no_module_imports_one_that_imports_it_back():
    assert import_cycles() == []


@pytest.mark.parametrize("module", [m for m in ours() if within(m, CORE)])
def test_the_core_imports_nothing_of_the_shell_or_the_outside_world(module: str):
    reached = {i for i in imports(module) if within(i, SHELL) or within(i, OUTSIDE_WORLD)}
    assert reached == set(), f"{module} imports {sorted(reached)}"


@pytest.mark.parametrize(
    "module", [m for m in ours() if within(m, ("slawatch.alerts", "slawatch.evaluation"))]
)
def test_background_work_does_not_import_the_web_framework(module: str):
    reached = {i for i in imports(module) if within(i, WEB)}
    assert reached == set(), f"{module} imports {sorted(reached)}"


def functions() -> Iterator[tuple[str, int]]:
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                assert node.end_lineno is not None
                name = f"{path.relative_to(SOURCE)}:{node.lineno} {node.name}"
                yield name, node.end_lineno - node.lineno + 1


def test_every_function_fits_on_a_screen():
    long = [f"{name} ({length} lines)" for name, length in functions() if length > LONGEST_FUNCTION]
    assert long == [], f"split these into parts of at most {LONGEST_FUNCTION} lines"
