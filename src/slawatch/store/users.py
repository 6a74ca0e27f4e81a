"""Users of the web interface: argon2 password hashes, roles, and every change audited.

Emails are stored lower-cased and trimmed, so `Ann@Example.com` and `ann@example.com` are one
user. A deactivated user keeps their row (the audit log names them) but cannot log in, and
their open sessions stop working on the next request.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Row, insert, select, update
from sqlalchemy.exc import IntegrityError

from slawatch.store.audit import record
from slawatch.store.schema import users
from slawatch.wall_clock import now_us

ROLES = ("admin", "editor", "viewer")  # the same as web.security.ROLES; a test keeps them equal
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 1024  # argon2 takes any length; this only stops absurd inputs
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s.]+")

# Replaced in tests by a cheaper hasher; production uses argon2-cffi's recommended parameters.
hasher = PasswordHasher()


class UserError(ValueError):
    """A user change that cannot be made as asked; the message says why and what to do."""


@dataclass(frozen=True)
class User:
    id: int
    email: str
    role: str
    language: str | None
    active: bool
    created_at: int
    password_fingerprint: str  # changes whenever the password hash does; ends old sessions


def normalize_email(email: str) -> str:
    """Return the stored form of an email, or raise UserError if it does not look like one."""
    cleaned = email.strip().lower()
    if len(cleaned) > 320 or not EMAIL.fullmatch(cleaned):
        raise UserError(f"{email!r} is not an email address; write it as name@example.com")
    return cleaned


def check_password(password: str) -> None:
    """Refuse passwords too short to resist guessing (or too long to be sane)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError(
            f"the password has {len(password)} characters; use at least {MIN_PASSWORD_LENGTH}"
        )
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError(f"the password is longer than {MAX_PASSWORD_LENGTH} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"role {role!r} is not one of {', '.join(ROLES)}")


def _fingerprint(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _user(row: Row[Any]) -> User:
    mapping = row._mapping
    return User(
        id=mapping["id"],
        email=mapping["email"],
        role=mapping["role"],
        language=mapping["language"],
        active=bool(mapping["active"]),
        created_at=mapping["created_at"],
        password_fingerprint=_fingerprint(mapping["password_hash"]),
    )


def create_user(
    connection: Connection,
    email: str,
    password: str,
    role: str,
    language: str | None = None,
    *,
    actor: str = "system",
) -> User:
    """Add a user with a hashed password; an email already taken raises UserError."""
    address = normalize_email(email)
    _check_role(role)
    check_password(password)
    if find_user(connection, address) is not None:
        raise UserError(
            f"a user {address} exists already; change them with `slawatch users set-role` "
            "or `slawatch users set-password`"
        )
    try:
        user_id = connection.execute(
            insert(users)
            .values(
                email=address,
                password_hash=hasher.hash(password),
                role=role,
                language=language,
                active=True,
                created_at=now_us(),
            )
            .returning(users.c.id)
        ).scalar_one()
    except IntegrityError:  # another process added the same email between check and insert
        raise UserError(f"a user {address} exists already") from None
    record(connection, actor=actor, action="user.create", subject=f"user:{address}", role=role)
    user = get_user(connection, user_id)
    assert user is not None
    return user


def find_user(connection: Connection, email: str) -> User | None:
    """Return the user with this email (any case), active or not, or None."""
    row = connection.execute(select(users).where(users.c.email == email.strip().lower())).first()
    return None if row is None else _user(row)


def get_user(connection: Connection, user_id: int) -> User | None:
    row = connection.execute(select(users).where(users.c.id == user_id)).first()
    return None if row is None else _user(row)


def list_users(connection: Connection) -> list[User]:
    return [_user(row) for row in connection.execute(select(users).order_by(users.c.email))]


@cache
def _dummy_hash() -> str:
    # Verified when the email is unknown, so a wrong email costs the same time as a wrong
    # password and the response time does not tell which emails have accounts. Made on first
    # use, not at import, so that commands which never log anyone in do not pay for it.
    return hasher.hash("slawatch: no such user")


def authenticate(
    connection: Connection, email: str, password: str, *, rehash: bool = True
) -> User | None:
    """Return the active user with this email and password, or None; never says which was wrong.

    With `rehash`, a hash made with older argon2 parameters is replaced in the caller's
    transaction (the password is only ever in hand at this moment). The login page passes
    rehash=False inside a read transaction and calls `rehash_if_needed` after a success, so an
    anonymous caller never holds SQLite's write lock for the length of a hash.
    """
    dummy = _dummy_hash()
    row = connection.execute(select(users).where(users.c.email == email.strip().lower())).first()
    stored = dummy if row is None else row.password_hash
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or not row.active:
        return None
    user = _user(row)
    if rehash and rehash_if_needed(connection, user.id, password):
        user = get_user(connection, user.id) or user
    return user


def rehash_if_needed(connection: Connection, user_id: int, password: str) -> bool:
    """Rehash a just-verified password if argon2's parameters changed since it was hashed."""
    row = connection.execute(
        select(users.c.email, users.c.password_hash).where(users.c.id == user_id)
    ).first()
    if row is None or not hasher.check_needs_rehash(row.password_hash):
        return False
    connection.execute(
        update(users).where(users.c.id == user_id).values(password_hash=hasher.hash(password))
    )
    record(connection, actor=row.email, action="user.rehash", subject=f"user:{row.email}")
    return True


def _existing(connection: Connection, email: str) -> User:
    user = find_user(connection, email)
    if user is None:
        raise UserError(f"there is no user {email.strip()!r}; see `slawatch users list`")
    return user


def set_password(connection: Connection, email: str, password: str, *, actor: str) -> User:
    """Replace a user's password; their sessions elsewhere end (the fingerprint changes)."""
    user = _existing(connection, email)
    check_password(password)
    connection.execute(
        update(users).where(users.c.id == user.id).values(password_hash=hasher.hash(password))
    )
    record(connection, actor=actor, action="user.set-password", subject=f"user:{user.email}")
    changed = get_user(connection, user.id)
    assert changed is not None
    return changed


def set_role(connection: Connection, email: str, role: str, *, actor: str) -> User:
    """Give a user another role; it applies to their open sessions at once."""
    user = _existing(connection, email)
    _check_role(role)
    connection.execute(update(users).where(users.c.id == user.id).values(role=role))
    record(
        connection,
        actor=actor,
        action="user.set-role",
        subject=f"user:{user.email}",
        role=role,
        previous=user.role,
    )
    return replace(user, role=role)


def deactivate(connection: Connection, email: str, *, actor: str) -> User:
    """Stop a user from logging in and end their sessions; the row stays for the audit log."""
    user = _existing(connection, email)
    if not user.active:
        raise UserError(f"{user.email} is deactivated already")
    connection.execute(update(users).where(users.c.id == user.id).values(active=False))
    record(connection, actor=actor, action="user.deactivate", subject=f"user:{user.email}")
    return replace(user, active=False)


def set_language(connection: Connection, user_id: int, language: str | None) -> None:
    """Store the language a user reads pages and messages in (None: follow the browser)."""
    connection.execute(update(users).where(users.c.id == user_id).values(language=language))
