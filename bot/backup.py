"""Backups of the SQLite database while the bot runs, and restoring one when it does not.

``backup_database`` uses SQLite's online backup API: one consistent snapshot even while the
bot writes (WAL readers do not block writers), written to a ``.part`` file created readable by
the owner only, checked with ``PRAGMA integrity_check``, then renamed into place — a file named
like a backup is always a whole, checked one.  ``restore_database`` refuses a damaged file or a
database without our schema, takes the single-instance lock (so never under a running bot),
keeps the current database aside, and copies the backup in with the same API, which respects
the live database's WAL.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from bot.instance import InstanceLock
from storage.db import make_private

SUFFIX = ".sqlite3"
BUSY_TIMEOUT_S = 30.0


class BackupError(RuntimeError):
    """A backup or restore that cannot be done; the message is for the operator, in Russian."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int


def _create_private(path: Path) -> None:
    make_private(path)  # missing directories 0700, the file 0600
    os.truncate(path, 0)


def _integrity(conn: sqlite3.Connection) -> str:
    rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(str(r[0]) for r in rows[:5])


def _copy(source: str, target: Path, journal_mode: str) -> str:
    """Copy database ``source`` (a path or a URI) into ``target`` with the online backup API,
    all pages in one step (one consistent snapshot); the target's integrity verdict."""
    src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_S, uri=source.startswith("file:"))
    try:
        dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_S)
        try:
            src.backup(dst)
            dst.execute(f"PRAGMA journal_mode={journal_mode}")
            return _integrity(dst)
        finally:
            dst.close()
    finally:
        src.close()


def backup_database(database_path: str | Path, target: str | Path) -> BackupResult:
    """A consistent, checked, owner-only copy of the database at ``target`` (blocking)."""
    database_path, target = Path(database_path), Path(target)
    if not database_path.exists():
        raise BackupError(f"Базы {database_path} нет — копировать нечего.")
    part = target.with_name(target.name + ".part")
    _create_private(part)
    try:
        # The copy is one self-contained file, not a WAL database with side files.
        verdict = _copy(str(database_path), part, "DELETE")
        if verdict != "ok":
            raise BackupError(f"Копия не прошла проверку целостности ({verdict}).")
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            part.unlink()
        raise
    return BackupResult(target, target.stat().st_size)


def backup_name(database_path: str | Path, now: dt.datetime) -> str:
    return f"{Path(database_path).stem}-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}{SUFFIX}"


def backups_in(directory: Path, database_path: str | Path) -> list[Path]:
    """This database's backups in ``directory``, oldest first (the names sort by time)."""
    if not directory.is_dir():
        return []
    stem = Path(database_path).stem
    return sorted(
        p
        for p in directory.glob(f"{stem}-*{SUFFIX}")
        if p.is_file() and p.name[len(stem) + 1].isdigit()
    )


def scheduled_backup(
    database_path: str | Path, directory: str | Path, keep: int, now: dt.datetime
) -> tuple[BackupResult, list[Path]]:
    """The daily backup: a new file in ``directory``, then only the newest ``keep`` stay."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    result = backup_database(database_path, directory / backup_name(database_path, now))
    existing = backups_in(directory, database_path)
    removed = existing[: max(len(existing) - keep, 0)]
    for old in removed:
        old.unlink()
    return result, removed


def check_backup(path: str | Path) -> None:
    """Refuse a file that is not a whole SQLite database of this bot."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Файла {path} нет.")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            verdict = _integrity(conn)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} — не база SQLite или файл повреждён ({exc}).") from None
    if verdict != "ok":
        raise BackupError(f"Резервная копия {path} повреждена ({verdict}); база не изменена.")
    if not {"schema_migrations", "users", "outbox"} <= tables:
        raise BackupError(f"{path} — база SQLite, но не резервная копия этого бота.")


def _unused(path: Path) -> Path:
    """``path``, or ``path-2``, ``path-3`` … when taken: a second restore in the same second
    must not overwrite the database kept by the first."""
    candidate, n = path, 1
    while candidate.exists():
        n += 1
        candidate = path.with_name(f"{path.name}-{n}")
    return candidate


def restore_database(
    backup_path: str | Path, database_path: str | Path, now: dt.datetime
) -> Path | None:
    """Replace the database with a checked backup; returns where the previous one was kept.

    Raises ``AlreadyRunning`` while a bot works with the database, ``BackupError`` for a bad
    backup — in both cases nothing is changed."""
    check_backup(backup_path)
    database_path = Path(database_path)
    with InstanceLock(database_path):
        kept = None
        if database_path.exists():
            kept = _unused(
                database_path.with_name(
                    f"{database_path.name}.before-restore-{now.astimezone(dt.UTC):%Y%m%d-%H%M%S}"
                )
            )
            backup_database(database_path, kept)
        else:
            _create_private(database_path)
        # Into the live file through SQLite, which respects its WAL (a file copy would not).
        verdict = _copy(f"file:{Path(backup_path)}?mode=ro", database_path, "WAL")
        if verdict != "ok":
            raise BackupError(f"После восстановления база не прошла проверку ({verdict}).")
        os.chmod(database_path, 0o600)
        return kept
