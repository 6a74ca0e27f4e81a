"""report subscriptions, and the reports issued when a period closes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def _agreement(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["agreement_id"], ["agreements.id"], name=op.f(f"fk_{table}_agreement_id_agreements")
    )


def upgrade() -> None:
    op.create_table(
        "report_subscriptions",
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        _agreement("report_subscriptions"),
        sa.PrimaryKeyConstraint("agreement_id", "email", name=op.f("pk_report_subscriptions")),
    )
    op.create_table(
        "report_issues",
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("period", sa.String(length=30), nullable=False),
        sa.Column("issued_at", sa.BigInteger(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        _agreement("report_issues"),
        sa.PrimaryKeyConstraint("agreement_id", "period", name=op.f("pk_report_issues")),
    )
    op.create_table(
        "report_watermarks",
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
        _agreement("report_watermarks"),
        sa.PrimaryKeyConstraint("agreement_id", name=op.f("pk_report_watermarks")),
    )


def downgrade() -> None:
    op.drop_table("report_watermarks")
    op.drop_table("report_issues")
    op.drop_table("report_subscriptions")
