"""The fake Bot API's in-process session: what the harness, `bot try` and delivery tests share."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bench.fakebotapi.session import LocalCall, LocalSession


class Keeping(LocalSession):
    def __init__(self) -> None:
        super().__init__(bot_id=7, first_name="Бот", username="kept_bot", first_message_id=10)
        self.calls: list[LocalCall] = []

    def record(self, call: LocalCall) -> None:
        self.calls.append(call)


@pytest.fixture
async def session_bot() -> AsyncIterator[tuple[Keeping, Bot]]:
    session = Keeping()
    bot = Bot("7:LOCAL", session=session, default=DefaultBotProperties(parse_mode="HTML"))
    yield session, bot
    await bot.session.close()


def keyboard(data: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text="Да", callback_data=data)]]
    )


async def test_sends_get_fresh_ids_and_edits_apply(session_bot) -> None:
    session, bot = session_bot
    assert (await bot.get_me()).username == "kept_bot"
    first = await bot.send_message(1, "<b>Раз</b>", reply_markup=keyboard("a"))
    second = await bot.send_message(1, "Два")
    assert (first.message_id, second.message_id) == (10, 11)
    edited = await bot.edit_message_text("Три", chat_id=1, message_id=first.message_id)
    assert not isinstance(edited, bool) and edited.text == "Три" and edited.reply_markup is None
    assert session.messages[first.message_id]["text"] == "Три"
    assert [c.method for c in session.calls] == [
        "getMe",
        "sendMessage",
        "sendMessage",
        "editMessageText",
    ]
    assert session.calls[1].params["parse_mode"] == "HTML"  # the bot's default, as sent


async def test_uploads_are_kept_and_downloads_served(session_bot, tmp_path) -> None:
    session, bot = session_bot
    sent = await bot.send_document(1, BufferedInputFile(b"%PDF", "a.pdf"))
    assert sent.document is not None and sent.document.file_name == "a.pdf"
    assert session.calls[-1].uploads == {"a.pdf": b"%PDF"}
    theirs = session.add_file("скан.png", b"PNG")
    target = tmp_path / "got.png"
    await bot.download(theirs, destination=target)
    assert target.read_bytes() == b"PNG"


@pytest.mark.parametrize(
    ("text", "markup", "description"),
    [
        ("Иванов & сыновья", None, "can't parse entities"),
        ("<b>незакрыт", None, "can't parse entities"),
        ("кнопка", keyboard("x" * 65), "BUTTON_DATA_INVALID"),
    ],
)
async def test_refuses_what_telegram_refuses(session_bot, text, markup, description) -> None:
    session, bot = session_bot
    with pytest.raises(TelegramBadRequest, match=description):
        await bot.send_message(1, text, reply_markup=markup)
    assert session.calls[-1].error is not None and session.calls[-1].result is None
    assert session.messages == {}
