"""The public page and the officials' web form, served by aiohttp's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web import create_web_app
from tests.conftest import ADMIN_ID
from tests.harness import BOT_TOKEN

PUBLIC_URL = "http://tracker.test"


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=BOT_TOKEN,
        database_path=str(tmp_path / "bot.sqlite3"),
        admin_ids=[ADMIN_ID],
        import_seeds_on_empty=False,
        web_enabled=True,
        public_url=PUBLIC_URL,
        web_upload_dir=str(tmp_path / "uploads"),
        max_document_mb=0.01,  # 10 KB: the size limit is easy to pass in a test
    )


@pytest.fixture
async def client(services) -> AsyncIterator[TestClient]:
    test_client = TestClient(TestServer(create_web_app(services)))
    await test_client.start_server()
    yield test_client
    await test_client.close()
