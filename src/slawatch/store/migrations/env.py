"""Alembic environment: runs against the connection or URL slawatch hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from slawatch.store.db import make_engine
from slawatch.store.schema import metadata


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = make_engine(context.config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as fresh:
        run(fresh)
    engine.dispose()
