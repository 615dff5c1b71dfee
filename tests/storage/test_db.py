import asyncio

import pytest

from storage import Database, apply_migrations
from storage.migrate import Migration, load_migrations, split_statements
from storage.users import UserRepository


async def test_pragmas(db):
    assert (await db.fetchval("PRAGMA journal_mode")).lower() == "wal"
    assert await db.fetchval("PRAGMA foreign_keys") == 1
    assert await db.fetchval("PRAGMA busy_timeout") == 5000


async def test_reads_keep_a_larger_page_cache(db):
    """Issue 15: /my and questions read index pages all over a million-row database; the
    reading connection keeps READ_CACHE_KIB of them (the writer keeps SQLite's default)."""
    from storage.db import READ_CACHE_KIB

    assert READ_CACHE_KIB >= 32_768
    assert await db.fetchval("PRAGMA cache_size") == -READ_CACHE_KIB
    async with db.transaction():  # the writer's own reads
        assert await db.fetchval("PRAGMA cache_size") == -2000


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


# --- reads see only committed data ---------------------------------------------------------


async def _seed_names(db: Database) -> None:
    await db.execute("CREATE TABLE names (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    await db.executemany("INSERT INTO names (name) VALUES (?)", [("Анна",), ("Борис",)])


async def _names(db: Database) -> list[str]:
    return [r[0] for r in await db.fetchall("SELECT name FROM names ORDER BY id")]


async def test_a_read_does_not_see_another_tasks_uncommitted_writes(db):
    """Task A empties and refills a table in one transaction (as a search-index rebuild does);
    task B, reading meanwhile, sees the last committed rows, never the half-done state."""
    await _seed_names(db)
    seen: dict[str, object] = {}

    async with db.transaction():
        await db.execute("DELETE FROM names")
        await db.execute("INSERT INTO names (name) VALUES ('черновик')")
        # The writer still sees its own work in progress …
        assert await _names(db) == ["черновик"]
        # … another task reading while the transaction is open sees the committed rows.
        seen["during"] = await asyncio.wait_for(asyncio.create_task(_names(db)), 60)
        seen["one"] = await asyncio.wait_for(
            asyncio.create_task(db.fetchone("SELECT count(*) FROM names")), 60
        )
    assert seen["during"] == ["Анна", "Борис"]
    assert seen["one"][0] == 2
    assert await _names(db) == ["черновик"]  # and the commit is visible afterwards


async def test_a_read_during_a_rolled_back_transaction_never_sees_its_rows(db):
    await _seed_names(db)
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute("UPDATE names SET name = 'никто'")
            assert await asyncio.wait_for(asyncio.create_task(_names(db)), 60) == [
                "Анна",
                "Борис",
            ]
            raise RuntimeError("rollback")
    assert await _names(db) == ["Анна", "Борис"]


async def test_in_memory_database_reads_wait_for_the_open_transaction():
    """An in-memory database has no second connection to read a snapshot from: a read from
    another task waits until the transaction ends and then sees what was committed."""
    db = await Database.connect(":memory:")
    try:
        await _seed_names(db)
        async with db.transaction():
            await db.execute("UPDATE names SET name = 'черновик'")
            reader = asyncio.create_task(_names(db))
            await asyncio.sleep(0)  # the reader issues its query now, before the next write
            await db.execute("UPDATE names SET name = 'итог'")
        assert await asyncio.wait_for(reader, 60) == ["итог", "итог"]
    finally:
        await db.close()


async def test_a_read_job_sees_committed_data_or_its_own_transaction(db):
    """``Database.read`` (several SELECTs in one trip) is isolated like the single reads:
    another task's open transaction is invisible, the owner's own writes are visible."""
    await _seed_names(db)

    def names(conn) -> list[str]:
        return [row[0] for row in conn.execute("SELECT name FROM names ORDER BY id")]

    async with db.transaction():
        await db.execute("UPDATE names SET name = 'черновик'")
        assert await db.read(names) == ["черновик", "черновик"]
        other = asyncio.create_task(db.read(names))
        assert await asyncio.wait_for(other, 60) == ["Анна", "Борис"]
    assert await db.read(names) == ["черновик", "черновик"]


async def test_a_write_is_told_to_the_watchers_of_its_table(db):
    from storage.db import written_table

    assert written_table("INSERT OR IGNORE INTO users (id) VALUES (1)") == "users"
    assert written_table('  update "Users" SET x = 1') == "users"
    assert written_table("DELETE FROM consents WHERE user_id = ?") == "consents"
    assert written_table("REPLACE INTO subscriptions VALUES (1)") == "subscriptions"
    assert written_table("ANALYZE") is None  # can't tell: every watcher hears of it

    told: list[str] = []
    db.on_write({"users"}, lambda: told.append("users"))
    db.on_write({"follows"}, lambda: told.append("follows"))
    await db.execute(
        "INSERT INTO users (id, first_name, created_at, updated_at) VALUES (1, 'A', 'x', 'x')"
    )
    assert told == ["users"]
    await db.execute("ANALYZE")
    assert told == ["users", "users", "follows"]


async def test_a_write_in_a_transaction_is_told_again_when_it_ends(db):
    told: list[str] = []
    db.on_write({"users"}, lambda: told.append("told"))
    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.execute(
                "INSERT INTO users (id, first_name, created_at, updated_at)"
                " VALUES (1, 'A', 'x', 'x')"
            )
            assert told == ["told"]
            raise RuntimeError
    assert told == ["told", "told"]  # the rollback undid it: a reader must read again
    async with db.transaction():
        await db.execute("DELETE FROM follows")
    assert told == ["told", "told"]


async def test_a_short_read_runs_in_the_loop_on_the_committed_snapshot(db):
    from bench.hotpath import count_trips

    def names(conn):
        return [r[0] for r in conn.execute("SELECT first_name FROM users ORDER BY id")]

    repo = UserRepository(db)
    await repo.upsert(1, first_name="A", last_name=None, username=None, language_code=None, now="t")
    trips = count_trips(db)
    assert await db.read_short(names) == ["A"]
    assert trips[0] == 0  # no hop to a connection's thread
    inside, go_on = asyncio.Event(), asyncio.Event()

    async def writer():
        async with db.transaction():
            await repo.upsert(
                2, first_name="B", last_name=None, username=None, language_code=None, now="t"
            )
            assert await db.read_short(names) == ["A", "B"]  # its own transaction
            inside.set()
            await go_on.wait()

    task = asyncio.create_task(writer())
    await asyncio.wait_for(inside.wait(), timeout=30)
    assert await db.read_short(names) == ["A"]  # not another task's half-done work
    go_on.set()
    await task
    assert await db.read_short(names) == ["A", "B"]


async def test_a_short_read_that_finds_sqlite_busy_runs_again_outside_the_loop(db):
    import sqlite3

    from bench.hotpath import count_trips

    busy = sqlite3.OperationalError("database is locked")
    busy.sqlite_errorcode = sqlite3.SQLITE_BUSY  # as SQLite sets it during a checkpoint
    runs = []

    def job(conn):
        runs.append(conn)
        if len(runs) == 1:
            raise busy
        return conn.execute("SELECT count(*) FROM users").fetchone()[0]

    trips = count_trips(db)
    assert await db.read_short(job) == 0
    assert len(runs) == 2 and trips[0] == 1  # the second time on a connection's thread

    def broken(conn):
        return conn.execute("SELECT x FROM nowhere").fetchall()

    with pytest.raises(sqlite3.OperationalError, match="no such table"):
        await db.read_short(broken)  # any other error is the caller's


async def test_a_write_job_joins_the_transaction_and_rolls_back_with_it(db):
    """``Database.write`` (several statements in one trip) runs under the write lock in the
    caller's transaction: a failure after it undoes all of its statements."""
    await _seed_names(db)

    def rename(conn) -> int:
        conn.execute("UPDATE names SET name = 'черновик' WHERE id = 1")
        conn.execute("INSERT INTO names (id, name) VALUES (3, 'Вера')")
        return int(conn.execute("SELECT count(*) FROM names").fetchone()[0])

    with pytest.raises(RuntimeError):
        async with db.transaction():
            assert await db.write(rename) == 3
            other = asyncio.create_task(db.fetchall("SELECT name FROM names ORDER BY id"))
            assert [r[0] for r in await asyncio.wait_for(other, 60)] == ["Анна", "Борис"]
            raise RuntimeError("after the job")
    assert [r[0] for r in await db.fetchall("SELECT name FROM names ORDER BY id")] == [
        "Анна",
        "Борис",
    ]
    assert await db.write(rename) == 3  # outside a transaction: each statement commits
    assert await db.fetchint("SELECT count(*) FROM names") == 3


async def test_a_write_job_is_told_to_every_watcher(db):
    told: list[str] = []
    db.on_write({"users"}, lambda: told.append("users"))

    def job(conn):
        conn.execute("DELETE FROM follows")

    await db.write(job)
    assert told == ["users"]  # which tables a job wrote cannot be told: a cache must drop
