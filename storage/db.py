"""One writing aiosqlite connection per process, shared by every task, and one for reading.

A single connection serialises statements on its own thread, but a transaction opened by one
task would swallow the writes of another task that runs in between.  Writes therefore go
through one asyncio lock that is re-entrant for the task holding it, so a service can call
repository methods inside ``async with db.transaction():`` and outside of it alike.

Reads must not see another task's transaction half done (a search-index rebuild empties its
tables before refilling them).  The task holding the write lock reads on the writing connection
(it sees its own work); every other task reads on a second connection, which in WAL mode sees
the last committed snapshot and never waits for the writer.  An in-memory database cannot be
opened twice, so there a read from another task waits for the write lock instead.

A short read by key (a card's rows, a person's) costs SQLite a tenth of a millisecond, and a
hop to a connection's thread and back costs more than that, several times more when the CPU
is busy: ``read_short`` runs such a job in the event loop itself, on a third connection that
reads the committed snapshot like the reader (and goes through ``read`` where that cannot be:
in the writing task's own transaction, in memory, or when SQLite is busy for a moment).  Only
jobs bounded by keys and limits belong there: a long one would hold up every update.

A cache of rows in memory learns of writes to its tables with ``on_write``: every write goes
through ``execute``, ``execute_rowcount``, ``executemany`` or ``write`` here, which tell the
watchers of the table written (``write``: every watcher) after the statement, and again when
the transaction holding it ends.
"""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import aiosqlite

Params = Sequence[Any] | dict[str, Any]
T = TypeVar("T")

_WRITTEN_TABLE = re.compile(
    r"^\s*(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|REPLACE\s+INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)"
    r"\s+[\"`\[]?(\w+)",
    re.IGNORECASE,
)


def written_table(sql: str) -> str | None:
    """The table a write statement changes; None when it cannot be told (``WITH``, ``ANALYZE``)."""
    match = _WRITTEN_TABLE.match(sql)
    return match.group(1).lower() if match else None


