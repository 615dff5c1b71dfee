from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bench.fakebotapi import FakeBotAPI
from tests.e2e.process import E2E_TOKEN, BotProcess
from tests.patience import patience


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    # A safety net for every wait on the bot (each returns as soon as its event happens).
    async with FakeBotAPI(token=E2E_TOKEN, patience=patience(30)) as server:
        yield server


@pytest.fixture
async def bot_process(api, tmp_path) -> AsyncIterator[BotProcess]:
    process = BotProcess(api, tmp_path, IMPORT_SEEDS_ON_EMPTY="false")
    yield process
    if process.proc is not None and process.proc.returncode is None:
        await process.kill()
