"""Housekeeping: a repeating job that deletes the records of learners away for too long."""

from __future__ import annotations

import logging

from bot.context import RetainApp, RetainContext

log = logging.getLogger(__name__)


async def forget_the_long_gone(context: RetainContext) -> None:
    """Delete the records of learners with no activity for the configured time."""
    removed = await context.tutor.privacy.sweep_inactive(context.tutor.core.clock())
    if removed:
        log.info("Deleted the records of %d learners inactive for too long", removed)


def register(app: RetainApp, every: float | None) -> None:
    """Schedule the job every `every` seconds (and soon after start)."""
    if app.job_queue is not None and every is not None:
        app.job_queue.run_repeating(
            forget_the_long_gone,
            interval=every,
            first=60,
            name="forget-inactive",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
