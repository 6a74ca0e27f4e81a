"""breakdown figures stored per period and grouping

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Empty after the upgrade: the evaluator fills it on its next round, and until then a
    # breakdown is read from the stored clocks as before.
    op.create_table(
        "period_breakdowns",
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("objective", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=20), nullable=False),
        sa.Column("grouping", sa.String(length=100), nullable=False),
        sa.Column("directory", sa.String(length=64), nullable=True),
        sa.Column("digest", sa.String(length=64), nullable=True),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint(
            "agreement_id", "objective", "period", "grouping", name=op.f("pk_period_breakdowns")
        ),
    )


def downgrade() -> None:
    op.drop_table("period_breakdowns")
