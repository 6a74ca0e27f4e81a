"""README's commands work top to bottom, as a new user types them in a fresh folder.

Every `uv run slawatch …` line of README.md runs in order, through the CLI, in one folder that
holds a copy of `examples/`. `slawatch demo` loads its database as the command does, without
serving; `serve` only checks what it checks before it starts; the PostgreSQL URL stays an
example (the folder keeps SQLite, as README allows). Other lines (pytest, CI, the mail catcher,
benchmarks) are not slawatch commands and are checked elsewhere.
"""

from __future__ import annotations

import re
import secrets
import shlex
import shutil
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.commands import serve as serve_command
from slawatch.config import get_settings

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
runner = CliRunner()
DEMO_SETTINGS = (
    "SLAWATCH_DATABASE_URL",
    "SLAWATCH_DEMO",
    "SLAWATCH_BASE_URL",
    "SLAWATCH_SMTP_URL",
)


def readme_commands() -> list[list[str]]:
    """Return each `uv run slawatch` line of the README's console blocks, as arguments."""
    found = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.DOTALL):
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words[:3] == ["uv", "run", "slawatch"]:
                found.append(words[3:])
    return found


def has_option(command: str, option: str) -> bool:
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    return any(option in p.opts for p in group.commands[command].params)


def test_the_readme_keeps_its_two_main_commands():
    blocks = re.findall(r"```console\n(.*?)```", README, flags=re.DOTALL)
    assert blocks[0].strip() == "uv run slawatch demo"
    assert "uv run pytest" in {block.strip() for block in blocks}


@pytest.mark.slow
def test_every_slawatch_command_of_the_readme_works_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    for name in DEMO_SETTINGS:  # `demo` sets these for its server; they go back afterwards
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("SLAWATCH_SECRET_KEY", secrets.token_urlsafe(32))
    monkeypatch.setattr(serve_command.uvicorn, "run", lambda *args, **kwargs: None)
    get_settings.cache_clear()
    ran = []
    for words in readme_commands():
        if words[:1] == ["demo"]:  # what the demo does before it serves
            monkeypatch.setattr(serve_command, "serve", lambda **kwargs: None)
        password = "a long enough password\n" * 2 if words[:2] == ["users", "add"] else None
        result = runner.invoke(app, words, input=password)
        assert result.exit_code == 0, f"slawatch {shlex.join(words)}:\n{result.output}"
        ran.append(words[0])
        for name in DEMO_SETTINGS:
            monkeypatch.delenv(name, raising=False)
        get_settings.cache_clear()
    assert {"demo", "evaluate", "new", "check", "generate-events", "clocks", "report"} <= set(ran)
    assert {"db", "users", "tokens", "serve"} <= set(ran)
    assert (tmp_path / "october.pdf").exists()
