"""Users: argon2 hashes, roles, no enumeration, every change in the audit log; on both backends."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine

from slawatch.store import users as users_store
from slawatch.store.audit import entries
from slawatch.store.db import read_transaction, transaction
from slawatch.store.users import (
    UserError,
    authenticate,
    create_user,
    deactivate,
    find_user,
    list_users,
    set_password,
    set_role,
)
from slawatch.web.security import ROLES

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def cheap_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hash with tiny argon2 parameters: the tests check logic, not the work factor."""
    monkeypatch.setattr(
        users_store, "hasher", PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    )
    users_store._dummy_hash.cache_clear()


def add(engine: Engine, email: str = "ann@example.com", role: str = "editor") -> None:
    with transaction(engine) as connection:
        create_user(connection, email, PASSWORD, role, actor="test")


def login(engine: Engine, email: str, password: str = PASSWORD) -> users_store.User | None:
    with transaction(engine) as connection:
        return authenticate(connection, email, password)


def test_the_store_knows_the_same_roles_as_the_permission_table():
    assert set(users_store.ROLES) == set(ROLES)


def test_a_new_user_is_stored_lower_cased_with_an_argon2_hash_and_audited(engine: Engine):
    with transaction(engine) as connection:
        user = create_user(connection, " Ann@Example.COM ", PASSWORD, "viewer", "de", actor="t")
    assert (user.email, user.role, user.language, user.active) == (
        "ann@example.com",
        "viewer",
        "de",
        True,
    )
    with read_transaction(engine) as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
        log = entries(connection, subject="user:ann@example.com")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert [(e["action"], e["actor"], e["detail"]) for e in log] == [
        ("user.create", "t", {"role": "viewer"})
    ]


def test_an_email_taken_in_any_case_is_refused_with_a_clear_error(engine: Engine):
    add(engine)
    with pytest.raises(UserError, match=r"a user ann@example.com exists already"):
        add(engine, "ANN@example.com")


@pytest.mark.parametrize(
    ("email", "password", "role", "message"),
    [
        ("not-an-email", PASSWORD, "viewer", "is not an email address"),
        ("ann@localhost", PASSWORD, "viewer", "is not an email address"),
        ("ann@example.com", "short", "viewer", "use at least 10"),
        ("ann@example.com", PASSWORD, "owner", "role 'owner' is not one of admin, editor, viewer"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    engine: Engine, email: str, password: str, role: str, message: str
):
    with pytest.raises(UserError, match=message), transaction(engine) as connection:
        create_user(connection, email, password, role)
    with read_transaction(engine) as connection:
        assert list_users(connection) == []


def test_the_right_password_logs_in_in_any_email_case(engine: Engine):
    add(engine)
    user = login(engine, "ANN@example.com")
    assert user is not None
    assert user.email == "ann@example.com"


def test_a_wrong_password_an_unknown_email_and_an_empty_password_all_give_none(engine: Engine):
    add(engine)
    assert login(engine, "ann@example.com", "wrong password") is None
    assert login(engine, "bob@example.com") is None
    assert login(engine, "ann@example.com", "") is None


def test_a_deactivated_user_cannot_log_in_even_with_the_right_password(engine: Engine):
    add(engine)
    with transaction(engine) as connection:
        user = deactivate(connection, "ann@example.com", actor="admin@example.com")
    assert not user.active
    assert login(engine, "ann@example.com") is None
    with pytest.raises(UserError, match="deactivated already"), transaction(engine) as connection:
        deactivate(connection, "ann@example.com", actor="admin@example.com")


def test_logging_in_rehashes_a_password_hashed_with_old_parameters(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    add(engine)
    stronger = PasswordHasher(time_cost=2, memory_cost=128, parallelism=1)
    monkeypatch.setattr(users_store, "hasher", stronger)
    before = login(engine, "ann@example.com")
    with read_transaction(engine) as connection:
        stored = connection.exec_driver_sql("SELECT password_hash FROM users").scalar_one()
        actions = [e["action"] for e in entries(connection, subject="user:ann@example.com")]
    assert before is not None
    assert not stronger.check_needs_rehash(stored)
    assert actions[0] == "user.rehash"
    assert login(engine, "ann@example.com") is not None


def test_a_new_password_replaces_the_old_one_and_changes_the_fingerprint(engine: Engine):
    add(engine)
    with read_transaction(engine) as connection:
        old = find_user(connection, "ann@example.com")
    with transaction(engine) as connection:
        new = set_password(connection, "ann@example.com", "another long one", actor="t")
    assert old is not None
    assert new.password_fingerprint != old.password_fingerprint
    assert login(engine, "ann@example.com") is None
    assert login(engine, "ann@example.com", "another long one") is not None


def test_a_short_new_password_is_refused(engine: Engine):
    add(engine)
    with pytest.raises(UserError, match="at least 10"), transaction(engine) as connection:
        set_password(connection, "ann@example.com", "123", actor="t")


def test_a_role_change_is_audited_with_the_previous_role(engine: Engine):
    add(engine)
    with transaction(engine) as connection:
        user = set_role(connection, "ann@example.com", "admin", actor="boss@example.com")
    assert user.role == "admin"
    with read_transaction(engine) as connection:
        latest = entries(connection, subject="user:ann@example.com")[0]
        assert find_user(connection, "ann@example.com").role == "admin"  # type: ignore[union-attr]
    assert (latest["action"], latest["actor"], latest["detail"]) == (
        "user.set-role",
        "boss@example.com",
        {"role": "admin", "previous": "editor"},
    )


def test_changing_someone_who_does_not_exist_names_them(engine: Engine):
    with (
        pytest.raises(UserError, match=r"there is no user 'bob@example\.com'"),
        transaction(engine) as connection,
    ):
        set_role(connection, "bob@example.com", "admin", actor="t")


def test_users_are_listed_by_email(engine: Engine):
    add(engine, "zoe@example.com")
    add(engine, "ann@example.com", "viewer")
    with read_transaction(engine) as connection:
        assert [(u.email, u.role) for u in list_users(connection)] == [
            ("ann@example.com", "viewer"),
            ("zoe@example.com", "editor"),
        ]


def test_authenticating_without_rehash_writes_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
):
    add(engine)
    monkeypatch.setattr(users_store, "hasher", PasswordHasher(time_cost=2, memory_cost=128))
    with read_transaction(engine) as connection:
        assert authenticate(connection, "ann@example.com", PASSWORD, rehash=False) is not None
        assert [e["action"] for e in entries(connection)] == ["user.create"]
