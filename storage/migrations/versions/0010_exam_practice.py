"""Exam practice: the learner's exam date, written answers while being written and their marks,
timed sets (mock exams) and class mock rounds.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("learner") as learners:
        learners.add_column(sa.Column("exam_date", sa.String(10)))
    with op.batch_alter_table("practiceset") as sets:
        sets.add_column(sa.Column("ends_at", sa.DateTime()))
    with op.batch_alter_table("quizround") as rounds:
        rounds.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="round"))
    op.create_table(
        "examdraft",
        sa.Column("prompt_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("text", sa.String(), nullable=False, server_default=""),
        sa.Column("messages", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_examdraft_learner_id", "examdraft", ["learner_id"])
    op.create_table(
        "exammark",
        sa.Column("prompt_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("point_id", sa.String(48), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("auto", sa.Boolean(), nullable=False),
        sa.Column("earned", sa.Boolean(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("exammark")
    op.drop_index("ix_examdraft_learner_id", table_name="examdraft")
    op.drop_table("examdraft")
    with op.batch_alter_table("quizround") as rounds:
        rounds.drop_column("kind")
    with op.batch_alter_table("practiceset") as sets:
        sets.drop_column("ends_at")
    with op.batch_alter_table("learner") as learners:
        learners.drop_column("exam_date")
