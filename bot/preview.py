"""`python -m bot preview`: the tutor loop in a terminal, for content authors.

The same core as the bot (Tutor, selection, grading), the same texts (views) and the same button
data (codec), with a throwaway database and no Telegram: buttons are shown as numbered choices.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from telegram import InlineKeyboardMarkup

from bot import views
from bot.codec import ANSWER_KINDS, Action, BadCallback, answer_of, decode
from bot.tutor.service import AnswerResult, PromptResult, Status, Tutor
from content.schema import ALL_BODIES, Bank, ConceptCard
from storage.db import create_engine, create_tables, session_factory

LEARNER = 1
HELP = (
    "Type a button's number (or its letter) to tap it, or type the answer to a calculation.\n"
    "Commands: /next, /stats, /focus [area|off], /define TERM, /help, /quit."
)


def plain(text: str) -> str:
    """The HTML a message would carry, as terminal text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


@dataclass
class Screen:
    """What the terminal shows: text, then numbered buttons."""

    text: str
    markup: InlineKeyboardMarkup | None = None
    extra: list[str] = field(default_factory=list)

    @property
    def buttons(self) -> list[tuple[str, str]]:
        if self.markup is None:
            return []
        return [(b.text, str(b.callback_data)) for row in self.markup.inline_keyboard for b in row]


