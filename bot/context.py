"""The typed handler context: how handlers reach the tutor (no globals)."""

from __future__ import annotations

from typing import Any, cast

from telegram.ext import Application, CallbackContext, ExtBot

from bot.tutor.nudging import Nudger
from bot.tutor.service import Tutor

TUTOR_KEY = "tutor"
NUDGER_KEY = "nudger"
QUIZ_KEY = "class_quiz"


class RetainContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with the tutor service attached."""

    @property
    def tutor(self) -> Tutor:
        """The tutor service built by the composition root."""
        return cast(Tutor, self.bot_data[TUTOR_KEY])

    @property
    def app(self) -> RetainApp:
        """The application, typed with this context."""
        return cast(RetainApp, self.application)

    @property
    def nudger(self) -> Nudger:
        """The nudge scheduler built by the composition root."""
        return cast(Nudger, self.bot_data[NUDGER_KEY])


RetainApp = Application[Any, RetainContext, Any, Any, Any, Any]
