"""agreement versions: retroactive or not

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07 03:40:00

Versions stored before this migration were put in force from their `effective` date
whatever it was; they are marked retroactive, so every stored period keeps the version it
had and upgrading changes no figure. Versions saved from now on are sealed unless an admin
chooses otherwise.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("agreement_versions") as batch_op:
        batch_op.add_column(
            sa.Column("retroactive", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    versions = sa.table("agreement_versions", sa.column("retroactive", sa.Boolean()))
    op.execute(versions.update().values(retroactive=True))


def downgrade() -> None:
    with op.batch_alter_table("agreement_versions") as batch_op:
        batch_op.drop_column("retroactive")
