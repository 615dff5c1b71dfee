from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.clock import FrozenClock
from bot.container import Services, build_services
from bot.settings import Settings
from storage import Database, apply_migrations
from tests.harness import BOT_TOKEN, HandlerHarness

ADMIN_ID = 900


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        _env_file=None,
        bot_token=BOT_TOKEN,
        database_path=str(tmp_path / "bot.sqlite3"),
        admin_ids=[ADMIN_ID],
        import_seeds_on_empty=False,
    )


@pytest.fixture
async def db(settings) -> AsyncIterator[Database]:
    database = await Database.connect(settings.database_path)
    await apply_migrations(database)
    yield database
    await database.close()


@pytest.fixture
def clock() -> FrozenClock:
    from datetime import UTC, datetime

    return FrozenClock(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))


@pytest.fixture
def services(settings, db, clock) -> Services:
    return build_services(settings, db, clock)


@pytest.fixture
async def harness(services) -> AsyncIterator[HandlerHarness]:
    h = HandlerHarness(services)
    yield h
    await h.close()
