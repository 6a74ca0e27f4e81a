"""corrections and exclusions, their decisions, and the reason of a credit revision

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "corrections",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("item_id", Id, nullable=False),
        sa.Column("objective", sa.String(length=100), nullable=True),
        sa.Column("event_id", Id, nullable=True),
        sa.Column("event_type", sa.String(length=100), nullable=True),
        sa.Column("event_at", sa.BigInteger(), nullable=True),
        sa.Column("new_type", sa.String(length=100), nullable=True),
        sa.Column("new_at", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("proposed_by", sa.String(length=320), nullable=False),
        sa.Column("proposed_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"], name=op.f("fk_corrections_agreement_id_agreements")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["items.id"], name=op.f("fk_corrections_item_id_items")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_corrections")),
    )
    op.create_index(
        op.f("ix_corrections_agreement_id"), "corrections", ["agreement_id"], unique=False
    )
    op.create_index(op.f("ix_corrections_item_id"), "corrections", ["item_id"], unique=False)
    op.create_table(
        "correction_decisions",
        sa.Column("correction_id", Id, nullable=False),
        sa.Column("approved", sa.Boolean(), nullable=False),
        sa.Column("decided_by", sa.String(length=320), nullable=False),
        sa.Column("decided_at", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["correction_id"],
            ["corrections.id"],
            name=op.f("fk_correction_decisions_correction_id_corrections"),
        ),
        sa.PrimaryKeyConstraint("correction_id", name=op.f("pk_correction_decisions")),
    )
    with op.batch_alter_table("credit_statements") as batch:
        batch.add_column(sa.Column("revision_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("credit_statements") as batch:
        batch.drop_column("revision_reason")
    op.drop_table("correction_decisions")
    op.drop_index(op.f("ix_corrections_item_id"), table_name="corrections")
    op.drop_index(op.f("ix_corrections_agreement_id"), table_name="corrections")
    op.drop_table("corrections")
