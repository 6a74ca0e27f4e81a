"""incidents of the emergency plan, and their append-only timeline

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 12:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "incidents",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("agreement_id", sa.String(length=100), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("trigger_key", sa.String(length=300), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("started_at", sa.BigInteger(), nullable=False),
        sa.Column("declared_by", sa.String(length=320), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("plan", sa.JSON(), nullable=False),
        sa.Column("closed_at", sa.BigInteger(), nullable=True),
        sa.Column("closed_by", sa.String(length=320), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"], ["agreements.id"], name=op.f("fk_incidents_agreement_id_agreements")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint(
            "agreement_id", "trigger_key", name=op.f("uq_incidents_agreement_id_trigger_key")
        ),
    )
    op.create_index(
        "ix_incidents_agreement", "incidents", ["agreement_id", "started_at"], unique=False
    )
    op.create_table(
        "incident_timeline",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("incident_id", Id, nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("tier", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_timeline_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_timeline")),
        sa.UniqueConstraint(
            "incident_id",
            "action",
            "step",
            "tier",
            name=op.f("uq_incident_timeline_incident_id_action_step_tier"),
        ),
    )


def downgrade() -> None:
    op.drop_table("incident_timeline")
    op.drop_index("ix_incidents_agreement", table_name="incidents")
    op.drop_table("incidents")
