"""A Bot API session that answers every call itself and hands what the bot sent to the terminal.

The bot's code cannot tell it from Telegram: each call gets a proper result (a Message with a
fresh id for sends and edits, a File for ``getFile``, ``True`` for the rest), uploaded files
are read back, and a person's own documents are served to ``bot.download``.  All of that is
the fake Bot API's in-process session; this module adds only the hand-over to the screen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bench.fakebotapi.session import LocalCall, LocalSession

log = logging.getLogger(__name__)

BOT_ID = 4242
BOT_USERNAME = "tracker_try_bot"
BOT_TOKEN = f"{BOT_ID}:TRY-in-the-terminal"


@dataclass
class BotCall:
    """One Bot API call as the terminal sees it: the method, its parameters, its result."""

    method: str
    params: dict[str, Any]
    result: Any
    upload: tuple[str, bytes] | None = None  # (file name, content) of a file the bot sent


class TerminalSession(LocalSession):
    """The fake Bot API's in-process session (``bench/fakebotapi/session.py``), handing every
    answered call to the screen."""

    def __init__(self, on_call: Callable[[BotCall], None], next_id: Callable[[], int]) -> None:
        super().__init__(bot_id=BOT_ID, first_name="Трекер", username=BOT_USERNAME, next_id=next_id)
        self.on_call = on_call

    def record(self, call: LocalCall) -> None:
        if call.error is not None:  # Telegram would refuse it: the bot sees the error
            log.warning("the Bot API refuses %s: %s", call.method, call.error.description)
            return
        upload = next(iter(call.uploads.items()), None)
        try:
            self.on_call(BotCall(call.method, call.params, call.result, upload))
        except Exception:  # the screen must never break the bot's request
            log.exception("could not show %s", call.method)
