"""Telegram's limits, as plain numbers, for everything below the adapter.

The core never imports `telegram`; these copies are pinned to `telegram.constants` by a test
(tests/test_architecture.py), so a new release of the library that moves a limit fails CI.
"""

from __future__ import annotations

MAX_MESSAGE_LENGTH = 4096  # MessageLimit.MAX_TEXT_LENGTH
MAX_CAPTION_LENGTH = 1024  # MessageLimit.CAPTION_LENGTH
MAX_CALLBACK_DATA = 64  # InlineKeyboardButtonLimit.MAX_CALLBACK_DATA (bytes)
POLL_MAX_QUESTION = 300  # PollLimit.MAX_QUESTION_LENGTH
POLL_MAX_OPTIONS = 12  # PollLimit.MAX_OPTION_NUMBER
POLL_MAX_OPTION = 100  # PollLimit.MAX_OPTION_LENGTH
POLL_MAX_EXPLANATION = 200  # PollLimit.MAX_EXPLANATION_LENGTH
POLL_MAX_EXPLANATION_LINE_FEEDS = 2  # PollLimit.MAX_EXPLANATION_LINE_FEEDS
POLL_MIN_OPEN_PERIOD = 5  # PollLimit.MIN_OPEN_PERIOD (seconds)
MESSAGES_PER_SECOND = 30  # FloodLimit.MESSAGES_PER_SECOND, across all chats
MESSAGES_PER_MINUTE_PER_GROUP = 20  # FloodLimit.MESSAGES_PER_MINUTE_PER_GROUP
