"""Privacy's replies: /privacy, /export, /forget, and agreeing that class answers count."""

from __future__ import annotations

from bot.tutor.tutor import Tutor
from bot.ui import Document, Edit, Reply, Send
from bot.views import common, privacy

DAYS_A_MONTH = 30.44


async def summary(tutor: Tutor, user_id: int) -> Reply:
    """/privacy: what is kept and why, with export, erase and the class answers' switch."""
    profile = await tutor.profiles.profile(user_id)
    started = profile is not None and profile.started
    linked = profile is not None and profile.class_consent
    months = round(tutor.privacy.keep_inactive.days / DAYS_A_MONTH)
    held = started or await tutor.privacy.holds_anything(user_id)
    return [Send(privacy.summary(started, linked, months), privacy.summary_keyboard(started, linked, held))]


async def export(tutor: Tutor, user_id: int) -> Reply:
    """/export: a file of everything stored about the learner (or about a pupil's class answers)."""
    if not await tutor.privacy.holds_anything(user_id):
        return [Send(privacy.nothing_stored())]
    found = await tutor.privacy.export(user_id)
    return [Document(found.filename, found.content, privacy.export_caption(found.rows))]


async def forget(tutor: Tutor, user_id: int) -> Reply:
    """/forget: asks first."""
    if not await tutor.privacy.holds_anything(user_id):
        return [Send(privacy.nothing_stored())]
    return [Send(privacy.forget_question(), privacy.forget_keyboard())]


def ask_consent() -> Reply:
    """The class answers' question (from a group's link to the bot)."""
    return [Send(privacy.consent_question(), privacy.consent_keyboard())]


async def button(tutor: Tutor, user_id: int, value: str | None) -> Reply:
    """A privacy button: export, erase (after asking), keep, or count class answers or not."""
    if value == "export":
        return await export(tutor, user_id)
    if value == "forget":
        return await forget(tutor, user_id)
    if value == "erase":
        await tutor.privacy.forget(user_id)
        return [Edit(privacy.forgotten())]
    if value == "keep":
        return [Edit(privacy.kept())]
    if value in ("link", "unlink"):
        if await tutor.profiles.profile(user_id) is None:
            return [Edit(common.not_started())]
        return [Edit(privacy.consent_set(await tutor.privacy.set_class_consent(user_id, value == "link")))]
    return [Edit(common.stale_button())]
