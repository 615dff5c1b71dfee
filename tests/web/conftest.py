"""The public page and the officials' web form, served by aiohttp's test client."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.settings import Settings
from bot.web import create_web_app

PUBLIC_URL = "http://tracker.test"


@pytest.fixture
def settings(settings, tmp_path) -> Settings:
    """The suite's settings with the public page on."""
    return settings.model_copy(
        update={
            "web_enabled": True,
            "public_url": PUBLIC_URL,
            "web_upload_dir": str(tmp_path / "uploads"),
            "max_document_mb": 0.01,  # 10 KB: the size limit is easy to pass in a test
        }
    )


@pytest.fixture
async def client(services) -> AsyncIterator[TestClient]:
    test_client = TestClient(TestServer(create_web_app(services)))
    await test_client.start_server()
    yield test_client
    await test_client.close()
