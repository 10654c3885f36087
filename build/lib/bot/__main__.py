"""`python -m bot`: check the bank, then run the bot; `python -m bot preview`: try it in a terminal."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from pydantic import ValidationError

from bot.config import Settings
from content.loader import ContentError, load_bank

NO_TOKEN = """\
Retain needs a Telegram bot token to run.

  1. In Telegram, open a chat with @BotFather and send /newbot.
  2. Choose a name and a username; BotFather replies with a token like 123456:ABC-DEF...
  3. Copy .env.example to .env and put the token after TELEGRAM_BOT_TOKEN=
     (or set the TELEGRAM_BOT_TOKEN environment variable).

Then run the same command again."""


class RedactToken(logging.Filter):
    """Keeps the bot token out of every log line, whatever logs it."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<token>")
            record.args = None
        return True


def configure_logging(level: str, token: str) -> None:
    """Log to stderr at `level`, with the token redacted and request URLs kept quiet."""
    handler = logging.StreamHandler()
    handler.addFilter(RedactToken(token))
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
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
    if settings.telegram_bot_token is None:
        print(NO_TOKEN, file=sys.stderr)
        return 2
    try:
        bank = load_bank(settings.content_dir)
    except ContentError as exc:
        print("Retain will not start: the content bank has problems.", file=sys.stderr)
        print(exc, file=sys.stderr)
        return 1
    configure_logging(settings.log_level, settings.telegram_bot_token.get_secret_value())
    from bot.app import run  # imported late: the checks above need none of Telegram's machinery

    run(settings, bank)
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
