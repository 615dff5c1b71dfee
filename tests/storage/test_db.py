import asyncio

import pytest

from storage import Database, apply_migrations
from storage.migrate import Migration, load_migrations, split_statements
from storage.users import UserRepository


async def test_pragmas(db):
    assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") == 5000


async def test_migrations_are_recorded_and_idempotent(db):
    versions = [m.version for m in load_migrations()]
    recorded = [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations")]
    assert recorded == sorted(versions)
    assert await apply_migrations(db) == []


async def test_failed_migration_leaves_nothing_behind(tmp_path):
    db = await Database.connect(tmp_path / "m.sqlite3")
    try:
        broken = [
            Migration(1, "ok", "CREATE TABLE a (x INTEGER);"),
            Migration(2, "broken", "CREATE TABLE b (x INTEGER);\nINSERT INTO nowhere VALUES (1);"),
        ]
        with pytest.raises(Exception, match="nowhere"):
            await apply_migrations(db, broken)
        tables = {r[0] for r in await db.fetchall("SELECT name FROM sqlite_master")}
        assert "a" in tables and "b" not in tables
        assert [r[0] for r in await db.fetchall("SELECT version FROM schema_migrations")] == [1]
    finally:
        await db.close()


def test_split_statements_keeps_trigger_bodies():
    script = """
    CREATE TABLE t (x);
    -- a comment
    CREATE TRIGGER tr AFTER INSERT ON t BEGIN
        UPDATE t SET x = 1;
        UPDATE t SET x = 2;
    END;
    """
    parts = split_statements(script)
    assert len(parts) == 2
    assert parts[1].startswith("-- a comment") and parts[1].endswith("END;")


async def test_transaction_rolls_back_and_isolates_other_tasks(db):
    repo = UserRepository(db)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await repo.upsert(
                1,
                first_name="A",
                last_name=None,
                username=None,
                language_code="ru",
                now="2026-01-01T00:00:00+00:00",
            )
            raise RuntimeError("boom")
    assert await repo.get(1) is None

    # A write from another task waits for the open transaction instead of joining it.
    started = asyncio.Event()

    async def long_tx():
        async with db.transaction():
            await repo.upsert(
                2,
                first_name="B",
                last_name=None,
                username=None,
                language_code="ru",
                now="2026-01-01T00:00:00+00:00",
            )
            started.set()
            await asyncio.sleep(0.05)
            raise RuntimeError("rollback")

    async def other_write():
        await started.wait()
        await repo.upsert(
            3,
            first_name="C",
            last_name=None,
            username=None,
            language_code="ru",
            now="2026-01-01T00:00:00+00:00",
        )

    results = await asyncio.gather(long_tx(), other_write(), return_exceptions=True)
    assert isinstance(results[0], RuntimeError)
    assert await repo.get(2) is None
    assert (await repo.get(3)).first_name == "C"


async def test_user_upsert_refreshes_names_and_reactivates(db):
    repo = UserRepository(db)
    user, created = await repo.upsert(
        5,
        first_name="Иван",
        last_name=None,
        username="ivan",
        language_code="ru",
        now="2026-01-01T00:00:00+00:00",
    )
    assert created and user.is_active and user.role == "member"
    await repo.set_active(5, False, "2026-01-02T00:00:00+00:00")
    user, created = await repo.upsert(
        5,
        first_name="Иван",
        last_name="Петров",
        username="ivan",
        language_code="ru",
        now="2026-01-03T00:00:00+00:00",
    )
    assert not created
    assert user.last_name == "Петров" and user.is_active
    assert user.created_at == "2026-01-01T00:00:00+00:00"
    assert user.updated_at == "2026-01-03T00:00:00+00:00"


async def test_data_survives_reconnect(tmp_path):
    path = tmp_path / "keep.sqlite3"
    db = await Database.connect(path)
    await apply_migrations(db)
    await UserRepository(db).upsert(
        7,
        first_name="Оля",
        last_name=None,
        username=None,
        language_code="ru",
        now="2026-01-01T00:00:00+00:00",
    )
    await db.close()
    db = await Database.connect(path)
    try:
        assert (await UserRepository(db).get(7)).first_name == "Оля"
    finally:
        await db.close()
