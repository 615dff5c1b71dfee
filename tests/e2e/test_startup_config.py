"""Starting with a token Telegram refuses, or the placeholder of .env.example: one Russian line
and exit code 2, never a traceback.  And a webhook URL written with its path is not doubled."""

import aiohttp
import pytest

from bot.settings import example_token
from tests.e2e.process import E2E_TOKEN, BotProcess, run_until_exit
from tests.e2e.test_webhook import free_port

# Starts `python -m bot` as a separate process.
pytestmark = pytest.mark.slow


async def run_once(env: dict[str, str], tmp_path) -> tuple[int, list[str]]:
    code, err = await run_until_exit(env, tmp_path)
    assert "Traceback" not in err, err
    return code, [line for line in err.splitlines() if line.strip()]


async def test_a_revoked_token_ends_with_one_line_and_code_2(api, tmp_path):
    revoked = "654321:revoked-token"  # well formed, but the server does not know it
    code, lines = await run_once({"BOT_TOKEN": revoked, "TELEGRAM_API_URL": api.base_url}, tmp_path)
    assert code == 2
    assert len(lines) == 1 and "BOT_TOKEN" in lines[0] and "@BotFather" in lines[0]
    assert revoked not in lines[0]
    assert not (tmp_path / "x.sqlite3").exists()  # stopped before touching the database
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


async def test_a_metrics_or_webhook_port_in_use_ends_with_one_line_and_code_2(api, tmp_path):
    """Another program on METRICS_PORT or WEBHOOK_PORT is a settings error: one line, code 2
    (systemd does not restart it every 5 s), no traceback, no unclosed session."""
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        base = {"BOT_TOKEN": E2E_TOKEN, "TELEGRAM_API_URL": api.base_url}
        for extra, name in (
            ({"METRICS_PORT": port}, "METRICS_PORT"),
            (
                {
                    "WEBHOOK_URL": f"http://127.0.0.1:{port}/telegram/webhook",
                    "WEBHOOK_SECRET": "s3cret-token",
                    "WEBHOOK_HOST": "127.0.0.1",
                    "WEBHOOK_PORT": port,
                },
                "WEBHOOK_PORT",
            ),
        ):
            code, err = await run_until_exit({**base, **extra}, tmp_path)
            assert "Traceback" not in err and "Unclosed" not in err, err
            assert code == 2, err
            last = err.strip().splitlines()[-1]
            assert last.startswith("Ошибка в настройках: ") and name in last and port in last
