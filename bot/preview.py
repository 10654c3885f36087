"""`python -m bot preview`: the tutor loop in a terminal, for content authors.

The same core, the same presenters and the same routing as the bot (`bot.presenters.router`),
with a throwaway database and no Telegram: buttons are shown as numbered choices.
"""

from __future__ import annotations

import asyncio
import html
import re
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from bot.codec import Action
from bot.presenters import router
from bot.presenters.revise import prompt_reply
from bot.tutor.tutor import Tutor
from bot.ui import Button, Chart, ClearButtons, Document, Edit, EditButtons, Reply, Send, Toast, buttons_of
from bot.views.common import course_name
from content.drills import parse_answer
from content.schema import ALL_BODIES, Bank
from storage.db import Database

LEARNER = 1
HELP = (
    "Type a button's number (or its letter) to tap it, or type the answer to a calculation.\n"
    "Commands: /next, /stats, /focus [area|off], /define TERM, /goal, /help, /quit."
)
QUIT = ("/quit", "/exit", "/q")


def plain(text: str) -> str:
    """The HTML a message would carry, as terminal text."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


class Preview:
    """Drives the tutor from typed lines, printing what a learner would see."""

    def __init__(self, tutor: Tutor, out: TextIO) -> None:
        self.tutor = tutor
        self.out = out
        self.buttons: list[Button] = []

    def show(self, reply: Reply) -> None:
        """Print a reply; the buttons of its last message become the numbered choices."""
        for op in reply:
            if isinstance(op, Send | Edit):
                print("\n" + plain(op.text), file=self.out)
                self.buttons = buttons_of(op.keyboard)
                if self.buttons:
                    choices = "   ".join(f"[{n}] {b.label}" for n, b in enumerate(self.buttons, 1))
                    print("   " + choices, file=self.out)
            elif isinstance(op, Chart):
                print("\n" + plain(op.fallback), file=self.out)
            elif isinstance(op, Document):
                print(
                    f"\n[a file: {op.filename}, {len(op.content)} bytes] {plain(op.caption)}", file=self.out
                )
            elif isinstance(op, Toast) and op.text:
                print(f"\n({plain(op.text)})", file=self.out)
            elif isinstance(op, ClearButtons):
                self.buttons = []
            elif isinstance(op, EditButtons):
                self.buttons = buttons_of(op.keyboard)
                if self.buttons:
                    choices = "   ".join(f"[{n}] {b.label}" for n, b in enumerate(self.buttons, 1))
                    print("   " + choices, file=self.out)

    def _button_for(self, line: str) -> str | None:
        """The button a typed line means: its number, or its label (such as a letter "B").

        Under a calculation a typed number is the answer, never a button's number.
        """
        calculation = any(b.data.startswith(f"{Action.DRILL.value}:") for b in self.buttons)
        if line.isdigit() and 1 <= int(line) <= len(self.buttons) and not calculation:
            return self.buttons[int(line) - 1].data
        for button in self.buttons:
            label = button.label
            if label.casefold() == line.casefold() and parse_answer(label) is None:
                return button.data
        return None

    async def handle(self, line: str) -> bool:
        """Act on one typed line; False when the learner quits."""
        line = line.strip()
        if not line:
            return True
        if line.split()[0] in QUIT:
            return False
        if line.split()[0] == "/help":
            print("\n" + HELP, file=self.out)
            return True
        if line.startswith("/"):
            reply = await router.command(self.tutor, LEARNER, line)
        elif (data := self._button_for(line)) is not None:
            reply = await router.button(self.tutor, LEARNER, data)
        else:
            reply = await router.text(self.tutor, LEARNER, line)
        self.show(reply)
        return True


async def run_preview(bank: Bank, body: str, timezone: str, lines: TextIO, out: TextIO) -> None:
    """Run the loop until /quit or the end of input, on a database that is deleted afterwards."""
    with tempfile.TemporaryDirectory(prefix="retain-preview-") as folder:
        database = Database(f"sqlite:///{Path(folder) / 'preview.db'}")
        await database.prepare()
        try:
            tutor = Tutor.open(database, bank, timezone)
            await tutor.profiles.start(LEARNER)
            await tutor.profiles.choose_body(LEARNER, body)
            result = await tutor.profiles.choose_reminder(LEARNER, None)
            preview = Preview(tutor, out)
            print(
                f"Retain preview · {len(bank.items)} items · course: {course_name(bank, body)}\n{HELP}",
                file=out,
            )
            if result.prompt is not None:
                preview.show(prompt_reply(bank, result.prompt))
            while True:
                print("\n> ", end="", file=out, flush=True)
                line = await asyncio.to_thread(lines.readline)
                if not line or not await preview.handle(line):
                    break
        finally:
            await database.close()
    print("\nBye.", file=out)


def main(bank: Bank, body: str | None, timezone: str) -> int:
    """Entry point used by `python -m bot preview`."""
    known = {b.id for b in bank.catalogue.awarding_bodies}
    if body is not None and body not in known | {ALL_BODIES}:
        print(f"Unknown awarding body {body!r}; use one of: {', '.join(sorted(known))}, all", file=sys.stderr)
        return 2
    asyncio.run(run_preview(bank, body or ALL_BODIES, timezone, sys.stdin, sys.stdout))
    return 0
