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


@pytest.fixture(scope="session")
def parsed_seeds():
    """The shipped resolutions, parsed once per test session (parsing is the slow part)."""
    from bot.importer import parse_path
    from bot.paths import CONTENT_DIR

    return [parse_path(p) for p in sorted((CONTENT_DIR / "resolutions").iterdir())]


@pytest.fixture
async def seeded(services, parsed_seeds):
    """A database with the shipped resolutions imported; returns {source prefix: result}."""
    import copy

    results = {}
    for parsed in parsed_seeds:
        result = await services.importer.import_document(copy.deepcopy(parsed))
        results[parsed.source[:3]] = result
    return results
