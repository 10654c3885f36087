"""Counts kept as answers are recorded (right answers in a row, answers today and this week in the
learner's zone), worked out for every learner from their answers; a tag that changes with the
learner's item states; and an index to read a learner's latest answers without sorting all of them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

RIGHT_RUN = """
UPDATE learner SET right_run = (
    SELECT count(*) FROM answer
    WHERE answer.learner_id = learner.id AND answer.id > coalesce(
        (
            SELECT max(missed.id) FROM answer AS missed
            WHERE missed.learner_id = learner.id AND NOT missed.correct
        ),
        0
    )
)
"""

COUNTS = """
UPDATE learner SET
    answers_day = :day,
    answers_on_day = (
        SELECT count(*) FROM answer WHERE answer.learner_id = learner.id AND answer.answered_at >= :day_start
    ),
    answers_week = :monday,
    answers_in_week = (
        SELECT count(*) FROM answer WHERE answer.learner_id = learner.id AND answer.answered_at >= :week_start
    )
WHERE timezone = :zone
"""


def _stored(moment: datetime, postgres: bool) -> str | datetime:
    """A time as the tables store it: naive UTC; on SQLite, text with microseconds (so that text
    order is time order)."""
    utc = moment.astimezone(UTC)
    if postgres:
        return utc.replace(tzinfo=None)
    return f"{utc:%Y-%m-%d %H:%M:%S}.{utc.microsecond:06d}"


def _start(day: date, zone: ZoneInfo, postgres: bool) -> str | datetime:
    return _stored(datetime.combine(day, time.min, tzinfo=zone), postgres)


def upgrade() -> None:
    op.create_index("ix_answer_learner_id", "answer", ["learner_id", "id"])
    with op.batch_alter_table("learner") as learner:
        learner.add_column(sa.Column("right_run", sa.Integer(), nullable=False, server_default=sa.text("0")))
        learner.add_column(sa.Column("answers_day", sa.String()))
        learner.add_column(
            sa.Column("answers_on_day", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        learner.add_column(sa.Column("answers_week", sa.String()))
        learner.add_column(
            sa.Column("answers_in_week", sa.Integer(), nullable=False, server_default=sa.text("0"))
        )
        learner.add_column(
            sa.Column("memory_tag", sa.BigInteger(), nullable=False, server_default=sa.text("0"))
        )
    connection = op.get_bind()
    postgres = connection.dialect.name == "postgresql"
    # A random tag each, of 62 bits like Learner.memory_tag (abs() of the least integer would overflow);
    # SQLite's random() is a 64-bit integer, PostgreSQL's a float in [0, 1).
    if postgres:
        tag = "CAST(floor(random() * 4611686018427387903) AS BIGINT)"
    else:
        tag = "random() & 4611686018427387903"
    connection.execute(sa.text(f"UPDATE learner SET memory_tag = {tag}"))
    connection.execute(sa.text(RIGHT_RUN))
    # Today and this week are the learner's own: one pass per time zone, as of now.
    now = datetime.now(UTC)
    zones = connection.execute(sa.text("SELECT DISTINCT timezone FROM learner")).scalars().all()
    for name in zones:
        try:
            zone = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue  # not a zone: its learners' counts start with their next answer
        today = now.astimezone(zone).date()
        monday = today - timedelta(days=today.weekday())
        connection.execute(
            sa.text(COUNTS),
            {
                "day": today.isoformat(),
                "day_start": _start(today, zone, postgres),
                "monday": monday.isoformat(),
                "week_start": _start(monday, zone, postgres),
                "zone": name,
            },
        )


def downgrade() -> None:
    with op.batch_alter_table("learner") as learner:
        for column in (
            "memory_tag",
            "answers_in_week",
            "answers_week",
            "answers_on_day",
            "answers_day",
            "right_run",
        ):
            learner.drop_column(column)
    op.drop_index("ix_answer_learner_id", "answer")
