"""What a learner does, step by step, through the fake Bot API: set up, answer, move on."""

from __future__ import annotations

from content.schema import Answerable, ConceptCard, MetricDrill
from tests.fake_telegram import FakeUser, SentMessage
from tests.harness import Harness

RECAP = "Set done"


def answers(bot: Harness, user: FakeUser) -> list[tuple[str, str, int, str]]:
    """The answer log rows of one learner, read straight from the database."""
    return bot.sql.rows(
        "SELECT item_id, kind, correct, context FROM answer WHERE learner_id = ? ORDER BY id", user.id
    )


async def onboard(
    bot: Harness, user: FakeUser, body: str = "Pearson BTEC", time: str = "Not now"
) -> SentMessage:
    """/start, pick a body, pick a reminder time; returns the first prompt."""
    [welcome] = await bot.send(user, "/start")
    await bot.tap(user, welcome, body)
    mark = bot.fake.mark()
    await bot.tap(user, bot.fake.messages[(user.id, welcome.message_id)], time)
    [prompt] = bot.sent_to(user, mark)
    return prompt


def prompt_id_of(prompt: SentMessage) -> int:
    """The prompt row a prompt message's buttons point at."""
    return int(prompt.buttons[0][1].split(":")[1])


def item_of(bot: Harness, prompt: SentMessage) -> Answerable:
    """The bank item a prompt message shows."""
    [(item_id,)] = bot.sql.rows("SELECT item_id FROM prompt WHERE id = ?", prompt_id_of(prompt))
    item = bot.bank.answerable(item_id)
    assert item is not None
    return item


def is_prompt(message: SentMessage) -> bool:
    """A message showing a prompt (its buttons answer it)."""
    return bool(message.buttons) and message.buttons[0][1][:2] in ("v:", "t:", "m:", "d:")


async def next_prompt_after(bot: Harness, user: FakeUser, mark: int) -> SentMessage:
    """The prompt sent since `mark`; past a set's recap, the first prompt of another set."""
    sent = bot.sent_to(user, mark)
    prompts = [m for m in sent if is_prompt(m)]
    if prompts:
        return prompts[-1]
    [recap] = [m for m in sent if RECAP in m.text]
    mark = bot.fake.mark()
    await bot.tap(user, recap, "Another set ▶")
    [prompt] = [m for m in bot.sent_to(user, mark) if is_prompt(m)]
    return prompt


async def answer(bot: Harness, user: FakeUser, prompt: SentMessage, right: bool = True) -> int:
    """Answer a prompt (rightly, unless told not to) as a learner would: one tap for a challenge,
    Reveal then "Knew it" for a card, an answer then Next for a calculation. Returns the mark from
    which what followed (a tip, the next prompt or a recap) was sent."""
    item = item_of(bot, prompt)
    if isinstance(item, ConceptCard):
        await bot.tap(user, prompt, "Reveal")
        mark = bot.fake.mark()
        await bot.tap(user, prompt, "Knew it" if right else "Not yet")
        return mark
    mark = bot.fake.mark()
    await bot.tap_data(user, prompt, answer_data(item, prompt, right))
    if isinstance(item, MetricDrill):
        mark = bot.fake.mark()
        await bot.tap(user, prompt, "Next ▶")
    return mark


async def answer_and_next(
    bot: Harness, user: FakeUser, prompt: SentMessage, right: bool = True
) -> SentMessage:
    """Answer a prompt and return the next one (past a recap, the first of another set)."""
    return await next_prompt_after(bot, user, await answer(bot, user, prompt, right))


def answer_data(item: Answerable, prompt: SentMessage, right: bool) -> str:
    """The callback data of a right (or a wrong) answer button under a prompt."""
    from content.schema import MultipleChoice, TrueFalse

    if isinstance(item, TrueFalse):
        return prompt.button("True" if item.answer == right else "False")
    if isinstance(item, MultipleChoice):
        wanted = "0"
        datas = [data for _, data in prompt.buttons]
        return next(d for d in datas if (d.endswith(f":{wanted}") if right else not d.endswith(":0")))
    if isinstance(item, MetricDrill):
        with_right = [data for _, data in prompt.buttons]
        return with_right[0]
    raise AssertionError(f"no answer buttons for {item.id}")


async def prompt_of_kind(bot: Harness, user: FakeUser, first: SentMessage, kind: type) -> SentMessage:
    """Answer prompts until one of `kind` is on screen."""
    prompt = first
    for _ in range(40):
        if isinstance(item_of(bot, prompt), kind):
            return prompt
        prompt = await answer_and_next(bot, user, prompt)
    raise AssertionError(f"no {kind.__name__} prompt came up")
