"""`slawatch db`: schema migrations."""

from __future__ import annotations

import typer

from slawatch.commands.common import DatabaseOpt, database, out
from slawatch.store.migrate import current_revision, head_revision, upgrade

app = typer.Typer(help="The database schema.", no_args_is_help=True)


@app.command("upgrade")
def upgrade_command(location: DatabaseOpt = None) -> None:
    """Migrate the database to the newest schema (creates it when empty)."""
    engine = database(location, migrated=False, create=True)
    before = current_revision(engine)
    upgrade(engine)
    target = engine.url.render_as_string(hide_password=True)
    if before == head_revision():
        out.print(f"{target} is up to date (revision {before})", markup=False)
    else:
        out.print(f"{target} migrated from {before or 'empty'} to {head_revision()}", markup=False)


@app.command("status")
def status_command(location: DatabaseOpt = None) -> None:
    """Show the database's schema revision and whether it needs migrating."""
    engine = database(location, migrated=False)
    current, head = current_revision(engine), head_revision()
    state = "up to date" if current == head else "needs `slawatch db upgrade`"
    out.print(f"revision {current or 'none'} (newest {head}): {state}", markup=False)
