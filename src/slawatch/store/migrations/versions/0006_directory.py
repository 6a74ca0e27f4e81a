"""the directory of people, and an index of items' owners

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "people",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("team", sa.String(length=200), nullable=True),
        sa.Column("manager", sa.String(length=300), nullable=True),
        sa.Column("party", sa.String(length=100), nullable=True),
        sa.Column("language", sa.String(length=10), nullable=True),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_people")),
    )
    op.create_index("ix_people_manager", "people", ["manager"])
    owner_rows = sa.text("name = 'owner'")
    op.create_index(
        "ix_item_attributes_owner",
        "item_attributes",
        ["value", "item_id"],
        sqlite_where=owner_rows,
        postgresql_where=owner_rows,
    )


def downgrade() -> None:
    op.drop_index("ix_item_attributes_owner", table_name="item_attributes")
    op.drop_index("ix_people_manager", table_name="people")
    op.drop_table("people")
