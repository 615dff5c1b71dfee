"""Webhook mode: the bot serves aiohttp, registers its URL and checks the secret token."""

import socket

import aiohttp
import pytest

from tests.e2e.process import BotProcess

# Starts `python -m bot` as a separate process.
pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_webhook_mode_answers_and_checks_the_secret(api, tmp_path):
    port = free_port()
    bot = BotProcess(
        api,
        tmp_path,
        IMPORT_SEEDS_ON_EMPTY="false",
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_SECRET="s3cret-token",
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    await bot.start_webhook()
    try:
        registered = api.webhook
        assert registered["url"] == f"http://127.0.0.1:{port}/telegram/webhook"
        assert registered["secret_token"] == "s3cret-token"

        # Updates arrive by POST from the (fake) Telegram, with the secret header.
        anna = api.user(5101, first_name="Анна")
        await anna.send("/help")
        assert "Что умеет бот" in (await anna.next_message())["text"]

        # A request without the right secret is refused and changes nothing.
        update = {
            "update_id": 999,
            "message": {
                "message_id": 1,
                "date": 0,
                "chat": {"id": 5102, "type": "private"},
                "from": {"id": 5102, "is_bot": False, "first_name": "Чужой"},
                "text": "/start",
            },
        }
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
                async with http.post(
                    f"http://127.0.0.1:{port}/telegram/webhook", json=update, headers=headers
                ) as response:
                    assert response.status == 401
        # Refused with 401 before any handler runs: nothing was queued that could answer later.
        assert not api.sent_messages(5102)
    finally:
        assert await bot.stop() == 0
    assert "Traceback" not in bot.log()
