from __future__ import annotations

import asyncio
import itertools
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FrozenClock
from bot.container import Services, build_services
from bot.settings import Settings
from bot.texts import Texts
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


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """A database with every migration applied, built once per session; each test's ``db``
    starts from a copy (a copy of a file costs less than running the migrations again)."""
    path = tmp_path_factory.mktemp("template") / "migrated.sqlite3"

    async def build() -> None:
        database = await Database.connect(path)
        await apply_migrations(database)
        await database.close()  # the last connection folds the WAL into the file

    asyncio.run(build())
    return path


@pytest.fixture
async def db(settings, migrated_template) -> AsyncIterator[Database]:
    shutil.copyfile(migrated_template, settings.database_path)
    database = await Database.connect(settings.database_path)
    yield database
    await database.close()


# The project's own programs: a test that starts one as a process is marked slow, so that
# `pytest -m "not slow"` stays quick.  (The ingest guard's parsing child is part of an import,
# not a program, and runs in quick tests too.)
_PROGRAMS = ("bot", "bench", "bench.soak_server")


@pytest.fixture(autouse=True)
def _programs_only_in_slow_tests(request, monkeypatch) -> None:
    if request.node.get_closest_marker("slow") is not None:
        return
    execute_child = subprocess.Popen._execute_child  # type: ignore[attr-defined]

    def checked(self, args, *rest, **kwargs):
        argv = [str(a) for a in ([args] if isinstance(args, str | bytes) else args)]
        for flag, module in itertools.pairwise(argv):
            if flag == "-m" and module in _PROGRAMS:
                pytest.fail(
                    f"{request.node.nodeid} starts `python -m {module}`: mark it "
                    "@pytest.mark.slow (see the marker in pyproject.toml)"
                )
        return execute_child(self, args, *rest, **kwargs)

    monkeypatch.setattr(subprocess.Popen, "_execute_child", checked)


@pytest.fixture
def clock() -> FrozenClock:
    from datetime import UTC, datetime

    return FrozenClock(datetime(2026, 3, 2, 7, 0, tzinfo=UTC))


@pytest.fixture(scope="session")
def texts() -> Texts:
    """content/texts/ru.toml, read once per session (a Texts never changes once loaded)."""
    return Texts.load()


@pytest.fixture
def services(settings, db, clock, texts) -> Services:
    return build_services(settings, db, clock, texts)


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
