"""A fake Telegram Bot API server for tests, benchmarks and manual trials.

    async with FakeBotAPI(token="123456:TEST") as server:
        bot = Bot(server.token, session=AiohttpSession(
            api=TelegramAPIServer.from_base(server.base_url)))
        anna = server.user(1, "Анна")
        await anna.send("/start")                # a Message update for getUpdates
        reply = await anna.next_message()        # what the bot sent (a Message dict)
        await anna.click(reply, "Подписаться")   # a callback_query update
        request = await server.wait_for_request("answerCallbackQuery")

Standalone: ``python -m bench.fakebotapi --port 8081`` (control API under /_test/).
"""

from .server import (
    ApiError,
    FakeBotAPI,
    FakeUser,
    FaultRule,
    RecordedRequest,
    Stats,
    UploadedFile,
)
from .validation import parse_html, utf16_len

__all__ = [
    "ApiError",
    "FakeBotAPI",
    "FakeUser",
    "FaultRule",
    "RecordedRequest",
    "Stats",
    "UploadedFile",
    "parse_html",
    "utf16_len",
]
