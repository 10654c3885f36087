"""End to end: an item beyond every specification tells the learner so; an ordinary item does not.

The real Application talks HTTP to the fake Bot API; the bank holds a recall card, a true/false
and a multiple-choice item of each sort, and the learner meets every one.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta
from pathlib import Path

from bot.views.common import BEYOND_SPEC
from content.loader import load_bank
from content.schema import Bank, ConceptCard
from tests.banks import write_bank
from tests.fake_telegram import FakeUser, SentMessage
from tests.flows import answer, item_of, next_prompt_after, onboard
from tests.harness import Harness

ANNA = FakeUser(301, "Anna")
MakeBot = Callable[[Bank], Awaitable[Harness]]

CONTEXT = """\
    area: satisfaction
    bodies: []
    sources: []
    beyond_spec: true
"""
CITED = """\
    area: satisfaction
    bodies: [all]
    sources: ["000"]
"""

BANK = f"""\
items:
  - id: satisfaction-ces
    kind: concept
{CONTEXT}    question: What does the Customer Effort Score measure?
    answer: How easy it was for the customer to get what they needed.
    explanation: Effort predicts loyalty better than delight does.
    terms: [CES, Customer Effort Score]
  - id: tf-ces-ease
    kind: truefalse
{CONTEXT}    statement: A high-effort experience makes a customer more likely to leave.
    answer: true
    explanation: Effort drives disloyalty.
    tests: [satisfaction-ces]
  - id: mcq-ces-scenario
    kind: mcq
{CONTEXT}    question: A bank wants to know how easy its app makes a transfer. Which metric fits?
    answer: Customer Effort Score
    wrong: [Churn rate, Average handling time]
    explanation: CES asks how easy a task was.
    tests: [satisfaction-ces]
  - id: sat-csat
    kind: concept
{CITED}    question: What is CSAT?
    answer: The share of satisfied responses.
    explanation: It rates a single interaction.
    terms: [CSAT]
  - id: tf-csat-share
    kind: truefalse
{CITED}    statement: CSAT is the share of respondents who gave a satisfied score.
    answer: true
    explanation: Satisfied scores over all who answered.
    tests: [sat-csat]
  - id: mcq-csat-scale
    kind: mcq
{CITED}    question: Which scores usually count as satisfied on a five-point CSAT scale?
    answer: 4 and 5
    wrong: [Only 5, 3 to 5]
    explanation: The top two boxes count.
    tests: [sat-csat]
"""


def labelled(message: SentMessage) -> bool:
    return BEYOND_SPEC in message.text


async def test_a_learner_sees_the_label_on_beyond_spec_items_and_only_there(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bank = load_bank(write_bank(tmp_path / "bank", BANK))
    bot = await make_bot(bank)
    prompt = await onboard(bot, ANNA)
    seen: dict[str, bool] = {}
    for _ in range(30):
        item = item_of(bot, prompt)
        asked = prompt.text  # the message as first sent (the fake applies edits to it in place)
        assert (BEYOND_SPEC in asked) == item.beyond_spec, (item.id, asked)
        if item.beyond_spec:  # on its own line, under the heading
            assert BEYOND_SPEC in asked.split("\n")[1] and asked.startswith("<b>")
        if isinstance(item, ConceptCard):  # the card with its answer shown carries it too
            await bot.tap(ANNA, prompt, "Reveal")
            assert "Did you know it?" in prompt.text
            assert labelled(prompt) == item.beyond_spec, (item.id, prompt.text)
            mark = bot.fake.mark()
            await bot.tap(ANNA, prompt, "Knew it")
        else:
            mark = await answer(bot, ANNA, prompt)
        assert prompt.text != asked  # edited with the verdict and why
        assert labelled(prompt) == item.beyond_spec, (item.id, prompt.text)
        seen[item.id] = item.beyond_spec
        if len(seen) == len(bank.items):
            break
        prompt = await next_prompt_after(bot, ANNA, mark)
    assert seen == {item_id: item.beyond_spec for item_id, item in bank.items.items()}

    [ces] = await bot.send(ANNA, "/define CES")
    assert "<b>CES</b>" in ces.text and labelled(ces)  # a definition from such a card says so too
    [csat] = await bot.send(ANNA, "/define CSAT")
    assert "<b>CSAT</b>" in csat.text and not labelled(csat)


GROUP = -100_777
TEACHER = FakeUser(302, "Mr Ode")


async def test_a_class_round_marks_beyond_spec_questions_under_the_poll(
    make_bot: MakeBot, tmp_path: Path
) -> None:
    bank = load_bank(write_bank(tmp_path / "bank", BANK))
    bot = await make_bot(bank)
    bot.fake.admins[GROUP] = {TEACHER.id}
    await bot.fake.group_text(TEACHER, GROUP, "/quiz 4")
    await bot.settle()
    seen: dict[str, bool] = {}
    for _ in range(4):
        [poll] = [r for r in bot.fake.calls("sendPoll") if r.params["chat_id"] == GROUP][len(seen) :][:1]
        item = next(
            item
            for item in bank.items.values()
            if getattr(item, "statement", getattr(item, "question", None)) == poll.params["question"]
        )
        assert ("beyond the specification: useful context" in poll.params["description"]) == item.beyond_spec
        seen[item.id] = item.beyond_spec
        bot.clock.advance(timedelta(seconds=31))
        await bot.quiz_sweep()
    assert set(seen.values()) == {True, False}  # the round had both kinds
