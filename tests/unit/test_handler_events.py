"""What handlers take for granted about an event fails loudly when it is missing."""

import datetime as dt

import pytest
from aiogram.types import CallbackQuery, Chat, InaccessibleMessage, Message, User

from handlers.events import (
    MissingInEvent,
    bot_of,
    pressed_in,
    pressed_message,
    registered,
    sender_id,
)

CHAT = Chat(id=5, type="private")
PERSON = User(id=5, is_bot=False, first_name="Оля")
NOW = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)


def _message(**fields):
    return Message(message_id=1, date=NOW, chat=CHAT, **fields)


def _callback(message=None):
    return CallbackQuery(id="1", from_user=PERSON, chat_instance="c", message=message)


def test_the_sender_of_a_message():
    assert sender_id(_message(from_user=PERSON)) == 5
    with pytest.raises(MissingInEvent):
        sender_id(_message())  # a channel post has no sender


def test_an_event_not_bound_to_a_bot():
    with pytest.raises(MissingInEvent):
        bot_of(_message(from_user=PERSON))


def test_the_pressed_message_may_be_too_old_to_edit_but_not_to_answer_under():
    old = InaccessibleMessage(chat=CHAT, message_id=7)
    assert pressed_in(_callback(old)) is old
    with pytest.raises(MissingInEvent):
        pressed_message(_callback(old))
    fresh = _message(text="карточка")
    assert pressed_message(_callback(fresh)) is fresh
    with pytest.raises(MissingInEvent):
        pressed_in(_callback())  # an inline-mode button: no message at all


def test_a_handler_behind_the_consent_gate_has_a_user_record():
    with pytest.raises(MissingInEvent):
        registered(None)
