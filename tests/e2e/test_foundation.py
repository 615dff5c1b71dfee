"""The bot as users run it: a process, long polling over HTTP, a restart, SIGTERM."""

import signal

import pytest

from storage import Database
from storage.users import UserRepository
from tests.e2e.steps import expect, press

# Starts `python -m bot` as a separate process.
pytestmark = pytest.mark.slow


async def test_start_help_restart_and_clean_shutdown(api, bot_process):
    await bot_process.start()

    commands = api.my_commands(language_code="ru")
    assert {c["command"] for c in commands} >= {"start", "help"}
    assert all(c["description"] for c in commands)

    anna = api.user(5001, first_name="Анна")
    await anna.send("/start")
    greeting = await anna.next_message()
    assert "Здравствуйте, Анна!" in greeting["text"]
    await press(anna, await expect(anna, "Согласие на обработку"), "Даю согласие")
    await expect(anna, "Шаг 1 из 3")

    await anna.send("/help")
    help_text = (await anna.next_message())["text"]
    assert "/start" in help_text and "/help" in help_text

    await anna.send("/no_such_command")
    assert "Не знаю команды" in (await anna.next_message())["text"]

    assert await bot_process.stop(signal.SIGTERM) == 0
    assert "Traceback" not in bot_process.log()

    # The user is still there after a restart: the bot knows she has not finished sign-up
    # (so no "welcome back" yet) and picks it up again.
    await bot_process.start()
    await anna.send("/start")
    assert "Давайте закончим настройку профиля" in (await anna.next_message())["text"]
    anna.mark_read()
    assert await bot_process.stop(signal.SIGINT) == 0

    db = await Database.connect(bot_process.database_path)
    try:
        assert (await UserRepository(db).get(5001)).first_name == "Анна"
    finally:
        await db.close()


async def test_missing_or_malformed_token_exits_with_code_2(tmp_path):
    from tests.e2e.process import run_until_exit

    for token in ("", "not-a-token"):
        code, err = await run_until_exit({"BOT_TOKEN": token}, tmp_path)
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "BOT_TOKEN" in lines[0]
        assert "Traceback" not in err
        if token:
            assert token not in lines[0]


async def test_replies_survive_a_brief_429_and_5xx(api, bot_process):
    await bot_process.start()
    ivan = api.user(5002, first_name="Иван")
    api.fail("sendMessage", chat_id=5002, status=429, retry_after=1, times=1)
    await ivan.send("/help")
    assert "Что умеет бот" in (await ivan.next_message())["text"]
    api.fail("sendMessage", chat_id=5002, status=502, times=2)
    await ivan.send("/help")
    assert "Что умеет бот" in (await ivan.next_message())["text"]
    assert api.stats.injected[429] == 1 and api.stats.injected[502] == 2
    assert await bot_process.stop() == 0
    assert "Traceback" not in bot_process.log()
