"""`--database FILE|URL` on every command that reads the store: one name, one meaning.

A command that only reads or changes a store never creates one: a missing SQLite file is
refused with the fix (exit 2), and no empty file is left behind. `db upgrade` creates it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner, Result

from slawatch.cli import app
from slawatch.commands import serve as serve_command
from slawatch.commands.common import database_url
from slawatch.config import get_settings

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()
# Every command that opens the store; `demo` has its own --database FILE, which it creates.
STORE_COMMANDS = {
    ("db", "upgrade"): [],
    ("db", "status"): [],
    ("users", "add"): ["ann@example.com", "--role", "admin", "--password-stdin"],
    ("users", "list"): [],
    ("users", "set-role"): ["ann@example.com", "viewer"],
    ("users", "deactivate"): ["ann@example.com"],
    ("users", "set-password"): ["ann@example.com", "--password-stdin"],
    ("tokens", "create"): ["--name", "crm", "--scope", "read"],
    ("tokens", "list"): [],
    ("tokens", "revoke"): ["1"],
    ("import",): [str(ROOT / "examples" / "hubspot-contacts.csv"), "--mapping", "hubspot"],
    ("serve",): [],
}


@pytest.fixture(autouse=True)
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Work in an empty folder whose configured database is another file that does not exist."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", f"sqlite:///{tmp_path / 'configured.db'}")
    monkeypatch.setenv("SLAWATCH_SECRET_KEY", "x" * 40)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=stdin)


def options_of(path: tuple[str, ...]) -> dict[str, TyperOption]:
    command = typer.main.get_command(app)
    for name in path:
        assert isinstance(command, TyperGroup)
        command = command.commands[name]
    return {
        option: param
        for param in command.params
        if isinstance(param, TyperOption)
        for option in param.opts
    }


def every_command(group: object, path: tuple[str, ...] = ()) -> Iterator[tuple[str, ...]]:
    if isinstance(group, TyperGroup):
        for name, command in group.commands.items():
            yield from every_command(command, (*path, name))
    else:
        yield path


@pytest.mark.parametrize("path", list(STORE_COMMANDS), ids=" ".join)
def test_every_store_command_takes_database(path: tuple[str, ...]):
    option = options_of(path)["--database"]
    assert option.metavar == "FILE|URL"


def test_the_database_option_means_the_same_wherever_it_appears():
    helps = {
        path: params["--database"].help
        for path in every_command(typer.main.get_command(app))
        if path != ("demo",) and "--database" in (params := options_of(path))
    }
    assert set(STORE_COMMANDS) <= set(helps)
    assert len(set(helps.values())) == 1, helps


@pytest.mark.parametrize("path", list(STORE_COMMANDS)[1:], ids=" ".join)
def test_a_missing_database_file_is_refused_and_not_created(path: tuple[str, ...], tmp_path: Path):
    missing = tmp_path / "missing.db"
    result = run(*path, *STORE_COMMANDS[path], "--database", str(missing), stdin="x" * 20)
    assert result.exit_code == 2
    assert f"there is no database at {missing} (--database)" in result.stderr
    assert "slawatch db upgrade --database" in result.stderr
    assert not missing.exists()
    assert not (tmp_path / "configured.db").exists()


def test_without_the_option_the_configured_missing_file_is_refused_too(tmp_path: Path):
    result = run("users", "list")
    assert result.exit_code == 2
    assert f"{tmp_path / 'configured.db'} (SLAWATCH_DATABASE_URL)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_without_any_setting_no_slawatch_db_appears_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.delenv("SLAWATCH_DATABASE_URL")
    get_settings.cache_clear()
    result = run("tokens", "list")
    assert result.exit_code == 2
    assert "slawatch.db (the default)" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_db_upgrade_creates_the_file_the_option_names_and_the_others_use_it(tmp_path: Path):
    store = tmp_path / "teams" / "store.db"
    store.parent.mkdir()
    assert run("db", "upgrade", "--database", str(store)).exit_code == 0
    assert run("db", "status", "--database", str(store)).stdout.endswith("up to date\n")
    added = run(
        "users", "add", "ann@example.com", "--role", "admin", "--password-stdin",
        "--database", str(store), stdin="correct horse battery",
    )  # fmt: skip
    assert added.exit_code == 0, added.stderr
    listed = run("users", "list", "--database", f"sqlite:///{store}")
    assert "ann@example.com" in listed.stdout
    assert not (tmp_path / "configured.db").exists()


def test_a_relative_file_is_read_from_the_working_folder(tmp_path: Path):
    assert run("db", "upgrade", "--database", "here.db").exit_code == 0
    assert (tmp_path / "here.db").exists()
    assert database_url("here.db") == f"sqlite:///{tmp_path / 'here.db'}"


def test_an_import_goes_into_the_database_the_option_names(tmp_path: Path):
    store = tmp_path / "import.db"
    assert run("db", "upgrade", "--database", str(store)).exit_code == 0
    result = run(*("import",), *STORE_COMMANDS[("import",)], "--timezone", "Europe/Berlin",
                 "--database", str(store))  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "imported" in result.stdout
    assert not (tmp_path / "configured.db").exists()


def test_serve_hands_the_database_to_its_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    store = tmp_path / "served.db"
    assert run("db", "upgrade", "--database", str(store)).exit_code == 0
    started: list[str] = []
    options: list[dict[str, object]] = []

    def uvicorn_run(*_args: object, **kwargs: object) -> None:
        started.append(os.environ["SLAWATCH_DATABASE_URL"])
        options.append(kwargs)

    monkeypatch.setattr(serve_command.uvicorn, "run", uvicorn_run)
    result = run("serve", "--database", str(store), "--workers", "2")
    assert result.exit_code == 0, result.stderr
    assert started == [f"sqlite:///{store}"]
    # Workers that take a while to import slawatch on a busy machine are not killed in a loop.
    assert options[0]["workers"] == 2
    assert options[0]["timeout_worker_healthcheck"] == serve_command.WORKER_HEALTHCHECK >= 30


def test_an_empty_database_option_is_a_usage_error():
    result = run("users", "list", "--database", " ")
    assert result.exit_code == 2
    assert "--database" in result.stderr


def test_a_folder_that_does_not_exist_is_named_not_a_traceback(tmp_path: Path):
    result = run("db", "upgrade", "--database", str(tmp_path / "no" / "such" / "folder.db"))
    assert result.exit_code == 1
    assert "cannot open the database at sqlite:///" in result.stderr
    assert "unable to open database file" in result.stderr


def test_an_unreachable_server_is_named_with_its_reason_and_without_its_password():
    url = "postgresql+psycopg://ann:secret@127.0.0.1:1/slawatch"
    result = run("users", "list", "--database", url)
    assert result.exit_code == 1
    assert "cannot open the database at postgresql+psycopg://ann:***@127.0.0.1:1/slawatch" in (
        result.stderr
    )
    assert "secret" not in result.stderr


def test_an_unknown_kind_of_url_is_a_usage_error():
    result = run("tokens", "list", "--database", "nosuch://host/db")
    assert result.exit_code == 2
    assert "is not a database URL" in result.stderr
