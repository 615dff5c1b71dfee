"""What a handler may take for granted about the events it is given.

aiogram types as optional every field Telegram may leave out.  The bot talks in private chats
only and its buttons are on its own messages, so the sender of a message, the bot an event
came through and the message a button was pressed on are always there; these say so once
(for the reader and for mypy) and fail loudly should Telegram ever send otherwise.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import CallbackQuery, InaccessibleMessage, Message, User

from storage.users import UserRecord


class MissingInEvent(RuntimeError):
    """An event lacks what every event of its kind here has (a bug or a new Telegram case)."""


def sender(message: Message) -> User:
    """Whoever wrote the message (channel posts never reach the routers)."""
    if message.from_user is None:
        raise MissingInEvent("a message without a sender")
    return message.from_user


def sender_id(message: Message) -> int:
    return sender(message).id


def bot_of(event: Message | CallbackQuery) -> Bot:
    """The bot the event came through (aiogram binds every event it dispatches to one)."""
    if event.bot is None:
        raise MissingInEvent("an event not bound to a bot")
    return event.bot


def pressed_in(callback: CallbackQuery) -> Message | InaccessibleMessage:
    """The message whose button was pressed: answers go to its chat.  It may be too old to
    read or edit (InaccessibleMessage); there is none only for inline-mode messages, which
    the bot never sends."""
    if callback.message is None:
        raise MissingInEvent("a button not on a message")
    return callback.message


def pressed_message(callback: CallbackQuery) -> Message:
    """The message whose button was pressed, to read or edit: Telegram hands over only the
    chat and id of a message older than 48 hours, and such a message cannot be edited."""
    message = pressed_in(callback)
    if isinstance(message, InaccessibleMessage):
        raise MissingInEvent("the pressed message is no longer accessible")
    return message


def registered(user: UserRecord | None) -> UserRecord:
    """The sender's record: there is one for whoever got past the consent gate
    (handlers/privacy.py), which every handler but the gate's own sits behind."""
    if user is None:
        raise MissingInEvent("a handler behind the consent gate without a user record")
    return user
