"""Pupils agree before their class quiz answers join their own record.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learner") as learner:
        learner.add_column(sa.Column("class_consent_at", sa.DateTime()))


def downgrade() -> None:
    with op.batch_alter_table("learner") as learner:
        learner.drop_column("class_consent_at")