class Preview:
    """Drives a Tutor from typed lines, printing what a learner would see."""

    def __init__(self, tutor: Tutor, out: TextIO) -> None:
        self.tutor = tutor
        self.out = out
        self.buttons: list[tuple[str, str]] = []

    def show(self, screen: Screen) -> None:
        """Print a screen and remember its buttons."""
        print("\n" + plain(screen.text), file=self.out)
        self.buttons = screen.buttons
        if self.buttons:
            print(
                "   " + "   ".join(f"[{n}] {label}" for n, (label, _) in enumerate(self.buttons, 1)),
                file=self.out,
            )
        for line in screen.extra:
            print("\n" + plain(line), file=self.out)

    def prompt_screen(self, result: PromptResult) -> Screen:
        """A served prompt, or why there is none."""
        bank = self.tutor.bank
        if result.status is Status.OK and result.prompt is not None:
            return Screen(views.prompt_text(bank, result.prompt), views.prompt_keyboard(result.prompt))
        if result.status is Status.EMPTY:
            return Screen("No prompts in this bank for the chosen course.")
        return Screen("(already shown)")

    def answer_screen(self, result: AnswerResult) -> Screen:
        """The verdict after an answer, with any tip."""
        if result.status in (Status.OK, Status.ALREADY):
            extra = [views.tip_text(result.tip)] if result.tip else []
            return Screen(
                views.answered_text(self.tutor.bank, result), views.next_keyboard(result.prompt_id), extra
            )
        if result.status is Status.UNREADABLE and result.item is not None:
            return Screen(views.unreadable_number(result.text, result.item))  # type: ignore[arg-type]
        return Screen(views.stale_button())

    async def tap(self, data: str) -> Screen:
        """What tapping a button with `data` does."""
        tutor = self.tutor
        callback = decode(data)
        if callback.action is Action.REVEAL:
            result = await tutor.reveal(LEARNER, callback.prompt_id or 0)
            if result.status is Status.OK and isinstance(result.item, ConceptCard):
                return Screen(
                    views.revealed_text(tutor.bank, result.item), views.knew_keyboard(result.prompt_id)
                )
            return self.answer_screen(result)
        if callback.action in ANSWER_KINDS:
            kind, choice = answer_of(callback)
            return self.answer_screen(await tutor.answer(LEARNER, callback.prompt_id or 0, kind, choice))
        if callback.action is Action.NEXT:
            return self.prompt_screen(await tutor.next_prompt(LEARNER, after_prompt_id=callback.prompt_id))
        if callback.action is Action.FOCUS:
            return await self.focus(callback.value)
        if callback.action is Action.DEFINE:
            card = tutor.card(callback.value or "")
            if card is not None:
                return Screen(views.definition(tutor.bank, card.terms[0] if card.terms else card.id, card))
        return Screen(views.stale_button())

    async def focus(self, text: str | None) -> Screen:
        """Set the focus and serve the next prompt."""
        result = await self.tutor.set_focus(LEARNER, text)
        if result.options:
            return Screen(views.focus_unknown(text or "", result.options))
        screen = self.prompt_screen(await self.tutor.next_prompt(LEARNER))
        screen.text = views.focus_set(result.area) + "\n\n" + screen.text
        return screen

    async def command(self, line: str) -> Screen | None:
        """A slash command; None for /quit."""
        name, _, rest = line.partition(" ")
        tutor, rest = self.tutor, rest.strip()
        if name in ("/quit", "/exit", "/q"):
            return None
        if name == "/next":
            return self.prompt_screen(await tutor.next_prompt(LEARNER))
        if name == "/stats":
            progress = await tutor.stats(LEARNER)
            assert progress is not None
            learner, stats = progress
            return Screen(
                views.stats_text(tutor.bank, learner.awarding_body, stats, tutor.clock(), learner.timezone)
            )
        if name == "/focus":
            if not rest:
                return Screen(views.focus_menu(tutor.bank, None), views.focus_keyboard(tutor.bank))
            return await self.focus(rest)
        if name == "/define":
            if not rest:
                return Screen(views.define_usage(tutor.glossary.acronyms()))
            found = await tutor.define(rest)
            if found.card is not None:
                return Screen(views.definition(tutor.bank, found.term, found.card))
            markup = views.suggestions_keyboard(found.suggestions) if found.suggestions else None
            return Screen(views.not_in_glossary(rest, bool(found.suggestions)), markup)
        return Screen(HELP if name == "/help" else views.unknown_command(name))

    def _button_for(self, line: str) -> str | None:
        """The button a typed line means: its number, or its label (such as a letter "B").

        Under a calculation a typed number is the answer, never a button's number.
        """
        calculation = any(data.startswith(f"{Action.DRILL.value}:") for _, data in self.buttons)
        if line.isdigit() and 1 <= int(line) <= len(self.buttons) and not calculation:
            return self.buttons[int(line) - 1][1]
        for label, data in self.buttons:
            if label.casefold() == line.casefold() and not label.replace(".", "").replace("£", "").isdigit():
                return data
        return None

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the learner quits."""
        line = line.strip()
        if not line:
            return True
        if line.startswith("/"):
            screen = await self.command(line)
            if screen is None:
                return False
        elif (data := self._button_for(line)) is not None:
            try:
                screen = await self.tap(data)
            except BadCallback:
                screen = Screen(views.stale_button())
        else:
            result = await self.tutor.answer_typed(LEARNER, line)
            screen = Screen(HELP) if result.status is Status.NOT_EXPECTED else self.answer_screen(result)
        self.show(screen)
        return True


async def run_preview(bank: Bank, body: str, timezone: str, lines: TextIO, out: TextIO) -> None:
    """Run the loop until /quit or the end of input, on a database that is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="retain-preview-") as folder:
        engine = create_engine(f"sqlite:///{Path(folder) / 'preview.db'}")
        await create_tables(engine)
        try:
            tutor = Tutor(session_factory(engine), bank, timezone)
            await tutor.begin(LEARNER)
            await tutor.choose_body(LEARNER, body)
            await tutor.choose_reminder(LEARNER, None)
            preview = Preview(tutor, out)
            course = views.course_name(bank, body)
            print(f"Retain preview · {len(bank.items)} items · course: {course}\n{HELP}", file=out)
            preview.show(preview.prompt_screen(await tutor.next_prompt(LEARNER)))
            while True:
                print("\n> ", end="", file=out, flush=True)
                line = await asyncio.to_thread(lines.readline)
                if not line or not await preview.handle(line):
                    break
        finally:
            await engine.dispose()
    print("\nBye.", file=out)


def main(bank: Bank, body: str | None, timezone: str) -> int:
    """Entry point used by `python -m bot preview`."""
    known = {b.id for b in bank.catalogue.awarding_bodies}
    if body is not None and body not in known | {ALL_BODIES}:
        print(f"Unknown awarding body {body!r}; use one of: {', '.join(sorted(known))}, all", file=sys.stderr)
        return 2
    asyncio.run(run_preview(bank, body or ALL_BODIES, timezone, sys.stdin, sys.stdout))
    return 0
