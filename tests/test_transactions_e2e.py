"""One unit of work per update: every private update, poll answer and button press opens at most one
database transaction (effects a class round carries out afterwards are units of work of their own)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import event

from bot.receipts import TASK_NAME as RECEIPTS
from bot.runner import TASK_NAME
from content.schema import Bank
from tests.banks import tiny_bank
from tests.fake_telegram import FakeUser, SentMessage
from tests.harness import Harness
from tests.test_drills_and_tools_e2e import ANNA, _letter_of

MakeBot = Callable[[Bank], Awaitable[Harness]]
GROUP = -100_777
TEACHER = FakeUser(701, "Ms Obi")
AMIR = FakeUser(702, "Amir")
BEA = FakeUser(703, "Bea")


class Transactions:
    """Counts transactions begun by the update path (not by class quiz effects carried out later)."""

    def __init__(self, bot: Harness) -> None:
        assert bot.app is not None and bot.app.bot_data.tutor.database is not None
        self.count = 0
        event.listen(bot.app.bot_data.tutor.database.engine.sync_engine, "begin", self._begun)

    def _begun(self, _connection: Any) -> None:
        task = asyncio.current_task()
        if task is None or task.get_name() not in (TASK_NAME, RECEIPTS):
            self.count += 1

    async def of(self, action: Awaitable[object]) -> int:
        self.count = 0
        await action
        return self.count


async def test_every_update_runs_in_at_most_one_transaction(make_bot: MakeBot, tmp_path: Path) -> None:
    bot = await make_bot(tiny_bank(tmp_path / "bank"))
    tx = Transactions(bot)
    seen: dict[str, int] = {}

    async def measure(label: str, action: Awaitable[object]) -> None:
        seen[label] = await tx.of(action)

    [welcome] = await bot.send(ANNA, "/start")  # counted below on a second learner
    await measure("tap an awarding body (set-up)", bot.tap(ANNA, welcome, "Not sure: all of them"))
    mark = bot.fake.mark()
    again = bot.fake.messages[(ANNA.id, welcome.message_id)]
    await measure("tap a reminder time (first prompt)", bot.tap(ANNA, again, "Not now"))
    [card] = bot.sent_to(ANNA, mark)
    await measure("Reveal", bot.tap(ANNA, card, "Reveal"))
    mark = bot.fake.mark()
    await measure("Knew it (the next prompt follows)", bot.tap(ANNA, card, "Knew it"))
    [mcq] = bot.sent_to(ANNA, mark)
    right = mcq.button(_letter_of(mcq, "Focus group"))
    mark = bot.fake.mark()
    await measure("tap a multiple-choice answer (the next follows)", bot.tap_data(ANNA, mcq, right))
    [drill] = bot.sent_to(ANNA, mark)
    await measure("tap an answered prompt again", bot.tap_data(ANNA, mcq, right))
    forty = drill.button("40")
    await measure("type an unreadable answer", bot.send(ANNA, "about forty"))
    await measure("type a calculation's answer", bot.send(ANNA, "40"))
    await measure("free text", bot.send(ANNA, "hello"))
    await measure("tap a calculation's button (answered)", bot.tap_data(ANNA, drill, forty))
    await measure("Next under a worked solution", bot.tap(ANNA, drill, "Next ▶"))
    for command in [
        "/next",
        "/stats",
        "/focus",
        "/focus satisfaction",
        "/focus off",
        "/goal",
        "/goal 5",
        "/define NPS",
        "/help",
        "/nonsense",
        "/remind",
        "/remind 18:30",
        "/timezone Paris",
        "/pause 3",
        "/resume",
        "/quizname off",
        "/exam",
        "/exam 12 March",
        "/exam soonish",
        "/stats",
        "/exam off",
        "/start",
        "/quiz",
    ]:
        await measure(command, bot.send(ANNA, command))
    [focus_menu] = await bot.send(ANNA, "/focus")
    await measure("tap a focus area", bot.tap(ANNA, focus_menu, focus_menu.buttons[0][0]))
    [menu] = await bot.send(ANNA, "/remind")
    await measure("tap a reminder time (settings)", bot.tap(ANNA, menu, "07:30"))
    start = (await bot.send(ANNA, "/start"))[0]  # the welcome back, then a prompt
    await measure("tap Change course", bot.tap(ANNA, start, "Change course"))
    await measure("a forged button", bot.tap_data(ANNA, start, "v:999999"))
    await measure("/start (new learner)", bot.send(FakeUser(704, "Cal"), "/start"))

    async def block() -> None:
        await bot.fake.member_update(ANNA, "member", "kicked")
        await bot.settle()

    await measure("block the bot", block())
    _report(seen)
    assert seen["tap a multiple-choice answer (the next follows)"] == 1 and seen["/help"] == 0


def _report(seen: dict[str, int]) -> None:
    """Print the table (pytest -s shows it) and hold every update to one transaction at most."""
    width = max(len(label) for label in seen)
    print("\n".join(f"{label:<{width}}  {count}" for label, count in seen.items()))
    assert {label: count for label, count in seen.items() if count > 1} == {}


async def test_class_quiz_answers_run_in_at_most_one_transaction(bot: Harness) -> None:
    tx = Transactions(bot)
    seen: dict[str, int] = {}
    bot.fake.admins[GROUP] = {TEACHER.id}
    mark = bot.fake.mark()
    await bot.fake.group_text(TEACHER, GROUP, "/quiz 2")
    await bot.settle()
    [first] = [r for r in bot.fake.calls("sendPoll", after=mark) if r.params["chat_id"] == GROUP]

    async def answer(user: FakeUser, poll: dict[str, Any], option: int) -> None:
        await bot.fake.poll_answer(user, poll["id"], [option])
        await bot.settle()

    seen["poll answer"] = await tx.of(answer(AMIR, first.result["poll"], 0))
    await answer(BEA, first.result["poll"], 1)
    mark = bot.fake.mark()
    await bot.quiz_sweep_after(31)
    [second] = [r for r in bot.fake.calls("sendPoll", after=mark) if r.params["chat_id"] == GROUP]
    await answer(AMIR, second.result["poll"], 0)
    seen["poll answer that closes the question"] = await tx.of(answer(BEA, second.result["poll"], 0))

    bot.fake.polls_barred.add(GROUP - 1)
    bot.fake.admins[GROUP - 1] = {TEACHER.id}
    mark = bot.fake.mark()
    await bot.fake.group_text(TEACHER, GROUP - 1, "/quiz 1")
    await bot.settle()
    [question] = [
        r for r in bot.fake.calls("sendMessage", after=mark) if "Question 1 of 1" in r.params.get("text", "")
    ]
    message: SentMessage = bot.fake.message(question)
    seen["class quiz button"] = await tx.of(bot.tap(AMIR, message, "A"))
    _report(seen)
    assert seen["poll answer"] == 1
