"""Mock exams: the questions chosen for each, the results' outbox when time runs out, and a class
mock's written question (posted with its results).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "mockexam",
        sa.Column("set_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("plan", sa.String(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("ends_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("lease_until", sa.DateTime()),
        sa.Column("attempts", sa.Integer(), nullable=False),
    )
    op.create_index("ix_mockexam_learner_id", "mockexam", ["learner_id"])
    op.create_index("ix_mockexam_status_ends", "mockexam", ["status", "ends_at"])
    with op.batch_alter_table("quizround") as rounds:
        rounds.add_column(sa.Column("exam_item", sa.String(48)))


def downgrade() -> None:
    with op.batch_alter_table("quizround") as rounds:
        rounds.drop_column("exam_item")
    op.drop_index("ix_mockexam_status_ends", table_name="mockexam")
    op.drop_index("ix_mockexam_learner_id", table_name="mockexam")
    op.drop_table("mockexam")
