"""item attributes as a history

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 03:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_attributes",
        sa.Column("item_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("name", sa.String(length=1000), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("item_id", "name", "at", name=op.f("pk_item_attributes")),
        sqlite_with_rowid=False,
    )
    backfill(op.get_bind())


def backfill(bind: sa.engine.Connection) -> None:
    """Make every stored item's latest values the first rows of its history.

    Older values were never kept, so an evaluation as of an earlier instant sees these from
    the instant they were set.
    """
    if bind.dialect.name == "postgresql":
        statement = (
            "INSERT INTO item_attributes (item_id, name, at, value) "
            "SELECT items.id, j.key, (j.value ->> 1)::bigint, j.value ->> 0 "
            "FROM items, json_each(items.attributes) AS j "
            "WHERE j.value ->> 0 IS NOT NULL AND j.value ->> 1 IS NOT NULL "
            "ON CONFLICT DO NOTHING"
        )
    else:
        statement = (
            "INSERT INTO item_attributes (item_id, name, at, value) "
            "SELECT items.id, j.key, json_extract(j.value, '$[1]'), "
            "CAST(json_extract(j.value, '$[0]') AS TEXT) "
            "FROM items, json_each(items.attributes) AS j "
            "WHERE json_extract(j.value, '$[0]') IS NOT NULL "
            "AND json_extract(j.value, '$[1]') IS NOT NULL "
            "ON CONFLICT DO NOTHING"
        )
    bind.execute(sa.text(statement))


def downgrade() -> None:
    op.drop_table("item_attributes")
