"""Sets with an end, stored choices, delivery receipts, and who has started the bot.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "practiceset",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False, server_default="private"),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
    )
    op.create_index("ix_practiceset_learner_id", "practiceset", ["learner_id"])
    with op.batch_alter_table("learner") as learner:
        learner.add_column(sa.Column("started_at", sa.DateTime()))
        learner.add_column(sa.Column("set_size", sa.Integer(), nullable=False, server_default=sa.text("10")))
        learner.add_column(sa.Column("current_set_id", sa.Integer()))
        learner.add_column(sa.Column("live_prompt_id", sa.Integer()))
    # Whoever chose a course before this release had started the bot in private.
    op.execute("UPDATE learner SET started_at = created_at WHERE awarding_body IS NOT NULL")
    with op.batch_alter_table("prompt") as prompt:
        prompt.add_column(sa.Column("choice", sa.String()))
        prompt.add_column(sa.Column("set_id", sa.Integer()))
        prompt.add_column(sa.Column("position", sa.Integer()))
        prompt.add_column(sa.Column("message_id", sa.Integer()))
        prompt.add_column(sa.Column("superseded", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_index("ix_prompt_set", "prompt", ["set_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_prompt_set", "prompt")
    with op.batch_alter_table("prompt") as prompt:
        for column in ("superseded", "message_id", "position", "set_id", "choice"):
            prompt.drop_column(column)
    with op.batch_alter_table("learner") as learner:
        for column in ("live_prompt_id", "current_set_id", "set_size", "started_at"):
            learner.drop_column(column)
    op.drop_index("ix_practiceset_learner_id", "practiceset")
    op.drop_table("practiceset")
