"""disputes and their timelines

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "disputes",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.String(length=20), nullable=False),
        sa.Column("objective", sa.String(length=100), nullable=True),
        sa.Column("item_id", Id, nullable=True),
        sa.Column("period", sa.String(length=20), nullable=True),
        sa.Column("party", sa.String(length=100), nullable=True),
        sa.Column("disputing_party", sa.String(length=100), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("opened_by", sa.String(length=320), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("next_step_at", sa.BigInteger(), nullable=True),
        sa.Column("decided_at", sa.BigInteger(), nullable=True),
        sa.Column("decided_by", sa.String(length=320), nullable=True),
        sa.Column("decision_reason", sa.Text(), nullable=True),
        sa.Column("correction_id", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"], name=op.f("fk_disputes_agreement_id_agreements")
        ),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_disputes_item_id_items")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disputes")),
    )
    op.create_index("ix_disputes_agreement_status", "disputes", ["agreement_id", "status"])
    op.create_index("ix_disputes_item", "disputes", ["item_id"])
    op.create_index("ix_disputes_status_next", "disputes", ["status", "next_step_at"])
    op.create_table(
        "dispute_entries",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("dispute_id", Id, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("text", sa.Text(), nullable=True),
        sa.Column("links", sa.JSON(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=True),
        sa.Column("step", sa.String(length=20), nullable=True),
        sa.ForeignKeyConstraint(
            ["dispute_id"], ["disputes.id"], name=op.f("fk_dispute_entries_dispute_id_disputes")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dispute_entries")),
        sa.UniqueConstraint("dispute_id", "step", name=op.f("uq_dispute_entries_dispute_id_step")),
    )


def downgrade() -> None:
    op.drop_table("dispute_entries")
    op.drop_index("ix_disputes_status_next", table_name="disputes")
    op.drop_index("ix_disputes_item", table_name="disputes")
    op.drop_index("ix_disputes_agreement_status", table_name="disputes")
    op.drop_table("disputes")
