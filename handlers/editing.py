"""Showing the result of a button in place, when Telegram lets us.

The action behind a button has already succeeded when its message is edited.  An edit can
still fail: the message was deleted («message to edit not found»), is too old to edit, or
already shows this («message is not modified»).  None of that is the user's problem: the
result is sent as a new message where needed, and the failed edit is only logged, quietly.
"""

from __future__ import annotations

import logging

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup

from handlers.events import bot_of

log = logging.getLogger(__name__)


def not_modified(error: TelegramBadRequest) -> bool:
    return "not modified" in error.message


async def show_result(
    callback: CallbackQuery, text: str, reply_markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replace the pressed message with ``text``; send it anew if that message is gone."""
    message = callback.message
    if message is None:  # a button of an inline-mode message: there is no chat to edit
        await bot_of(callback).send_message(callback.from_user.id, text, reply_markup=reply_markup)
        return
    try:
        await bot_of(callback).edit_message_text(
            text=text,
            chat_id=message.chat.id,
            message_id=message.message_id,
            reply_markup=reply_markup,
        )
    except TelegramBadRequest as error:
        if not_modified(error):
            log.debug("edit skipped: the message already shows this")
            return
        log.info("edit failed (%s): the result goes as a new message", error.message)
        await bot_of(callback).send_message(message.chat.id, text, reply_markup=reply_markup)


async def drop_buttons(callback: CallbackQuery) -> None:
    """Remove the keyboard of the pressed message; a message that cannot be edited keeps it."""
    message = callback.message
    if message is None:
        return
    try:
        await bot_of(callback).edit_message_reply_markup(
            chat_id=message.chat.id, message_id=message.message_id, reply_markup=None
        )
    except TelegramBadRequest as error:
        log.info("keyboard not removed: %s", error.message)
