"""escalation snoozes, and since when the alerts have been watching

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 09:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("escalations") as batch_op:
        batch_op.add_column(sa.Column("snoozed_until", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("snoozed_by", sa.String(length=320), nullable=True))
        batch_op.add_column(sa.Column("snooze_reason", sa.Text(), nullable=True))
    op.create_table(
        "alert_watch",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("since", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_alert_watch")),
    )
    # A database that escalated before has been watched since its first escalation: what
    # turned bad while it was down is still news after the upgrade.
    op.execute(
        "INSERT INTO alert_watch (name, since) "
        "SELECT 'alerts', MIN(opened_at) FROM escalations HAVING COUNT(*) > 0"
    )


def downgrade() -> None:
    op.drop_table("alert_watch")
    with op.batch_alter_table("escalations") as batch_op:
        batch_op.drop_column("snooze_reason")
        batch_op.drop_column("snoozed_by")
        batch_op.drop_column("snoozed_until")
