"""The fake Bot API server against a real aiogram Bot over loopback HTTP."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiogram import Bot, Dispatcher, F, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramConflictError,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BotCommand,
    BotCommandScopeChat,
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)

from bench.fakebotapi import FakeBotAPI, parse_html, utf16_len
from bench.fakebotapi.validation import ApiError

TOKEN = "123456:TEST"
USER = 1001


def keyboard(*buttons: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d)] for t, d in buttons]
    )


@pytest.fixture
async def server() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI(token=TOKEN) as fake:
        yield fake


def make_bot(server: FakeBotAPI, token: str = TOKEN) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url), timeout=60)
    return Bot(token, session=session, default=DefaultBotProperties(parse_mode="HTML"))


@pytest.fixture
async def bot(server: FakeBotAPI) -> AsyncIterator[Bot]:
    bot = make_bot(server)
    yield bot
    await bot.session.close()


# --- round trips ------------------------------------------------------------------------


async def test_get_me(bot: Bot) -> None:
    me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert me.username == "test_bot"
    assert me.supports_inline_queries


async def test_send_message_round_trip(server: FakeBotAPI, bot: Bot) -> None:
    server.user(USER, "Анна", username="anna")
    sent = await bot.send_message(
        USER, "Привет, <b>Анна</b> &amp; 😀 <i>ок</i>", reply_markup=keyboard(("Да", "yes"))
    )
    assert sent.text == "Привет, Анна & 😀 ок"
    assert sent.from_user is not None and sent.from_user.id == 123456
    assert sent.chat.first_name == "Анна" and sent.chat.type == "private"
    assert [(e.type, e.offset, e.length) for e in sent.entities or []] == [
        ("bold", 8, 4),
        ("italic", 18, 2),  # the emoji is two UTF-16 units
    ]
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "yes"

    request = await server.wait_for_request("sendMessage", chat_id=USER, timeout=30)
    assert request.params["parse_mode"] == "HTML"
    assert request.params["text"].startswith("Привет, <b>")
    assert request.params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Да", "callback_data": "yes"}]]
    }
    assert request.result["message_id"] == sent.message_id
    assert server.sent_messages(USER)[-1]["text"] == sent.text


async def test_message_ids_increase_per_chat_and_are_shared_with_the_user(
    server: FakeBotAPI, bot: Bot
) -> None:
    user = server.user(USER)
    first = await bot.send_message(USER, "one")
    update = await user.send("hello")
    second = await bot.send_message(USER, "two")
    other = await bot.send_message(USER + 1, "elsewhere")
    assert (first.message_id, update["message"]["message_id"], second.message_id) == (1, 2, 3)
    assert other.message_id == 1
    assert [m["text"] for m in user.messages] == ["one", "two"]
    assert [m["message_id"] for m in server.chat_history(USER)] == [1, 2, 3]


async def test_user_command_gets_bot_command_entity(server: FakeBotAPI) -> None:
    update = await server.user(USER).send("/start inv_abc123")
    message = update["message"]
    assert message["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert message["from"]["language_code"] == "ru"
    plain = await server.user(USER).send("просто текст")
    assert "entities" not in plain["message"]


# --- long polling -----------------------------------------------------------------------


async def test_long_poll_returns_early_when_an_update_arrives(server: FakeBotAPI, bot: Bot) -> None:
    # The poll would hold for a minute; that it answers within the safety net proves it
    # returned early, with no wall-clock figure to miss on a loaded machine.
    poll = asyncio.create_task(bot.get_updates(timeout=60, request_timeout=120))
    await server.wait_for_polling(new=False)
    assert not poll.done()
    await server.user(USER).send("ping")
    updates = await asyncio.wait_for(poll, 30)
    assert [u.message.text for u in updates if u.message] == ["ping"]


async def test_long_poll_waits_for_timeout_when_nothing_comes(bot: Bot) -> None:
    started = time.monotonic()
    assert await bot.get_updates(timeout=1) == []
    assert time.monotonic() - started >= 0.9  # it held the poll (no upper bound: load)


async def test_get_updates_respects_offset_and_limit(server: FakeBotAPI, bot: Bot) -> None:
    user = server.user(USER)
    for text in ("a", "b", "c"):
        await user.send(text)
    first_two = await bot.get_updates(limit=2)
    assert [u.message.text for u in first_two if u.message] == ["a", "b"]
    # not confirmed yet: asking again without offset gives them again
    assert len(await bot.get_updates()) == 3
    rest = await bot.get_updates(offset=first_two[-1].update_id + 1)
    assert [u.message.text for u in rest if u.message] == ["c"]
    assert [u["message"]["text"] for u in server.pending_updates] == ["c"]
    assert await bot.get_updates(offset=rest[-1].update_id + 1) == []
    assert server.pending_updates == []


async def test_newer_get_updates_terminates_the_waiting_one(server: FakeBotAPI) -> None:
    first, second = make_bot(server), make_bot(server)
    try:
        waiting = asyncio.create_task(first.get_updates(timeout=5))
        await server.wait_for_polling(new=False)
        assert await second.get_updates(timeout=0) == []
        with pytest.raises(TelegramConflictError, match="terminated by other getUpdates"):
            await asyncio.wait_for(waiting, 30)
    finally:
        await first.session.close()
        await second.session.close()


async def test_get_updates_conflicts_with_a_webhook(server: FakeBotAPI, bot: Bot) -> None:
    assert await bot.set_webhook("https://example.org/hook")
    assert server.webhook["url"] == "https://example.org/hook"
    with pytest.raises(TelegramConflictError, match="webhook is active"):
        await bot.get_updates()
    assert await bot.delete_webhook(drop_pending_updates=True)
    assert await bot.get_updates() == []


async def test_stop_does_not_wait_for_a_pending_long_poll() -> None:
    server = FakeBotAPI(token=TOKEN)
    await server.start()
    bot = make_bot(server)
    try:
        poll = asyncio.create_task(bot.get_updates(timeout=600, request_timeout=900))
        await server.wait_for_polling(new=False)
        await asyncio.wait_for(server.stop(), 60)  # not the poll's ten minutes
        assert await asyncio.wait_for(poll, 60) == []
    finally:
        await bot.session.close()


# --- what Telegram rejects ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "description"),
    [
        ("x" * 4097, "Bad Request: message is too long"),
        ("😀" * 2049, "Bad Request: message is too long"),  # 4098 UTF-16 units
        ("", "Bad Request: message text is empty"),
        ("<b> </b>", "Bad Request: message text is empty"),
        ("<foo>x</foo>", 'Bad Request: can\'t parse entities: Unsupported start tag "foo"'),
        ("a < b", "Bad Request: can't parse entities: Unsupported start tag"),
        ("<b>bold", "Bad Request: can't parse entities: Can't find end tag"),
        ("<b>x</i>", "Bad Request: can't parse entities: Unmatched end tag"),
        ("x</b>", "Bad Request: can't parse entities: Unexpected end tag"),
        ("AT&T", "Bad Request: can't parse entities"),
        ("&nbsp;", "Bad Request: can't parse entities"),
        ('<span class="x">y</span>', 'Bad Request: can\'t parse entities: Tag "span" must have'),
    ],
)
async def test_bad_texts_are_rejected_like_telegram(bot: Bot, text: str, description: str) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(USER, text)
    assert caught.value.message.startswith(description)


async def test_limits_count_text_after_entity_parsing(bot: Bot) -> None:
    sent = await bot.send_message(USER, "<b>" + "&lt;" * 4096 + "</b>")
    assert sent.text == "<" * 4096
    assert (await bot.send_message(USER, "😀" * 2048)).text == "😀" * 2048


async def test_error_offset_is_in_utf8_bytes(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(USER, "ёж <foo>")
    assert caught.value.message == (
        'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 5'
    )


async def test_caption_limit(bot: Bot) -> None:
    document = BufferedInputFile(b"data", "a.txt")
    with pytest.raises(TelegramBadRequest, match="message caption is too long"):
        await bot.send_document(USER, document, caption="я" * 1025)
    sent = await bot.send_document(USER, document, caption="<i>" + "я" * 1024 + "</i>")
    assert sent.caption == "я" * 1024


async def test_callback_data_over_64_bytes_is_rejected(bot: Bot) -> None:
    ok = "я" * 32  # 64 bytes in UTF-8
    assert (await bot.send_message(USER, "ok", reply_markup=keyboard(("a", ok)))).reply_markup
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(USER, "x", reply_markup=keyboard(("a", ok + "a")))
    assert caught.value.message == "Bad Request: BUTTON_DATA_INVALID"


async def test_inline_button_without_action_or_label_is_rejected(server: FakeBotAPI) -> None:
    async with aiohttp.ClientSession() as http:
        url = f"{server.base_url}/bot{TOKEN}/sendMessage"
        for button, description in [
            ({"text": "", "callback_data": "x"}, "Bad Request: BUTTON_TEXT_INVALID"),
            ({"text": "a"}, "Bad Request: text buttons are unallowed in the inline keyboard"),
            ({"text": "a", "url": "not a url"}, "Bad Request: BUTTON_URL_INVALID"),
        ]:
            markup = {"inline_keyboard": [[button]]}
            payload = {"chat_id": USER, "text": "x", "reply_markup": markup}
            async with http.post(url, json=payload) as response:
                assert response.status == 400
                assert (await response.json())["description"] == description


async def test_edits(server: FakeBotAPI, bot: Bot) -> None:
    user = server.user(USER)
    sent = await bot.send_message(USER, "<b>Статус</b>", reply_markup=keyboard(("Да", "yes")))
    assert (await user.next_message(timeout=30))["text"] == "Статус"

    with pytest.raises(TelegramBadRequest) as caught:
        await bot.edit_message_text(
            "<b>Статус</b>",
            chat_id=USER,
            message_id=sent.message_id,
            reply_markup=keyboard(("Да", "yes")),
        )
    assert caught.value.message.startswith(
        "Bad Request: message is not modified: specified new message content and reply markup "
        "are exactly the same as a current content and reply markup of the message"
    )
    # same text without the keyboard is a change: the keyboard goes away
    edited = await bot.edit_message_text("<b>Статус</b>", chat_id=USER, message_id=sent.message_id)
    assert isinstance(edited, Message) and edited.reply_markup is None
    latest = await user.next_message(timeout=30)
    assert latest["edit_date"] and "reply_markup" not in latest
    assert user.last_message == latest

    await bot.edit_message_reply_markup(
        chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("Нет", "no"))
    )
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_reply_markup(
            chat_id=USER, message_id=sent.message_id, reply_markup=keyboard(("Нет", "no"))
        )
    with pytest.raises(TelegramBadRequest) as missing:
        await bot.edit_message_text("x", chat_id=USER, message_id=999)
    assert missing.value.message == "Bad Request: message to edit not found"


async def test_user_messages_cannot_be_edited(server: FakeBotAPI, bot: Bot) -> None:
    update = await server.user(USER).send("мой текст")
    with pytest.raises(TelegramBadRequest, match="message can't be edited"):
        await bot.edit_message_text("x", chat_id=USER, message_id=update["message"]["message_id"])


async def test_unknown_method_and_wrong_token(server: FakeBotAPI) -> None:
    async with aiohttp.ClientSession() as http:
        async with http.post(f"{server.base_url}/bot{TOKEN}/sendTelepathy") as response:
            assert response.status == 404
            assert await response.json() == {
                "ok": False,
                "error_code": 404,
                "description": "Not Found",
            }
        # method names are case-insensitive, parameters may come in the query string
        async with http.get(f"{server.base_url}/bot{TOKEN}/GETME?x=1") as response:
            assert (await response.json())["result"]["username"] == "test_bot"
    wrong = make_bot(server, token="654321:WRONG")
    try:
        with pytest.raises(TelegramUnauthorizedError):
            await wrong.get_me()
    finally:
        await wrong.session.close()


# --- fault injection ---------------------------------------------------------------------


async def test_injected_429_is_retry_after(server: FakeBotAPI, bot: Bot) -> None:
    server.fail("sendMessage", status=429, retry_after=3)
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "x")
    assert caught.value.retry_after == 3
    # aiogram wraps the description: "Flood control exceeded … Original description: …"
    assert caught.value.message.endswith("Too Many Requests: retry after 3")
    assert (await bot.send_message(USER, "x")).message_id == 1  # only once; no id consumed
    assert server.stats.injected[429] == 1
    assert server.stats.errors["sendMessage"] == 1


async def test_injected_403_and_block(server: FakeBotAPI, bot: Bot) -> None:
    server.fail(chat_id=USER, status=403)
    with pytest.raises(TelegramForbiddenError, match="bot was blocked by the user"):
        await bot.send_message(USER, "x")
    await bot.send_message(USER, "x")

    server.block(USER)
    for _ in range(2):
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(USER, "x")
    with pytest.raises(TelegramForbiddenError):
        await bot.send_chat_action(USER, "typing")
    await bot.send_message(USER + 1, "other chats still work")
    assert await bot.get_me()
    server.unblock(USER)
    await bot.send_message(USER, "back")
    assert server.stats.injected[403] == 4


async def test_block_can_notify_with_my_chat_member(server: FakeBotAPI, bot: Bot) -> None:
    server.user(USER, "Анна")
    server.block(USER, notify=True)
    (update,) = await bot.get_updates()
    assert update.my_chat_member is not None
    assert update.my_chat_member.new_chat_member.status == "kicked"


async def test_injected_server_errors(server: FakeBotAPI, bot: Bot) -> None:
    rule = server.fail("sendMessage", status=500, times=2)
    for _ in range(2):
        with pytest.raises(TelegramServerError, match="Internal Server Error"):
            await bot.send_message(USER, "x")
    await bot.send_message(USER, "x")
    assert rule.hits == 2
    server.fail(status=502, description="Bad Gateway", times=None)
    with pytest.raises(TelegramServerError, match="Bad Gateway"):
        await bot.send_message(USER, "x")
    assert await bot.get_me()  # method=None only hits calls aimed at a chat
    server.clear_faults()
    await bot.send_message(USER, "x")


async def test_random_faults_are_seeded(server: FakeBotAPI, bot: Bot) -> None:
    async def run() -> int:
        server.fail_randomly(rate=0.3, status=429, retry_after=1, seed=7)
        failures = 0
        for i in range(40):
            try:
                await bot.send_message(USER, f"m{i}")
            except TelegramRetryAfter as exc:
                assert exc.retry_after == 1
                failures += 1
        return failures

    first = await run()
    assert 3 <= first <= 25
    assert await run() == first
    server.fail_randomly(rate=0)
    await bot.send_message(USER, "no more faults")
    assert server.stats.injected[429] == 2 * first


# --- files ------------------------------------------------------------------------------


async def test_document_upload_get_file_and_download(server: FakeBotAPI, bot: Bot) -> None:
    payload = "Резолюция форума\n1. Рекомендовать…".encode()
    sent = await bot.send_document(
        USER, BufferedInputFile(payload, "резолюция.txt"), caption="<b>Итоги</b>"
    )
    assert sent.document is not None and sent.caption == "Итоги"
    assert sent.document.file_name == "резолюция.txt"
    assert sent.document.mime_type == "text/plain"
    assert sent.document.file_size == len(payload)
    request = await server.wait_for_request("sendDocument", timeout=30)
    (upload,) = request.files.values()
    assert upload.data == payload and upload.filename == "резолюция.txt"

    file = await bot.get_file(sent.document.file_id)
    assert file.file_path
    downloaded = await bot.download(sent.document.file_id)
    assert downloaded is not None and downloaded.read() == payload

    again = await bot.send_document(USER + 1, sent.document.file_id)
    assert again.document is not None and again.document.file_id == sent.document.file_id
    with pytest.raises(TelegramBadRequest, match="wrong file identifier"):
        await bot.send_document(USER, "no-such-file-id")
    with pytest.raises(TelegramBadRequest, match="invalid file_id"):
        await bot.get_file("no-such-file-id")


async def test_user_document_and_photo_are_downloadable(server: FakeBotAPI, bot: Bot) -> None:
    user = server.user(USER)
    update = await user.send_document(b"%PDF-1.4 fake", "res.pdf", caption="вот")
    document = update["message"]["document"]
    assert document["mime_type"] == "application/pdf"
    assert update["message"]["caption"] == "вот"
    data = await bot.download(document["file_id"])
    assert data is not None and data.read() == b"%PDF-1.4 fake"

    photo_update = await user.send_photo(b"\x89PNG fake")
    photo = photo_update["message"]["photo"][-1]
    assert (await bot.get_file(photo["file_id"])).file_size == len(b"\x89PNG fake")

    sent = await bot.send_photo(USER, BufferedInputFile(b"jpeg", "p.jpg"))
    assert sent.photo and sent.photo[-1].width > 0


async def test_reply(server: FakeBotAPI, bot: Bot) -> None:
    user = server.user(USER)
    asked = await bot.send_message(USER, "Опишите прогресс")
    update = await user.reply(asked, "Сделано")
    assert update["message"]["reply_to_message"]["text"] == "Опишите прогресс"
    with_file = await user.reply(asked.message_id, "скан", document=(b"img", "scan.png"))
    assert with_file["message"]["document"]["file_name"] == "scan.png"
    assert with_file["message"]["reply_to_message"]["message_id"] == asked.message_id
    assert server.get_message(USER, with_file["message"]["message_id"]) == with_file["message"]
    replied_id = update["message"]["message_id"]
    answer = await bot.send_message(
        USER, "Спасибо", reply_parameters=ReplyParameters(message_id=replied_id)
    )
    assert answer.reply_to_message is not None
    assert answer.reply_to_message.text == "Сделано"
    with pytest.raises(TelegramBadRequest) as caught:
        await bot.send_message(USER, "x", reply_parameters=ReplyParameters(message_id=999))
    assert caught.value.message == "Bad Request: message to be replied not found"


# --- callbacks, inline, commands ---------------------------------------------------------


async def test_click_produces_callback_query(server: FakeBotAPI, bot: Bot) -> None:
    user = server.user(USER, "Анна")
    sent = await bot.send_message(
        USER, "Выберите", reply_markup=keyboard(("Выполнено", "st:1:done"), ("Нет", "st:1:no"))
    )
    update = await user.click(sent, "Выполнено")
    by_data = await user.click(None, "st:1:no")
    (first, second) = await bot.get_updates()
    query = first.callback_query
    assert query is not None and query.data == "st:1:done"
    assert query.chat_instance and query.from_user.first_name == "Анна"
    assert isinstance(query.message, Message) and query.message.message_id == sent.message_id
    assert second.callback_query is not None and second.callback_query.data == "st:1:no"
    assert update["callback_query"]["id"] != by_data["callback_query"]["id"]

    assert await bot.answer_callback_query(query.id, text="Принято")
    assert server.callback_answers[query.id]["text"] == "Принято"
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query.id)
    with pytest.raises(LookupError, match="no inline button"):
        await user.click(sent, "Missing")


async def test_inline_query_answer_is_stored(server: FakeBotAPI, bot: Bot) -> None:
    update = await server.user(USER).inline_query("нко")
    query_id = update["inline_query"]["id"]
    results = [
        {
            "type": "article",
            "id": "1",
            "title": "Рекомендация",
            "input_message_content": {"message_text": "текст"},
        }
    ]
    assert await bot.answer_inline_query(query_id, results=results)  # type: ignore[arg-type]
    assert server.inline_answers[query_id]["results"][0]["title"] == "Рекомендация"


async def test_commands_are_stored_per_scope_and_language(server: FakeBotAPI, bot: Bot) -> None:
    commands = [BotCommand(command="start", description="Начать")]
    admin = [*commands, BotCommand(command="coord", description="Координаторы")]
    assert await bot.set_my_commands(commands)
    assert await bot.set_my_commands(admin, scope=BotCommandScopeChat(chat_id=USER))
    assert await bot.set_my_commands(commands, language_code="en")
    assert [c["command"] for c in server.my_commands()] == ["start"]
    scoped = server.my_commands({"type": "chat", "chat_id": USER})
    assert [c["command"] for c in scoped] == ["start", "coord"]
    assert server.my_commands({"type": "chat", "chat_id": USER})[1]["command"] == "coord"
    assert server.my_commands(language_code="en")[0]["description"] == "Начать"
    assert await bot.delete_my_commands()
    assert server.my_commands() == []
    with pytest.raises(TelegramBadRequest, match="BOT_COMMAND_INVALID"):
        await bot.set_my_commands([BotCommand(command="Bad-Name", description="x")])


async def test_misc_methods(server: FakeBotAPI, bot: Bot) -> None:
    assert await bot.send_chat_action(USER, "typing")
    with pytest.raises(TelegramBadRequest):
        await bot.send_chat_action(USER, "dancing")  # type: ignore[arg-type]
    reply_kb = ReplyKeyboardMarkup(keyboard=[[KeyboardButton(text="Мои рекомендации")]])
    sent = await bot.send_message(USER, "Меню", reply_markup=reply_kb)
    assert sent.reply_markup is None  # a Message only carries inline keyboards
    assert server.user(USER).reply_keyboard == [["Мои рекомендации"]]


# --- observing helpers and stats ---------------------------------------------------------


async def test_wait_for_request_returns_successive_calls(server: FakeBotAPI, bot: Bot) -> None:
    await bot.send_message(USER, "first")
    await bot.send_message(USER + 1, "other")
    await bot.send_message(USER, "second")
    one = await server.wait_for_request("sendMessage", chat_id=USER, timeout=30)
    two = await server.wait_for_request(
        "sendMessage", predicate=lambda r: r.params["chat_id"] == USER, timeout=30
    )
    assert (one.params["text"], two.params["text"]) == ("first", "second")
    late = asyncio.create_task(server.wait_for_request("sendDocument", timeout=30))
    await asyncio.sleep(0)  # let it start waiting
    await bot.send_document(USER, BufferedInputFile(b"x", "x.txt"))
    assert (await late).ok
    with pytest.raises(TimeoutError, match="no sendPhoto"):
        await server.wait_for_request("sendPhoto", timeout=0.2)
    with pytest.raises(TimeoutError):
        await server.user(USER + 42).next_message(timeout=0.2)


async def test_wait_for_polling_and_new_only(server: FakeBotAPI, bot: Bot) -> None:
    await bot.get_me()
    poll = asyncio.create_task(bot.get_updates(timeout=60, request_timeout=120))
    await server.wait_for_polling(timeout=30)  # long before the poll returns
    with pytest.raises(TimeoutError):
        await server.wait_for_polling(timeout=0.2)  # no newer poll
    await server.wait_for_polling(timeout=0.2, new=False)  # one is waiting
    fresh = asyncio.create_task(server.wait_for_request("getMe", new_only=True, timeout=30))
    await asyncio.sleep(0)  # let it start waiting
    await bot.get_me()
    assert (await fresh).ok
    await server.user(USER).send("stop waiting")
    assert len(await poll) == 1


async def test_rate_limit_emulation(server: FakeBotAPI, bot: Bot) -> None:
    server.limit_rate(global_rate=5, chat_rate=1)
    await bot.send_message(USER, "first")
    with pytest.raises(TelegramRetryAfter) as caught:
        await bot.send_message(USER, "too soon for this chat")
    assert caught.value.retry_after == 1
    for chat in range(2, 6):
        await bot.send_message(chat, "fan-out")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(99, "over the global burst of 5")
    server.limit_rate(None, None)
    await bot.send_message(USER, "limits off")
    assert server.stats.injected[429] == 2


async def test_stats_for_broadcast_checks(server: FakeBotAPI, bot: Bot) -> None:
    await asyncio.gather(*(bot.send_message(chat, "Анонс") for chat in range(1, 21)))
    await bot.send_message(3, "Анонс")  # a duplicate
    await bot.send_message(4, "Другое")
    stats = server.stats
    assert stats.sent == 22
    assert stats.duplicates() == 1
    assert stats.requests["sendMessage"] == 22
    assert stats.chat_rate_violations(1.0) == 2
    interval = stats.min_chat_interval()
    assert interval is not None and interval < 1
    rate = stats.achieved_rate()
    assert rate is not None and rate > 0
    assert len(stats.send_times[3]) == 2


async def test_control_api(server: FakeBotAPI, bot: Bot) -> None:
    async with aiohttp.ClientSession(base_url=server.base_url) as http:
        async with http.post("/_test/send", json={"user_id": USER, "text": "/start"}) as r:
            update = await r.json()
        assert update["message"]["text"] == "/start"
        await bot.send_message(USER, "Привет", reply_markup=keyboard(("Дальше", "next")))
        async with http.get("/_test/messages", params={"chat_id": str(USER)}) as r:
            (summary,) = await r.json()
        assert summary["text"] == "Привет"
        assert summary["buttons"] == [[{"text": "Дальше", "callback_data": "next"}]]
        async with http.post("/_test/click", json={"user_id": USER, "text": "Дальше"}) as r:
            assert (await r.json())["callback_query"]["data"] == "next"
        form = aiohttp.FormData()
        form.add_field("user_id", str(USER))
        form.add_field("file", b"hello", filename="r.txt", content_type="text/plain")
        async with http.post("/_test/document", data=form) as r:
            assert (await r.json())["message"]["document"]["file_name"] == "r.txt"
        async with http.post("/_test/fail", json={"method": "sendMessage", "status": 429}) as r:
            assert r.status == 200
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(USER, "x")
    assert len(await bot.get_updates()) == 3


# --- a real Dispatcher polling the fake ---------------------------------------------------


async def test_dispatcher_polling_end_to_end(server: FakeBotAPI) -> None:
    router = Router()

    @router.message(Command("start"))
    async def start(message: Message, command: CommandObject) -> None:
        await message.answer(
            f"Здравствуйте, <b>{message.from_user.first_name}</b>! payload={command.args}",  # type: ignore[union-attr]
            reply_markup=keyboard(("Подписаться", "sub")),
        )

    @router.callback_query(F.data == "sub")
    async def subscribe(query: CallbackQuery) -> None:
        await query.answer("Готово")
        assert isinstance(query.message, Message)
        await query.message.edit_text("Вы подписаны")

    dp = Dispatcher()
    dp.include_router(router)
    bot = make_bot(server)
    polling = asyncio.create_task(dp.start_polling(bot, handle_signals=False, polling_timeout=2))
    try:
        user = server.user(USER, "Анна")
        await user.send("/start inv42")
        greeting = await user.next_message(timeout=30)
        assert greeting["text"] == "Здравствуйте, Анна! payload=inv42"
        await user.click(greeting, "Подписаться")
        edited = await user.next_message(timeout=30)
        assert edited["text"] == "Вы подписаны" and "edit_date" in edited
        answer = await server.wait_for_request("answerCallbackQuery", timeout=30)
        assert answer.params["text"] == "Готово"
    finally:
        await dp.stop_polling()
        await asyncio.wait_for(polling, 60)


async def test_webhook_delivery(server: FakeBotAPI) -> None:
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler
    from aiohttp import web

    router = Router()

    @router.message()
    async def echo(message: Message) -> None:
        await message.answer(f"эхо: {message.text}")

    dp = Dispatcher()
    dp.include_router(router)
    bot = make_bot(server)
    app = web.Application()
    SimpleRequestHandler(dp, bot, secret_token="s3cret").register(app, path="/hook")
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        await bot.set_webhook(f"http://127.0.0.1:{port}/hook", secret_token="s3cret")
        user = server.user(USER)
        await user.send("привет")
        assert (await user.next_message(timeout=30))["text"] == "эхо: привет"
        assert server.webhook_deliveries == 1 and server.pending_updates == []

        await bot.set_webhook(f"http://127.0.0.1:{port}/wrong-path")
        await user.send("потеряется?")
        await server.wait_until(lambda: "last_error_message" in server.webhook, what="a failure")
        assert server.webhook["last_error_message"] == "Wrong response from the webhook: 404"
        assert len(server.pending_updates) == 1
        await bot.delete_webhook()
        (update,) = await bot.get_updates()  # not lost: polling picks it up
        assert update.message is not None and update.message.text == "потеряется?"
    finally:
        await bot.session.close()
        await runner.cleanup()


# --- the HTML parser on its own ----------------------------------------------------------


def test_parse_html_entities() -> None:
    text, entities = parse_html(
        '<a href="https://t.me/x?a=1&amp;b=2">ссылка</a> <pre><code class="language-python">'
        "x = 1</code></pre> <blockquote expandable>q</blockquote> &#1071;&#x44F; &quot;"
    )
    assert text == 'ссылка x = 1 q Яя "'
    assert entities == [
        {"type": "text_link", "offset": 0, "length": 6, "url": "https://t.me/x?a=1&b=2"},
        {"type": "pre", "offset": 7, "length": 5, "language": "python"},
        {"type": "expandable_blockquote", "offset": 13, "length": 1},
    ]
    assert parse_html("<B>x</B><tg-spoiler>s</tg-spoiler>")[1] == [
        {"type": "bold", "offset": 0, "length": 1},
        {"type": "spoiler", "offset": 1, "length": 1},
    ]
    assert parse_html("AT&T", strict=False)[0] == "AT&T"  # Telegram's own leniency
    assert utf16_len("я😀") == 3


def test_parse_html_errors() -> None:
    with pytest.raises(ApiError) as caught:
        parse_html("<b>x</i>")
    assert caught.value.description == (
        "Bad Request: can't parse entities: Unmatched end tag at byte offset 4, "
        'expected "</b>", found "</i>"'
    )
    for bad in ("<b", '<a href="x"', "<b x>y</b>", "<a href=x/y>z</a>", "a <"):
        with pytest.raises(ApiError, match="can't parse entities"):
            parse_html(bad)
    assert parse_html("<a href=>x</a>") == ("x", [])  # tdlib drops a link without a URL
