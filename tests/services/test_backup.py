"""Backups while the database is written to, their rotation, and restores that refuse."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from bot.backup import (
    BackupError,
    backup_database,
    backups_in,
    restore_database,
    scheduled_backup,
)
from bot.cli import main
from bot.instance import AlreadyRunning, InstanceLock
from bot.jobs import BACKUP_JOB, create_scheduler

NOW = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)


def make_db(path: Path, rows: int = 100) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE schema_migrations (version INTEGER, name TEXT)")
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("CREATE TABLE outbox (id INTEGER PRIMARY KEY, status TEXT)")
    conn.executemany("INSERT INTO users VALUES (?, ?)", [(i, f"u{i}") for i in range(rows)])
    conn.close()


def count(path: Path, table: str = "users") -> int:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def test_backup_is_consistent_checked_and_owner_only(tmp_path):
    live = tmp_path / "bot.sqlite3"
    make_db(live)
    writer = sqlite3.connect(live, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a write in progress, not committed
    writer.execute("INSERT INTO users VALUES (1000, 'uncommitted')")
    try:
        result = backup_database(live, tmp_path / "copies" / "b.sqlite3")
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    assert count(result.path) == 100  # everything committed, nothing uncommitted
    assert stat.S_IMODE(result.path.stat().st_mode) == 0o600
    assert not list(result.path.parent.glob("*-wal"))  # one self-contained file
    assert not list(result.path.parent.glob("*.part"))


def test_scheduled_backups_keep_the_newest(tmp_path):
    live = tmp_path / "bot.sqlite3"
    make_db(live)
    directory = tmp_path / "backups"
    for day in range(5):
        scheduled_backup(live, directory, 3, NOW + dt.timedelta(days=day))
    kept = backups_in(directory, live)
    assert [p.name for p in kept] == [
        "bot-20260303-020000.sqlite3",
        "bot-20260304-020000.sqlite3",
        "bot-20260305-020000.sqlite3",
    ]


def test_restore_replaces_the_database_and_keeps_the_old_one(tmp_path):
    live, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    make_db(live, rows=10)
    backup_database(live, copy)
    conn = sqlite3.connect(live, isolation_level=None)
    conn.execute("DELETE FROM users")  # the accident the backup undoes
    conn.close()
    kept = restore_database(copy, live, NOW)
    assert count(live) == 10
    assert kept is not None and count(kept) == 0
    assert stat.S_IMODE(live.stat().st_mode) == 0o600


def test_restore_refuses_a_damaged_backup_and_changes_nothing(tmp_path):
    live, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    make_db(live, rows=500)
    backup_database(live, copy)
    data = bytearray(copy.read_bytes())
    page = 4096
    data[3 * page : 3 * page + 200] = b"\xff" * 200  # a b-tree page scribbled over
    copy.write_bytes(bytes(data))
    make_db(other := tmp_path / "other.sqlite3", rows=1)
    with pytest.raises(BackupError):
        restore_database(copy, other, NOW)
    assert count(other) == 1
    (junk := tmp_path / "junk.sqlite3").write_bytes(b"not a database at all" * 100)
    with pytest.raises(BackupError):
        restore_database(junk, other, NOW)
    assert count(other) == 1


def test_restore_refuses_while_a_bot_holds_the_database(tmp_path):
    live, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    make_db(live, rows=3)
    backup_database(live, copy)
    with InstanceLock(live), pytest.raises(AlreadyRunning):
        restore_database(copy, live, NOW)
    with pytest.raises(AlreadyRunning), InstanceLock(live), InstanceLock(live):
        pass


def test_cli_backup_and_restore(tmp_path, monkeypatch, capsys):
    live = tmp_path / "bot.sqlite3"
    make_db(live, rows=7)
    monkeypatch.setenv("DATABASE_PATH", str(live))
    monkeypatch.setenv("BACKUP_DIR", str(tmp_path / "b"))
    monkeypatch.chdir(tmp_path)
    assert main(["backup"]) == 0
    (made,) = backups_in(tmp_path / "b", live)
    assert main(["restore", str(made)]) == 0
    (tmp_path / "bad.sqlite3").write_bytes(b"\0" * 4096)
    assert main(["restore", str(tmp_path / "bad.sqlite3")]) == 1
    assert "восстановление отменено" in capsys.readouterr().err
    assert count(live) == 7


def test_the_scheduler_makes_a_daily_backup(services):
    job = create_scheduler(services).get_job(BACKUP_JOB)
    assert job is not None and "hour='2'" in str(job.trigger)


async def test_daily_backup_job_writes_into_backup_dir(services, tmp_path):
    from bot.jobs import daily_backup

    services.settings.backup_dir = str(tmp_path / "daily")
    services.settings.backup_keep = 1
    await daily_backup(services)
    await daily_backup(services)  # the same second: replaces, still one file
    (made,) = backups_in(tmp_path / "daily", services.settings.database_path)
    assert count(made, "schema_migrations") > 0


def test_directories_made_for_the_lock_and_backups_are_owner_only(tmp_path):
    """`run` takes the lock before the database is opened, and `backup PATH` may name a new
    directory: both hold personal data (the lock sits next to the database)."""
    old = os.umask(0o022)
    try:
        live = tmp_path / "data" / "bot.sqlite3"
        with InstanceLock(live):
            assert stat.S_IMODE(live.parent.stat().st_mode) == 0o700
        make_db(live)
        made = backup_database(live, tmp_path / "copies" / "deeper" / "b.sqlite3")
        for directory in (tmp_path / "copies", made.path.parent):
            assert stat.S_IMODE(directory.stat().st_mode) == 0o700, directory
    finally:
        os.umask(old)


def test_two_restores_in_one_second_keep_both_previous_databases(tmp_path):
    live = tmp_path / "bot.sqlite3"
    make_db(live, rows=5)
    wrong, right = tmp_path / "wrong.sqlite3", tmp_path / "right.sqlite3"
    make_db(wrong, rows=1)
    make_db(right, rows=2)
    first = restore_database(wrong, live, NOW)
    second = restore_database(right, live, NOW)  # the operator picked the wrong file first
    assert first != second
    assert count(first) == 5  # the database as it was before any restore is still there
    assert count(second) == 1
    assert count(live) == 2


def test_cli_restore_under_a_running_bot_says_to_stop_it(tmp_path, monkeypatch, capsys):
    live, copy = tmp_path / "bot.sqlite3", tmp_path / "copy.sqlite3"
    make_db(live, rows=3)
    backup_database(live, copy)
    monkeypatch.setenv("DATABASE_PATH", str(live))
    monkeypatch.chdir(tmp_path)
    with InstanceLock(live):
        assert main(["restore", str(copy)]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "остановите" in err and "DATABASE_PATH" not in err  # another path would not help


async def test_a_failed_daily_backup_counts_as_an_error_for_alerts(services, tmp_path):
    """A daily backup that cannot be written (BACKUP_DIR made by root, a full disk) is one
    ERROR line and `bot_errors_total{kind="backup"}`, which the README's alert watches."""
    from bot.jobs import daily_backup

    (blocker := tmp_path / "not-a-directory").write_text("x")
    services.settings.backup_dir = str(blocker / "daily")
    await daily_backup(services)
    registry = services.metrics.registry
    assert registry.get_sample_value("bot_errors_total", {"kind": "backup"}) == 1