BUSY_TIMEOUT_MS = 5000
SHORT_BUSY_TIMEOUT_MS = 20  # read_short waits no longer in the loop: it goes through read
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
# The reading connection's page cache (KiB): /my and questions read index pages all over a
# database of a million recommendations, and SQLite's default 2 MB re-reads them from the OS
# on every query (issue 15).  It costs at most this much memory, once.
READ_CACHE_KIB = 65_536

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
    def __init__(
        self,
        conn: aiosqlite.Connection,
        path: str,
        reader: aiosqlite.Connection | None = None,
        short: sqlite3.Connection | None = None,
    ) -> None:
        self._conn = conn
        self._reader = reader  # None: reads from other tasks wait for the write lock
        self._short = short  # read_short's, used in the event loop's thread only
        self.path = path
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[Any] | None = None
        self._watchers: list[tuple[frozenset[str], Callable[[], None]]] = []
        self._in_transaction = False
        self._told: list[Callable[[], None]] = []  # to tell again when the transaction ends

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
        reader = None
        if not _in_memory(path):
            # After the writer: the file exists and is in WAL mode, so this one reads snapshots.
            reader = await aiosqlite.connect(path, isolation_level=None)
            reader.row_factory = sqlite3.Row
            await reader.execute("PRAGMA query_only=ON")
            await reader.execute("PRAGMA foreign_keys=ON")
            await reader.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            await reader.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
        return cls(conn, path, reader, _short_connection(path) if reader is not None else None)

    async def close(self) -> None:
        if self._short is not None:
            self._short.close()
        if self._reader is not None:
            await self._reader.close()
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

    def on_write(self, tables: Iterable[str], callback: Callable[[], None]) -> None:
        """Call ``callback()`` after each statement that writes one of ``tables`` (or a table
        that cannot be told), and again when the transaction holding it commits or rolls
        back: a cache dropping its rows then never keeps a value read before the change."""
        self._watchers.append((frozenset(tables), callback))

    def _wrote(self, sql: str | None) -> None:
        table = None if sql is None else written_table(sql)
        for tables, callback in self._watchers:
            if table is None or table in tables:
                callback()
                if self._in_transaction:
                    self._told.append(callback)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Database]:
        """BEGIN IMMEDIATE … COMMIT; nested calls from the same task join the outer one."""
        task = asyncio.current_task()
        if self._owner is not None and self._owner is task:
            yield self
            return
        async with self._write_lock():
            await self._conn.execute("BEGIN IMMEDIATE")
            self._in_transaction = True
            try:
                yield self
            except BaseException:
                await self._conn.execute("ROLLBACK")
                raise
            else:
                await self._conn.execute("COMMIT")
            finally:
                self._in_transaction = False
                told, self._told = self._told, []
                for callback in dict.fromkeys(told):
                    callback()

    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run one write statement; returns lastrowid (useful for INSERT)."""
        async with self._write_lock():
            try:
                return (await self._write(sql, params))[0] or 0
            finally:
                self._wrote(sql)

    async def execute_rowcount(self, sql: str, params: Params = ()) -> int:
        async with self._write_lock():
            try:
                return (await self._write(sql, params))[1]
            finally:
                self._wrote(sql)

    async def _write(self, sql: str, params: Params) -> tuple[int | None, int]:
        """The statement and its cursor's figures in one job on the connection's thread."""

        def job(conn: sqlite3.Connection) -> tuple[int | None, int]:
            cursor = conn.execute(sql, params)
            try:
                return cursor.lastrowid, cursor.rowcount
            finally:
                cursor.close()

        return await self._run(job)

    async def _run(self, job: Callable[[sqlite3.Connection], T]) -> T:
        conn = self._conn
        return await conn._execute(job, conn._conn)  # type: ignore[no-any-return,no-untyped-call]

    async def executemany(self, sql: str, rows: Iterable[Params]) -> None:
        async with self._write_lock():
            try:
                await self._conn.executemany(sql, rows)
            finally:
                self._wrote(sql)

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
    async def _read(self, sql: str, params: Params) -> list[sqlite3.Row]:
        if self._owner is not None and self._owner is asyncio.current_task():
            rows = await self._conn.execute_fetchall(sql, params)  # its own transaction
        elif self._reader is not None:
            rows = await self._reader.execute_fetchall(sql, params)  # the committed snapshot
        else:
            async with self._write_lock():
                rows = await self._conn.execute_fetchall(sql, params)
        return list(rows)  # sqlite3.Row: the row factory set on both connections

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        return next(iter(await self._read(sql, params)), None)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        return await self._read(sql, params)

    async def fetchval(self, sql: str, params: Params = ()) -> Any:
        row = await self.fetchone(sql, params)
        return None if row is None else row[0]

    async def read(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Several SELECTs in one job on a connection's thread: one trip instead of one per
        query.  ``job`` only reads; like the single reads below it sees committed data (or
        its own task's transaction), and all its queries see the same snapshot."""
        if self._owner is not None and self._owner is asyncio.current_task():
            return await self._run(job)  # its own transaction
        if self._reader is not None:
            reader = self._reader

            def snapshot(conn: sqlite3.Connection) -> T:
                conn.execute("BEGIN")  # one read transaction: one snapshot for every query
                try:
                    return job(conn)
                finally:
                    conn.execute("COMMIT")

            return await reader._execute(snapshot, reader._conn)  # type: ignore[no-any-return,no-untyped-call]
        async with self._write_lock():
            return await self._run(job)

    async def write(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """Several statements in one job on the writing connection's thread: one trip
        instead of one per statement.  Like ``execute`` it runs under the write lock, inside
        the caller's transaction when there is one (otherwise each statement commits alone:
        open a transaction around it when they belong together).  Every ``on_write`` watcher
        is told, as for a statement whose table cannot be told."""
        async with self._write_lock():
            try:
                return await self._run(job)
            finally:
                self._wrote(None)  # which tables the job wrote cannot be told: every watcher hears

    async def read_short(self, job: Callable[[sqlite3.Connection], T]) -> T:
        """``read`` for a job bounded by keys and limits: run in the event loop, no hop to a
        thread (see the module's note).  Same snapshot rules as ``read``."""
        conn = self._short
        if conn is None or (self._owner is not None and self._owner is asyncio.current_task()):
            return await self.read(job)
        try:
            conn.execute("BEGIN")  # one snapshot for every query of the job
            try:
                return job(conn)
            finally:
                conn.execute("COMMIT")
        except sqlite3.OperationalError as exc:
            if getattr(exc, "sqlite_errorcode", None) not in _BUSY:
                raise
        # Busy for a moment (a checkpoint, a recovery): the job only reads, so it runs again
        # where waiting holds up no one.
        return await self.read(job)


def _short_connection(path: str) -> sqlite3.Connection:
    # check_same_thread off: the loop's thread opens and uses it, but Database.connect may
    # run in one thread's loop and be closed from another's (tests, `bot try`).
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA query_only=ON")
    conn.execute(f"PRAGMA busy_timeout={SHORT_BUSY_TIMEOUT_MS}")
    return conn


def _in_memory(path: str) -> bool:
    return path == ":memory:" or (
        path.startswith("file:") and (":memory:" in path or "mode=memory" in path)
    )
