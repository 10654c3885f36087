"""`python -m bot`: check the bank, then run the bot; `python -m bot preview`: try it in a terminal;
`python -m bot backup PATH`: copy the SQLite database while the bot runs."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sqlite3
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings
from content.loader import ContentError, load_bank
from storage.db import Database, DatabaseUnusable, describe

NO_TOKEN = """\
Retain needs a Telegram bot token to run.

  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Choose a name and a username; BotFather replies with a token like 123456:ABC-DEF...
  3. Copy .env.example to .env and put the token after TELEGRAM_BOT_TOKEN=
     (or set the TELEGRAM_BOT_TOKEN environment variable).

Then run the same command again."""


def redact(text: str, token: str, others: tuple[str, ...] = ()) -> str:
    """`text` with the bot token (and its secret half, should it appear alone) and any `others`
    (the webhook's secret) blanked out."""
    secret = token.partition(":")[2]
    text = text.replace(token, "<token>")
    text = text.replace(secret, "<token>") if len(secret) >= 8 else text
    for other in others:
        text = text.replace(other, "<secret>")
    return text


class RedactingFormatter(logging.Formatter):
    """Formats log lines, tracebacks included, with the bot token blanked out."""

    def __init__(self, fmt: str, token: str, others: tuple[str, ...] = ()) -> None:
        super().__init__(fmt)
        self.token = token
        self.others = others

    def format(self, record: logging.LogRecord) -> str:
        """The line as the standard formatter writes it, redacted."""
        return redact(super().format(record), self.token, self.others)


class ExplainedElsewhere(logging.Filter):
    """Drops the library's traceback for a rejected token: the run command explains it in a line."""

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a record carrying the rejected-token error."""
        error = record.exc_info[1] if record.exc_info else None
        return type(error).__name__ != "InvalidToken"


def configure_logging(level: str, token: str, others: tuple[str, ...] = ()) -> None:
    """Log to stderr at `level`, with the token (and `others`) redacted and request URLs kept quiet."""
    handler = logging.StreamHandler()
    fmt = "%(asctime)s %(levelname)s %(name)s: %(message)s"
    handler.setFormatter(RedactingFormatter(fmt, token, others))
    handler.addFilter(ExplainedElsewhere())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    # httpx logs every request URL at INFO, and Bot API URLs contain the token.
    logging.getLogger("httpx").setLevel(logging.WARNING)


def main(argv: list[str] | None = None) -> int:
    """Run Retain; exit status 2 for missing or bad settings, 1 for a broken content bank."""
    parser = argparse.ArgumentParser(prog="python -m bot", description="Run the Retain Telegram bot.")
    sub = parser.add_subparsers(dest="command")
    preview = sub.add_parser("preview", help="try the tutor in this terminal, no Telegram needed")
    preview.add_argument("--content", type=Path, help="a bank folder to try (default: the configured one)")
    preview.add_argument("--body", help="an awarding body id to revise for (default: all of them)")
    backup = sub.add_parser("backup", help="copy the SQLite database to PATH, safely while the bot runs")
    backup.add_argument("path", type=Path, help="the file to write (it must not exist yet)")
    args = parser.parse_args(argv)
    try:
        settings = Settings()
    except ValidationError as exc:
        print("Retain's settings are not valid:", file=sys.stderr)
        for error in exc.errors():
            name = ".".join(str(p) for p in error["loc"]).upper()
            print(f"  {name}: {error['msg']}", file=sys.stderr)
        return 2
    if args.command == "preview":
        return _preview(args.content or settings.content_dir, args.body, settings.default_timezone)
    if args.command == "backup":
        return _backup(settings.database_url, args.path)
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        bank = load_bank(settings.content_dir)
    except ContentError as exc:
        print("Retain will not start: the content bank has problems.", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    token = settings.telegram_bot_token.get_secret_value()
    webhook_secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else None
    configure_logging(settings.log_level, token, (webhook_secret,) if webhook_secret else ())
    try:
        asyncio.run(_check_database(settings.database_url))
    except DatabaseUnusable as exc:
        print(f"Retain cannot use its database ({describe(settings.database_url)}): {exc}", file=sys.stderr)
        print("Check DATABASE_URL, and that the folder and file can be written.", file=sys.stderr)
        return 2
    from telegram.error import InvalidToken  # late: the checks above need none of it

    from bot.app import run

    try:
        run(settings, bank)
    except InvalidToken:
        print(
            "Telegram refused the bot token. Check TELEGRAM_BOT_TOKEN: @BotFather shows your bot's token "
            "(/mybots, then API Token).",
            file=sys.stderr,
        )
        return 2
    return 0


async def _check_database(url: str) -> None:
    """Open the database, check it can be written and bring its schema up to date."""
    database = Database(url)
    try:
        await database.prepare()
    finally:
        await database.close()


def _backup(database_url: str, path: Path) -> int:
    from storage.ops import NotSQLite, backup_sqlite

    try:
        done = backup_sqlite(database_url, path)
    except NotSQLite:
        print(
            f"`backup` copies a SQLite database; DATABASE_URL is {describe(database_url)}. "
            "Back up PostgreSQL with pg_dump (see docs/deploy.md).",
            file=sys.stderr,
        )
        return 2
    except (OSError, sqlite3.Error) as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"Backed up {describe(database_url)} to {done.path} ({done.answers} answers recorded).")
    return 0


def _preview(content: Path, body: str | None, timezone: str) -> int:
    try:
        # A teacher's new file need not meet the shipped bank's floors to be tried out.
        bank = load_bank(content, floors=False)
    except ContentError as exc:
        print("The content has problems; fix them and try again:", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    from bot.preview import main as preview_main

    return preview_main(bank, body, timezone)


if __name__ == "__main__":
    sys.exit(main())
