"""`slawatch tokens`: API tokens for scripts and integrations, shown once, stored hashed."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import typer
from rich.table import Table

from slawatch.commands.common import DatabaseOpt, database, err, fail, out
from slawatch.commands.users import actor

app = typer.Typer(help="API tokens for scripts and integrations.", no_args_is_help=True)


class Scope(StrEnum):
    INGEST = "ingest"
    READ = "read"
    ADMIN = "admin"


def _when(instant: object) -> str:
    if not isinstance(instant, int):
        return ""
    return dt.datetime.fromtimestamp(instant / 1e6, dt.UTC).strftime("%Y-%m-%d %H:%M")


@app.command("create")
def create_command(
    name: Annotated[str, typer.Option("--name", help="What the token is for, e.g. hubspot-sync.")],
    scope: Annotated[Scope, typer.Option("--scope", help="What the token may do.")],
    location: DatabaseOpt = None,
) -> None:
    """Create an API token and print it once."""
    from slawatch.store.audit import record
    from slawatch.store.db import transaction
    from slawatch.store.tokens import create_token

    name = name.strip()
    if not name or len(name) > 200:
        raise typer.BadParameter(
            "give the token a name of 1 to 200 characters", param_hint="--name"
        )
    who = actor()
    with transaction(database(location)) as connection:
        secret = create_token(connection, name=name, scope=scope.value, created_by=who)
        record(
            connection,
            actor=who,
            action="token.create",
            subject=f"token:{name}",
            scope=scope.value,
            prefix=secret[:10],
        )
    out.print(secret, markup=False, highlight=False)
    err.print(
        f"created the {scope.value} token {name!r}. Copy it now: it is stored hashed and cannot "
        "be shown again. Send it as `Authorization: Bearer <token>`.",
        markup=False,
        highlight=False,
    )


@app.command("list")
def list_command(location: DatabaseOpt = None) -> None:
    """List API tokens (never their secrets)."""
    from slawatch.store.db import read_transaction
    from slawatch.store.tokens import list_tokens

    with read_transaction(database(location)) as connection:
        tokens = list_tokens(connection)
    if not tokens:
        out.print("no API tokens yet; create one with `slawatch tokens create`")
        return
    table = Table()
    for column in ("id", "name", "starts with", "scope"):
        table.add_column(column, no_wrap=True)  # names and prefixes are what people copy
    for column in ("created by", "created", "last used", "revoked"):
        table.add_column(column)
    for token in tokens:
        table.add_row(
            str(token["id"]),
            str(token["name"]),
            f"{token['prefix']}…",
            str(token["scope"]),
            str(token["created_by"]),
            _when(token["created_at"]),
            _when(token["last_used_at"]),
            _when(token["revoked_at"]),
        )
    out.print(table)


@app.command("revoke")
def revoke_command(
    token_id: Annotated[
        int, typer.Argument(metavar="ID", help="The id from `slawatch tokens list`.")
    ],
    location: DatabaseOpt = None,
) -> None:
    """Revoke an API token; requests with it are refused from now on."""
    from slawatch.store.audit import record
    from slawatch.store.db import transaction
    from slawatch.store.tokens import revoke_token

    who = actor()
    with transaction(database(location)) as connection:
        revoked = revoke_token(connection, token_id)
        if revoked:
            record(connection, actor=who, action="token.revoke", subject=f"token:{token_id}")
    if not revoked:
        fail(f"there is no live token with id {token_id}; see `slawatch tokens list`")
    out.print(f"revoked token {token_id}", markup=False)
