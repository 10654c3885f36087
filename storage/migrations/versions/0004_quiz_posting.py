"""Class quiz questions are claimed while being posted; poll answers that arrive before their poll
is known wait to be counted.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("quizquestion") as question:
        question.add_column(sa.Column("posting_until", sa.DateTime()))
    op.create_table(
        "waitingpollanswer",
        sa.Column("poll_id", sa.String(), primary_key=True),
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("waitingpollanswer")
    with op.batch_alter_table("quizquestion") as question:
        question.drop_column("posting_until")
