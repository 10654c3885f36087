"""A class group's course (the awarding body its rounds, reports and homework draw on) and its name
as last seen, for reports delivered in a private chat.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groupsettings") as settings:
        settings.add_column(sa.Column("course", sa.String(16)))
        settings.add_column(sa.Column("title", sa.String(128)))


def downgrade() -> None:
    with op.batch_alter_table("groupsettings") as settings:
        settings.drop_column("title")
        settings.drop_column("course")
