"""Docs are part of the product: every command and option is documented, every link works."""

import re
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup, TyperOption

from slawatch.cli import app

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
COMMAND = typer.main.get_command(app)
assert isinstance(COMMAND, TyperGroup)


@pytest.mark.parametrize("name", sorted(COMMAND.commands))
def test_every_command_has_a_section_in_the_cli_docs(name: str):
    assert f"## `slawatch {name}" in CLI_DOC


@pytest.mark.parametrize(
    ("command", "option"),
    [
        (name, option)
        for name, command in sorted(COMMAND.commands.items())
        for parameter in command.params
        if isinstance(parameter, TyperOption)
        for option in parameter.opts
        if option.startswith("--")
    ],
)
def test_every_option_is_documented(command: str, option: str):
    assert f"`{option}" in CLI_DOC, f"{option} of `slawatch {command}` is missing in docs/cli.md"


@pytest.mark.parametrize("page", [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
def test_relative_links_point_to_files_that_exist(page: Path):
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        assert (page.parent / target).exists(), f"{page.name} links to missing {target}"
