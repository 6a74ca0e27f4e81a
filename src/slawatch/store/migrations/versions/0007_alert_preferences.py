"""alert preferences: per-recipient choices, quiet hours, held and digested messages

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "alert_preferences",
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("recipient", "trigger", name=op.f("pk_alert_preferences")),
    )
    op.create_table(
        "alert_recipients",
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("quiet_hours", sa.String(length=220), nullable=False),
        sa.Column("daily_summary", sa.Boolean(), nullable=False),
        sa.Column("updated_at", sa.BigInteger(), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.PrimaryKeyConstraint("recipient", name=op.f("pk_alert_recipients")),
    )
    op.create_table(
        "alert_notices",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("dedup_key", sa.String(length=400), nullable=False),
        sa.Column("recipient", sa.String(length=320), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("language", sa.String(length=10), nullable=False),
        sa.Column("trigger", sa.String(length=40), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("escalation_id", Id, nullable=True),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("zone", sa.String(length=64), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.Column("release_at", sa.BigInteger(), nullable=False),
        sa.Column("delivery_id", Id, nullable=True),
        sa.ForeignKeyConstraint(
            ["escalation_id"],
            ["escalations.id"],
            name=op.f("fk_alert_notices_escalation_id_escalations"),
        ),
        sa.ForeignKeyConstraint(
            ["delivery_id"],
            ["deliveries.id"],
            name=op.f("fk_alert_notices_delivery_id_deliveries"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_notices")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_alert_notices_dedup_key")),
    )
    op.create_index(
        "ix_alert_notices_held", "alert_notices", ["delivery_id", "release_at"], unique=False
    )
    op.create_index(
        "ix_alert_notices_recipient", "alert_notices", ["recipient", "created_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_alert_notices_recipient", table_name="alert_notices")
    op.drop_index("ix_alert_notices_held", table_name="alert_notices")
    op.drop_table("alert_notices")
    op.drop_table("alert_recipients")
    op.drop_table("alert_preferences")
