"""One aiosqlite connection per process, shared by every task.

A single connection serialises statements on its own thread, but a transaction opened by one
task would swallow the writes of another task that runs in between.  Writes therefore go
through one asyncio lock that is re-entrant for the task holding it, so a service can call
repository methods inside ``async with db.transaction():`` and outside of it alike.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

Params = Sequence[Any] | dict[str, Any]

BUSY_TIMEOUT_MS = 5000

# Personal data lives here: the database, its -wal and -shm files and a directory made for
# them are the owner's only.  SQLite creates -wal and -shm with the mode of the database file.
FILE_MODE = 0o600
DIR_MODE = 0o700


def make_private(path: Path) -> None:
    """Create the file (and a missing directory) owner-only; tighten an existing one.

    Backups of the database are personal data too: make them with this first."""
    missing = [p for p in reversed(path.parents) if not p.exists()]
    for directory in missing:
        directory.mkdir(mode=DIR_MODE, exist_ok=True)
        os.chmod(directory, DIR_MODE)  # mkdir's mode is filtered by the umask
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    for file in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if file.exists() and (file.stat().st_mode & 0o777) != FILE_MODE:
            os.chmod(file, FILE_MODE)


class Database:
    def __init__(self, conn: aiosqlite.Connection, path: str) -> None:
        self._conn = conn
        self.path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None

    @classmethod
    async def connect(cls, path: str | Path) -> Database:
        path = str(path)
        if path != ":memory:" and not path.startswith("file:"):
            make_private(Path(path))
        # isolation_level=None: we issue BEGIN/COMMIT ourselves, sqlite3 adds nothing implicit.
        conn = await aiosqlite.connect(path, isolation_level=None)
        conn.row_factory = sqlite3.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        await conn.execute("PRAGMA synchronous=NORMAL")
        return cls(conn, path)

    async def close(self) -> None:
        await self._conn.close()

    @asynccontextmanager
    async def _write_lock(self) -> AsyncIterator[None]:
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            yield
            return
        async with self._lock:
            self._owner = task
            try:
                yield
            finally:
                self._owner = None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """BEGIN IMMEDIATE … COMMIT; nested calls from the same task join the outer one."""
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            yield self
            return
        async with self._write_lock():
            await self._conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement; returns lastrowid (useful for INSERT)."""
        async with self._write_lock():
            cursor = await self._conn.execute(sql, params)
            rowid = cursor.lastrowid
            await cursor.close()
            return rowid or 0

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        async with self._write_lock():
            cursor = await self._conn.execute(sql, params)
            count = cursor.rowcount
            await cursor.close()
            return count

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._write_lock():
            await self._conn.executemany(sql, rows)

    async def fetchint(self, sql: str, params: Params = ()) -> int:
        """The one value of a query that always has one: a count, the id just written."""
        value = await self.fetchval(sql, params)
        if value is None:
            raise LookupError(f"no value: {sql}")
        return int(value)

    async def fetchtext(self, sql: str, params: Params = ()) -> str | None:
        value = await self.fetchval(sql, params)
        return None if value is None else str(value)

    # Reads run the query and fetch its rows in one job on the connection's thread: as two
    # jobs, another task's write could land between them and change what the cursor sees.
    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        rows = await self._conn.execute_fetchall(sql, params)
        return next(iter(rows), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]
