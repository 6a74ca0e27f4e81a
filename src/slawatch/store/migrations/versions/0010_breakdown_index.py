"""a period's clocks indexed with what a breakdown reads of each

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 10:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

NAME = "ix_item_clocks_objective_period_state"
NARROW = ["agreement_id", "objective", "period", "state"]
COVERING = [*NARROW, "elapsed_us", "stopped_at", "item_id"]


def upgrade() -> None:
    # A breakdown reads a period's 60,000 clocks: with their elapsed time, stop and item in the
    # index, the database reads the index alone instead of looking up every clock's row.
    op.drop_index(NAME, table_name="item_clocks")
    op.create_index(NAME, "item_clocks", COVERING)


def downgrade() -> None:
    op.drop_index(NAME, table_name="item_clocks")
    op.create_index(NAME, "item_clocks", NARROW)
