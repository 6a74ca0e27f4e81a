"""The migrations build exactly the schema the code declares, and undo it."""

from __future__ import annotations

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text

from slawatch.store.db import make_engine
from slawatch.store.migrate import (
    alembic_config,
    current_revision,
    head_revision,
    needs_upgrade,
    upgrade,
)
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


def test_versions_stored_before_sealed_history_keep_their_meaning(tmp_path):
    """Upgrading marks stored versions retroactive: each stays in force from its own date."""
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
        connection.execute(
            text(
                "INSERT INTO agreements (id, title, current_version, created_at) "
                "VALUES ('a', 'A', 2, 0)"
            )
        )
        for version in (1, 2):
            connection.execute(
                text(
                    "INSERT INTO agreement_versions "
                    "(agreement_id, version, yaml, effective, author, reason, created_at) "
                    "VALUES ('a', :v, '', '2026-01-01', 't', '', 0)"
                ),
                {"v": version},
            )
    upgrade(engine)
    with engine.connect() as connection:
        flags = connection.execute(
            text("SELECT retroactive FROM agreement_versions ORDER BY version")
        ).scalars()
        assert [bool(flag) for flag in flags] == [True, True]
    engine.dispose()
