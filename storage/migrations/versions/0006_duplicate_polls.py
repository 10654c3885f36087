"""A question posted twice (two instances at once) keeps its second poll's id, so answers to it count.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "duplicatepoll",
        sa.Column("poll_id", sa.String(), primary_key=True),
        sa.Column("question_id", sa.Integer(), nullable=False),
    )
    op.create_index("ix_duplicatepoll_question_id", "duplicatepoll", ["question_id"])


def downgrade() -> None:
    op.drop_index("ix_duplicatepoll_question_id", table_name="duplicatepoll")
    op.drop_table("duplicatepoll")
