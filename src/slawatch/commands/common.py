"""What every database command needs: the engine from settings, refusing an old schema."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError

from slawatch.config import get_settings
from slawatch.store.db import make_engine
from slawatch.store.migrate import needs_upgrade

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


DatabaseOpt = Annotated[
    str | None,
    typer.Option(
        "--database",
        metavar="FILE|URL",
        help="The store: a SQLite file, or a database URL such as "
        "postgresql+psycopg://user@host/db. Default: $SLAWATCH_DATABASE_URL, else slawatch.db "
        "in this folder.",
        show_default=False,
    ),
]


def database_url(location: str | None) -> str:
    """Return the URL of `--database` (a file is a SQLite database), or the configured one."""
    if location is None:
        return get_settings().database_url
    if "://" in location:
        return location
    if not location.strip():
        raise typer.BadParameter("give a SQLite file or a database URL", param_hint="--database")
    return f"sqlite:///{Path(location).expanduser().resolve()}"


def missing_sqlite_file(url: str) -> Path | None:
    """Return the SQLite file of `url` when it does not exist (opening it would create it)."""
    parsed = make_url(url)
    name = parsed.database or ""
    if (
        parsed.get_backend_name() != "sqlite"
        or name in ("", ":memory:")
        or name.startswith("file:")
    ):
        return None
    path = Path(name)
    return None if path.exists() else path


def _option(location: str | None) -> str:
    return "" if location is None else f" --database {location}"


def _named_by(location: str | None) -> str:
    if location is not None:
        return "--database"
    if "SLAWATCH_DATABASE_URL" in os.environ:
        return "SLAWATCH_DATABASE_URL"
    return "the default"


def database(location: str | None = None, *, migrated: bool = True, create: bool = False) -> Engine:
    """Return the engine of `--database` or the configured database.

    With `migrated`, refuse one that needs migrating; without `create`, refuse a SQLite file
    that does not exist, rather than leave an empty one behind.
    """
    url = database_url(location)
    if not create and (missing := missing_sqlite_file(url)) is not None:
        fail(
            f"there is no database at {missing.resolve()} ({_named_by(location)}); give an "
            "existing one with --database FILE|URL, or create it with "
            f"`slawatch db upgrade{_option(location)}`",
            code=2,
        )
    engine = _open(url, location)
    if migrated and needs_upgrade(engine):
        fail(
            f"the database at {engine.url.render_as_string(hide_password=True)} needs "
            f"migrating; run `slawatch db upgrade{_option(location)}`"
        )
    return engine


def _open(url: str, location: str | None) -> Engine:
    """Return an engine that has connected once; a URL or server that fails says so."""
    try:
        engine = make_engine(url)
    except (ArgumentError, NoSuchModuleError) as error:
        raise typer.BadParameter(
            f"{url!r} is not a database URL ({error}); give a SQLite file or a URL such as "
            "postgresql+psycopg://user@host/db",
            param_hint="--database" if location is not None else "SLAWATCH_DATABASE_URL",
        ) from None
    try:
        with engine.connect():
            pass
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        fail(
            f"cannot open the database at {engine.url.render_as_string(hide_password=True)} "
            f"({_named_by(location)}): {reason}"
        )
    return engine
