"""The migrations build exactly the schema the code declares, and undo it."""

from __future__ import annotations

import importlib.util

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, insert, inspect, select, text

from slawatch.store.db import make_engine, transaction
from slawatch.store.migrate import (
    MIGRATIONS,
    alembic_config,
    current_revision,
    head_revision,
    needs_upgrade,
    upgrade,
)
from slawatch.store.schema import item_attributes, items, metadata


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


def test_migration_0005_turns_every_items_latest_values_into_its_history(engine: Engine):
    path = MIGRATIONS / "versions" / "0005_item_attributes.py"
    spec = importlib.util.spec_from_file_location("migration_0005", path)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    stamped = {"kind": ["lead", 5], "region": ["EU", 7], "note": ['a "quoted", one', 9]}
    with transaction(engine) as connection:
        connection.execute(
            insert(items).values(source="crm", external_id="L-1", kind="lead", attributes=stamped)
        )
        migration.backfill(connection)
        rows = connection.execute(
            select(item_attributes.c.name, item_attributes.c.value, item_attributes.c.at)
        ).all()
    assert sorted(map(tuple, rows)) == [
        ("kind", "lead", 5),
        ("note", 'a "quoted", one', 9),
        ("region", "EU", 7),
    ]


def test_a_store_that_escalated_before_0008_is_watched_since_its_first_escalation(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'old.db'}")
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        connection.execute(
            text(
                "INSERT INTO agreements (id, title, current_version, created_at) "
                "VALUES ('a', 'A', 1, 0)"
            )
        )
        for number, opened_at in ((1, 500), (2, 300)):
            connection.execute(
                text(
                    "INSERT INTO escalations (agreement_id, objective, subject, trigger, party, "
                    "opened_at, tier, detail) VALUES ('a', 'o', :s, 'breach', 'p', :at, 1, '{}')"
                ),
                {"s": f"item:{number}", "at": opened_at},
            )
    upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT since FROM alert_watch")).scalar_one() == 300
    engine.dispose()


def test_a_store_that_never_escalated_starts_watching_at_its_first_tick(engine: Engine):
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM alert_watch")).scalar_one() == 0
