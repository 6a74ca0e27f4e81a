"""What every database command needs: the engine from settings, refusing an old schema."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console
from sqlalchemy import Engine

from slawatch.config import get_settings
from slawatch.store.db import make_engine
from slawatch.store.migrate import needs_upgrade

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(message, markup=False, highlight=False)
    raise typer.Exit(code)


def database(*, migrated: bool = True, url: str | None = None) -> Engine:
    """Return the configured database's engine (or `url`'s); with `migrated`, refuse an old one."""
    engine = make_engine(url or get_settings().database_url)
    if migrated and needs_upgrade(engine):
        fail(
            f"the database at {engine.url.render_as_string(hide_password=True)} needs "
            "migrating; run `slawatch db upgrade`"
        )
    return engine
