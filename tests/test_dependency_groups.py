"""`uv run slawatch demo` installs no benchmark packages, and the tests need none of them."""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def bench_modules() -> set[str]:
    """Return the import names of the bench group's packages."""
    names = {re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0] for spec in bench_group()}
    return {name.lower().replace("-", "_") for name in names}


def bench_group() -> list[str]:
    return list(PROJECT["dependency-groups"]["bench"])


def imported(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_uv_installs_only_the_dev_group_by_default():
    groups = PROJECT.get("tool", {}).get("uv", {}).get("default-groups", ["dev"])
    assert "bench" not in groups
    assert "dev" in groups  # `uv run pytest` finds pytest


def test_the_benchmark_packages_are_the_ones_the_clock_benchmark_compares_against():
    assert bench_modules() == {"businesstimedelta", "pandas", "pytz"}


def test_neither_slawatch_nor_its_tests_import_a_benchmark_package():
    wanted = bench_modules()
    found = {
        str(path.relative_to(ROOT)): sorted(imported(path) & wanted)
        for folder in ("src", "tests")
        for path in (ROOT / folder).rglob("*.py")
        if imported(path) & wanted
    }
    assert found == {}


def test_every_benchmark_script_says_to_run_it_with_the_bench_group():
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        usage = script.read_text(encoding="utf-8").split('"""', 2)[1]
        assert "uv run --group bench python bench/" in usage, script.name
