"""The migrations build exactly the schema the code declares, and undo it."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from slawatch.store.migrate import current_revision, head_revision, needs_upgrade
from slawatch.store.schema import metadata


def test_the_migrated_database_matches_the_declared_schema(engine: Engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, metadata)
    assert differences == []


def test_the_database_is_at_the_newest_migration(engine: Engine):
    assert current_revision(engine) == head_revision()
    assert not needs_upgrade(engine)
    assert set(metadata.tables) <= set(inspect(engine).get_table_names())
