"""The web server starts with the bot when WEB_ENABLED, and its settings say what is wrong."""

from __future__ import annotations

import socket

import aiohttp
import pytest
from pydantic import ValidationError

from bot.settings import Settings, describe_error
from bot.web import start_web_server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_served_on_web_port_only_when_enabled(services):
    services.settings.web_port = free_port()
    services.settings.web_enabled = False
    assert await start_web_server(services) is None
    services.settings.web_enabled = True
    services.settings.public_url = "http://tracker.test"
    runner = await start_web_server(services)
    try:
        url = f"http://127.0.0.1:{services.settings.web_port}/"
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 200
            assert "<!doctype html>" in (await response.text()).lower()
    finally:
        await runner.cleanup()


def test_web_needs_a_public_address():
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, web_enabled=True)
    assert describe_error(info.value).startswith("PUBLIC_URL: обязателен")
    with pytest.raises(ValidationError) as info:
        Settings(_env_file=None, public_url="tracker.example.org")
    assert "PUBLIC_URL" in describe_error(info.value)
    assert Settings(_env_file=None, public_url="https://t.example.org/").public_url == (
        "https://t.example.org"
    )
