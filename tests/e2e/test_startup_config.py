"""Starting with a token Telegram refuses, or the placeholder of .env.example: one Russian line
and exit code 2, never a traceback.  And a webhook URL written with its path is not doubled."""

import asyncio
import os
import sys

import aiohttp

from bot.paths import PROJECT_DIR
from bot.settings import example_token
from tests.e2e.process import BotProcess
from tests.e2e.test_webhook import free_port


async def run_once(env: dict[str, str], tmp_path) -> tuple[int, list[str]]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    environ.update(DATABASE_PATH=str(tmp_path / "x.sqlite3"), IMPORT_SEEDS_ON_EMPTY="false")
    environ.update(env)
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        cwd=str(PROJECT_DIR),
        env=environ,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        stdin=asyncio.subprocess.DEVNULL,
    )
    _, err = await asyncio.wait_for(proc.communicate(), 60)
    text = err.decode()
    assert "Traceback" not in text, text
    return proc.returncode, [line for line in text.splitlines() if "ERROR" in line or ":" in line]


async def test_a_revoked_token_ends_with_one_line_and_code_2(api, tmp_path):
    revoked = "654321:revoked-token"  # well formed, but the server does not know it
    code, lines = await run_once({"BOT_TOKEN": revoked, "TELEGRAM_API_URL": api.base_url}, tmp_path)
    assert code == 2
    errors = [line for line in lines if "BOT_TOKEN" in line]
    assert len(errors) == 1 and "@BotFather" in errors[0] and revoked not in errors[0]
    assert not api.sent_messages(1)


async def test_the_placeholder_token_ends_before_any_request(api, tmp_path):
    code, lines = await run_once(
        {"BOT_TOKEN": example_token(), "TELEGRAM_API_URL": api.base_url}, tmp_path
    )
    assert code == 2
    assert len(lines) == 1 and ".env.example" in lines[0]
    assert not api.requests  # it never asked Telegram


async def test_a_webhook_url_with_the_path_is_registered_once_and_404s_are_logged(api, tmp_path):
    port = free_port()
    bot = BotProcess(
        api,
        tmp_path,
        IMPORT_SEEDS_ON_EMPTY="false",
        WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/webhook",
        WEBHOOK_SECRET="s3cret-token",
        WEBHOOK_HOST="127.0.0.1",
        WEBHOOK_PORT=str(port),
    )
    await bot.start_webhook()
    try:
        assert api.webhook["url"] == f"http://127.0.0.1:{port}/telegram/webhook"
        doubled = f"http://127.0.0.1:{port}/telegram/webhook/telegram/webhook"
        async with aiohttp.ClientSession() as http, http.post(doubled) as response:
            assert response.status == 404
    finally:
        assert await bot.stop() == 0
    assert "404 for POST /telegram/webhook/telegram/webhook" in bot.log()
