"""The schema of the first release (learners, memory, prompts, answers, tips, nudges, class rounds).

A database made before migrations existed has no `alembic_version` table: this revision then
*adopts* it, creating the tables, columns and indexes an earlier version lacked (with defaults,
so every row it holds stays valid), and creates everything on an empty database.

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

FALSE, TRUE, ZERO = sa.false(), sa.true(), sa.text("0")


def _learner() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("awarding_body", sa.String()),
        sa.Column("timezone", sa.String(), nullable=False),
        sa.Column("reminder_time", sa.String()),
        sa.Column("reminder_chosen", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("focus_area", sa.String()),
        sa.Column("daily_goal", sa.Integer()),
        sa.Column("streak_days", sa.Integer(), nullable=False, server_default=ZERO),
        sa.Column("streak_day", sa.String()),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=TRUE),
        sa.Column("next_nudge_at", sa.DateTime()),
        sa.Column("last_nudge_at", sa.DateTime()),
        sa.Column("last_nudge_day", sa.String()),
        sa.Column("nudges_sent", sa.Integer(), nullable=False, server_default=ZERO),
        sa.Column("ignored_nudges", sa.Integer(), nullable=False, server_default=ZERO),
        sa.Column("backoff_notified", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("paused_until", sa.DateTime()),
        sa.Column("last_active_at", sa.DateTime()),
        sa.Column("quiz_named", sa.Boolean(), nullable=False, server_default=TRUE),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    ]


def _itemstate() -> list[sa.Column[object]]:
    return [
        sa.Column("learner_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("item_id", sa.String(), primary_key=True),
        sa.Column("seen", sa.Integer(), nullable=False, server_default=ZERO),
        sa.Column("correct", sa.Integer(), nullable=False, server_default=ZERO),
        sa.Column("wrong", sa.Integer(), nullable=False, server_default=ZERO),
        sa.Column("streak", sa.Integer(), nullable=False, server_default=ZERO),
        sa.Column("last_answered_at", sa.DateTime()),
        sa.Column("due_at", sa.DateTime()),
        sa.Column("fsrs_state", sa.Integer()),
        sa.Column("fsrs_step", sa.Integer()),
        sa.Column("stability", sa.Float()),
        sa.Column("difficulty", sa.Float()),
    ]


def _prompt() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("context", sa.String(16), nullable=False, server_default="private"),
        sa.Column("sent_at", sa.DateTime(), nullable=False),
        sa.Column("revealed", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("revealed_at", sa.DateTime()),
        sa.Column("answered_at", sa.DateTime()),
        sa.Column("correct", sa.Boolean()),
        sa.Column("followed_up", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("params", sa.String()),
    ]


def _answer() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("learner_id", sa.BigInteger(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
        sa.Column("context", sa.String(16), nullable=False),
        sa.Column("prompt_id", sa.Integer(), unique=True),
    ]


def _tipshown() -> list[sa.Column[object]]:
    return [
        sa.Column("learner_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("tip_id", sa.String(), primary_key=True),
        sa.Column("shown_at", sa.DateTime(), nullable=False),
    ]


def _groupsettings() -> list[sa.Column[object]]:
    return [
        sa.Column("chat_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("anyone_can_start", sa.Boolean(), nullable=False, server_default=FALSE),
        sa.Column("seconds_per_question", sa.Integer(), nullable=False, server_default=sa.text("30")),
        sa.Column("default_count", sa.Integer(), nullable=False, server_default=sa.text("10")),
    ]


def _quizround() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("started_by", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime()),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("area", sa.String()),
        sa.Column("seconds_per_question", sa.Integer(), nullable=False, server_default=sa.text("30")),
        sa.Column("buttons", sa.Boolean(), nullable=False, server_default=FALSE),
    ]


def _quizquestion() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.String(), nullable=False),
        sa.Column("options", sa.String(), nullable=False),
        sa.Column("correct_option", sa.Integer(), nullable=False),
        sa.Column("poll_id", sa.String()),
        sa.Column("message_id", sa.Integer()),
        sa.Column("sent_at", sa.DateTime()),
        sa.Column("closes_at", sa.DateTime()),
        sa.Column("closed", sa.Boolean(), nullable=False, server_default=FALSE),
    ]


def _quizanswer() -> list[sa.Column[object]]:
    return [
        sa.Column("question_id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("answered_at", sa.DateTime(), nullable=False),
    ]


# table: (its columns, its indexes as (name, columns, unique))
TABLES: dict[str, tuple[Callable[[], list[sa.Column[object]]], list[tuple[str, list[str], bool]]]] = {
    "learner": (_learner, [("ix_learner_next_nudge_at", ["next_nudge_at"], False)]),
    "itemstate": (_itemstate, [("ix_itemstate_learner_due", ["learner_id", "due_at"], False)]),
    "prompt": (_prompt, [("ix_prompt_learner_id", ["learner_id", "id"], False)]),
    "answer": (_answer, [("ix_answer_learner_time", ["learner_id", "answered_at"], False)]),
    "tipshown": (_tipshown, []),
    "groupsettings": (_groupsettings, []),
    "quizround": (
        _quizround,
        [("ix_quizround_chat_id", ["chat_id"], False), ("ix_quizround_status", ["status"], False)],
    ),
    "quizquestion": (
        _quizquestion,
        [
            ("ix_quizquestion_round_id", ["round_id"], False),
            ("ix_quizquestion_closes_at", ["closes_at"], False),
            ("ix_quizquestion_poll_id", ["poll_id"], True),
        ],
    ),
    "quizanswer": (_quizanswer, []),
}


def upgrade() -> None:
    inspector = sa.inspect(op.get_bind())
    for name, (columns, indexes) in TABLES.items():
        if not inspector.has_table(name):
            op.create_table(name, *columns())
            present_indexes: set[str] = set()
        else:
            present = {column["name"] for column in inspector.get_columns(name)}
            for column in columns():
                if column.name not in present:
                    op.add_column(name, column)
            present_indexes = {str(index["name"]) for index in inspector.get_indexes(name)}
        for index, on, unique in indexes:
            if index not in present_indexes:
                op.create_index(index, name, on, unique=unique)


def downgrade() -> None:
    for name in reversed(list(TABLES)):
        op.drop_table(name)
