"""Nudges as an outbox: each day's nudge is a row from due to confirmed, so a crash or a timeout
never loses one or sends one twice.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "nudgesend",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("local_day", sa.String(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("backoff_notice", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("with_tip", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("prompt_id", sa.Integer()),
        sa.Column("message_id", sa.Integer()),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("error", sa.String()),
    )
    op.create_index("ux_nudgesend_learner_day", "nudgesend", ["learner_id", "local_day"], unique=True)
    op.create_index("ix_nudgesend_status_attempt", "nudgesend", ["status", "attempt_at"])
    op.create_index("ix_nudgesend_prompt", "nudgesend", ["prompt_id"])


def downgrade() -> None:
    op.drop_table("nudgesend")
