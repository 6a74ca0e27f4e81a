"""`slawatch users`: the people who log in to the web interface, and their roles."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from slawatch.commands.common import DatabaseOpt, database, fail, out

app = typer.Typer(help="Users of the web interface and their roles.", no_args_is_help=True)


class Role(StrEnum):
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


EmailArg = Annotated[
    str, typer.Argument(metavar="EMAIL", help="The user's email address (any case).")
]
PasswordStdinOpt = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from the first line of standard input (for scripts).",
    ),
]


def actor() -> str:
    """Name who runs the command in the audit log: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no user name in a bare container
        return "cli"


def read_password(password_stdin: bool) -> str:
    """Read a new password from stdin, or prompt for it twice without echo."""
    from slawatch.store.users import UserError, check_password

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_password(password)
    except UserError as error:
        fail(str(error))
    return password


@app.command("add")
def add_command(
    email: EmailArg,
    role: Annotated[Role, typer.Option("--role", help="What the user may do.")],
    password_stdin: PasswordStdinOpt = False,
    location: DatabaseOpt = None,
) -> None:
    """Add a user who logs in with a password."""
    from slawatch.store.db import transaction
    from slawatch.store.users import UserError, create_user, normalize_email

    engine = database(location)
    try:
        normalize_email(email)  # complain about the address before asking for a password
    except UserError as error:
        fail(str(error))
    password = read_password(password_stdin)
    try:
        with transaction(engine) as connection:
            user = create_user(connection, email, password, role.value, actor=actor())
    except UserError as error:
        fail(str(error))
    out.print(f"added {user.email} as {user.role}", markup=False)


@app.command("list")
def list_command(location: DatabaseOpt = None) -> None:
    """List every user with role and state."""
    from slawatch.store.db import read_transaction
    from slawatch.store.users import list_users

    with read_transaction(database(location)) as connection:
        found = list_users(connection)
    if not found:
        out.print("no users yet; add one with `slawatch users add EMAIL --role admin`")
        return
    table = Table()
    table.add_column("email", no_wrap=True)
    for column in ("role", "active", "language", "created (UTC)"):
        table.add_column(column)
    for user in found:
        created = dt.datetime.fromtimestamp(user.created_at / 1e6, dt.UTC)
        table.add_row(
            user.email,
            user.role,
            "yes" if user.active else "no",
            user.language or "",
            created.strftime("%Y-%m-%d %H:%M"),
        )
    out.print(table)


@app.command("set-role")
def set_role_command(
    email: EmailArg,
    role: Annotated[
        Role, typer.Argument(metavar="ROLE", help="The new role: admin, editor or viewer.")
    ],
    location: DatabaseOpt = None,
) -> None:
    """Give a user another role (applies to their open sessions at once)."""
    from slawatch.store.db import transaction
    from slawatch.store.users import UserError, set_role

    try:
        with transaction(database(location)) as connection:
            user = set_role(connection, email, role.value, actor=actor())
    except UserError as error:
        fail(str(error))
    out.print(f"{user.email} is now {user.role}", markup=False)


@app.command("deactivate")
def deactivate_command(email: EmailArg, location: DatabaseOpt = None) -> None:
    """Stop a user from logging in and end their sessions."""
    from slawatch.store.db import transaction
    from slawatch.store.users import UserError, deactivate

    try:
        with transaction(database(location)) as connection:
            user = deactivate(connection, email, actor=actor())
    except UserError as error:
        fail(str(error))
    out.print(f"deactivated {user.email}", markup=False)


@app.command("set-password")
def set_password_command(
    email: EmailArg, password_stdin: PasswordStdinOpt = False, location: DatabaseOpt = None
) -> None:
    """Set a user's password (their other sessions end)."""
    from slawatch.store.db import read_transaction, transaction
    from slawatch.store.users import UserError, find_user, set_password

    engine = database(location)
    with read_transaction(engine) as connection:
        if find_user(connection, email) is None:
            fail(f"there is no user {email.strip()!r}; see `slawatch users list`")
    password = read_password(password_stdin)
    try:
        with transaction(engine) as connection:
            user = set_password(connection, email, password, actor=actor())
    except UserError as error:
        fail(str(error))
    out.print(f"set a new password for {user.email}", markup=False)
