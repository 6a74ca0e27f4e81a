"""Docs are part of the product: every command and option is documented, every link works."""

import re
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from slawatch.cli import app

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = "\n".join(page.read_text(encoding="utf-8") for page in (ROOT / "docs").glob("*.md"))
COMMAND = typer.main.get_command(app)
assert isinstance(COMMAND, TyperGroup)


def commands(group: TyperGroup, prefix: str = "slawatch") -> list[tuple[str, object]]:
    """Return every leaf command with its full name, e.g. ("slawatch db upgrade", command)."""
    found: list[tuple[str, object]] = []
    for name, command in sorted(group.commands.items()):
        if isinstance(command, TyperGroup):
            found += commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


@pytest.mark.parametrize("name", [name for name, _ in commands(COMMAND)])
def test_every_command_has_a_section_in_the_docs(name: str):
    assert f"## `{name}" in CLI_DOC, f"no docs/*.md has a section '## `{name} …`'"


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (name, option)
        for name, command in commands(COMMAND)
        for parameter in command.params  # type: ignore[attr-defined]
        if isinstance(parameter, TyperOption)
        for option in parameter.opts
        if option.startswith("--")
    ],
)
def test_every_option_is_documented(command: str, option: str):
    assert f"`{option}" in CLI_DOC, f"{option} of `{command}` is missing in docs/*.md"


@pytest.mark.parametrize("page", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
def test_relative_links_point_to_files_that_exist(page: Path):
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
