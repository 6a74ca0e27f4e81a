"""`slawatch users` and `slawatch tokens`: what an operator types, sees, and gets; both backends."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine
from typer.testing import CliRunner

from slawatch.cli import app
from slawatch.commands.users import Role
from slawatch.config import get_settings
from slawatch.store import users as users_store
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction, transaction
from slawatch.store.tokens import list_tokens, verify_token
from slawatch.store.users import authenticate, find_user
from slawatch.web.security import ROLES

PASSWORD = "correct horse battery"
runner = CliRunner()


@pytest.fixture(autouse=True)
def configured(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Point the commands at the test database and hash cheaply."""
    monkeypatch.setenv("SLAWATCH_DATABASE_URL", database_url)
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


def add(email: str = "ann@example.com", role: str = "editor") -> None:
    assert run("users", "add", email, "--role", role, "--password-stdin", stdin=PASSWORD)[0] == 0


def test_the_role_choices_are_the_permission_tables_roles():
    assert {role.value for role in Role} == set(ROLES)


def test_users_add_reads_the_password_from_stdin_for_scripts(engine: Engine):
    code, out, _ = run(
        "users", "add", "Ann@Example.com", "--role", "admin", "--password-stdin", stdin=PASSWORD
    )
    assert code == 0
    assert out.strip() == "added ann@example.com as admin"
    with transaction(engine) as connection:
        user = authenticate(connection, "ann@example.com", PASSWORD)
        log = entries(connection, subject="user:ann@example.com")
    assert user is not None
    assert user.role == "admin"
    assert log[0]["action"] == "user.create"
    assert log[0]["actor"].startswith("cli")


def test_users_add_prompts_twice_without_password_stdin(engine: Engine):
    code, _, _ = run(
        "users", "add", "ann@example.com", "--role", "viewer", stdin=f"{PASSWORD}\n" * 2
    )
    assert code == 0
    with transaction(engine) as connection:
        assert authenticate(connection, "ann@example.com", PASSWORD) is not None


def test_a_weak_password_is_refused_with_exit_1_and_no_user_is_added(engine: Engine):
    code, _, err = run(
        "users", "add", "ann@example.com", "--role", "viewer", "--password-stdin", stdin="short\n"
    )
    assert code == 1
    assert "use at least 10" in err
    with read_transaction(engine) as connection:
        assert find_user(connection, "ann@example.com") is None


def test_a_bad_email_is_refused_before_asking_for_a_password():
    code, _, err = run("users", "add", "ann", "--role", "viewer")
    assert code == 1
    assert "'ann' is not an email address" in err


def test_an_unknown_role_is_a_usage_error():
    code, _, err = run("users", "add", "ann@example.com", "--role", "owner", "--password-stdin")
    assert code == 2
    assert "owner" in err


def test_adding_an_email_twice_exits_1_and_says_so():
    add()
    code, _, err = run(
        "users", "add", "ANN@example.com", "--role", "viewer", "--password-stdin", stdin=PASSWORD
    )
    assert code == 1
    assert "a user ann@example.com exists already" in err


def test_users_list_shows_every_user_with_role_and_state():
    assert run("users", "list")[1].startswith("no users yet")
    add("zoe@example.com", "viewer")
    add("ann@example.com", "admin")
    code, out, _ = run("users", "list")
    assert code == 0
    assert out.index("ann@example.com") < out.index("zoe@example.com")
    assert "admin" in out
    assert "viewer" in out


def test_set_role_deactivate_and_set_password_change_the_user(engine: Engine):
    add()
    assert run("users", "set-role", "ann@example.com", "viewer")[1].strip() == (
        "ann@example.com is now viewer"
    )
    new = "a much better password"
    code, _, _ = run("users", "set-password", "ann@example.com", "--password-stdin", stdin=new)
    assert code == 0
    with transaction(engine) as connection:
        user = authenticate(connection, "ann@example.com", new)
    assert user is not None
    assert user.role == "viewer"
    assert run("users", "deactivate", "ann@example.com")[0] == 0
    with transaction(engine) as connection:
        assert authenticate(connection, "ann@example.com", new) is None
    code, _, err = run("users", "deactivate", "ann@example.com")
    assert code == 1
    assert "deactivated already" in err


@pytest.mark.parametrize(
    "args",
    [
        ("users", "set-role", "bob@example.com", "admin"),
        ("users", "deactivate", "bob@example.com"),
        ("users", "set-password", "bob@example.com", "--password-stdin"),
    ],
)
def test_changing_an_unknown_user_exits_1_and_names_them(args: tuple[str, ...]):
    code, _, err = run(*args, stdin=PASSWORD)
    assert code == 1
    assert "there is no user 'bob@example.com'" in err


def test_tokens_create_prints_the_token_once_and_stores_only_its_hash(engine: Engine):
    code, out, err = run("tokens", "create", "--name", "hubspot-sync", "--scope", "ingest")
    assert code == 0
    secret = out.strip()
    assert secret.startswith("slw_")
    assert "cannot be shown again" in err
    with transaction(engine) as connection:
        token = verify_token(connection, secret)
        stored = connection.exec_driver_sql("SELECT token_hash FROM api_tokens").scalar_one()
        log = entries(connection, subject="token:hubspot-sync")
    assert token is not None
    assert (token.name, token.scope) == ("hubspot-sync", "ingest")
    assert secret not in stored
    assert log[0]["detail"]["scope"] == "ingest"
    listing = run("tokens", "list")[1]
    assert "hubspot-sync" in listing
    assert secret not in listing
    assert secret[:10] in listing


def test_an_unknown_scope_is_a_usage_error():
    code, _, err = run("tokens", "create", "--name", "x", "--scope", "write")
    assert code == 2
    assert "write" in err


def test_a_revoked_token_no_longer_verifies_and_revoking_again_exits_1(engine: Engine):
    secret = run("tokens", "create", "--name", "ci", "--scope", "read")[1].strip()
    with read_transaction(engine) as connection:
        (token_id,) = [t["id"] for t in list_tokens(connection)]
    code, out, _ = run("tokens", "revoke", str(token_id))
    assert code == 0
    assert out.strip() == f"revoked token {token_id}"
    with transaction(engine) as connection:
        assert verify_token(connection, secret) is None
    code, _, err = run("tokens", "revoke", str(token_id))
    assert code == 1
    assert f"no live token with id {token_id}" in err


def test_tokens_list_says_when_there_are_none():
    code, out, _ = run("tokens", "list")
    assert code == 0
    assert out.startswith("no API tokens yet")
