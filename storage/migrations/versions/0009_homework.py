"""Homework (/homework): a teacher's set for each pupil of the class who agreed, delivered through an
outbox like nudges, with its reminder and result; and the pool a homework set draws on.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("practiceset") as sets:
        sets.add_column(sa.Column("course", sa.String(16)))
        sets.add_column(sa.Column("area", sa.String(64)))
    op.create_table(
        "homework",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(128)),
        sa.Column("set_by", sa.BigInteger(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("course", sa.String(16)),
        sa.Column("area", sa.String(64)),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("cancelled_at", sa.DateTime()),
    )
    op.create_index("ix_homework_chat_id", "homework", ["chat_id"])
    op.create_table(
        "homeworkpupil",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("homework_id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(128)),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempt_at", sa.DateTime(), nullable=False),
        sa.Column("lease_until", sa.DateTime()),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("set_id", sa.Integer()),
        sa.Column("prompt_id", sa.Integer()),
        sa.Column("delivered_at", sa.DateTime()),
        sa.Column("remind_at", sa.DateTime()),
        sa.Column("reminded_at", sa.DateTime()),
        sa.Column("completed_at", sa.DateTime()),
        sa.Column("answered", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("right", sa.Integer(), nullable=False, server_default=sa.text("0")),
        sa.Column("error", sa.String()),
    )
    op.create_index(
        "ux_homeworkpupil_homework_learner", "homeworkpupil", ["homework_id", "learner_id"], unique=True
    )
    op.create_index("ix_homeworkpupil_status_attempt", "homeworkpupil", ["status", "attempt_at"])
    op.create_index("ix_homeworkpupil_remind", "homeworkpupil", ["remind_at"])
    op.create_index("ix_homeworkpupil_learner_id", "homeworkpupil", ["learner_id"])
    op.create_index("ix_homeworkpupil_set_id", "homeworkpupil", ["set_id"])


def downgrade() -> None:
    op.drop_table("homeworkpupil")
    op.drop_table("homework")
    with op.batch_alter_table("practiceset") as sets:
        sets.drop_column("area")
        sets.drop_column("course")
