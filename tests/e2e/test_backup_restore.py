"""A backup taken in the middle of a broadcast, restored: nothing that was committed is lost."""

from __future__ import annotations

import asyncio
import sqlite3
import sys
from pathlib import Path

import pytest

from tests.e2e.test_broadcast import (
    COORD,
    announce_to_everyone,
    deliveries,
    make_process,
    seed,
    shutdown,
    text_of,
    wait_message,
)

# Starts `python -m bot` as a separate process.
pytestmark = pytest.mark.slow


def committed(path: Path) -> tuple[set[int], int]:
    """The announce rows already sent, and all announce rows, as committed right now."""
    conn = sqlite3.connect(path)
    try:
        sent = {r[0] for r in conn.execute("SELECT id FROM outbox WHERE status = 'sent'")}
        rows = conn.execute("SELECT count(*) FROM outbox WHERE kind = 'announce'").fetchone()[0]
        return sent, rows
    finally:
        conn.close()


async def cli(process, *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=str(process.workdir),
        env=process._environment(),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def test_backup_mid_broadcast_restores_everything_committed(api, tmp_path):
    recipients = 300
    process = make_process(api, tmp_path, rate=60)
    ids = await seed(process.database_path, recipients)
    coordinator = api.user(COORD, "Ольга")
    copy = tmp_path / "copies" / "mid.sqlite3"
    try:
        await process.start()
        await announce_to_everyone(coordinator, recipients)
        # Checked again after every call the fake server answers (each send is one).
        await api.wait_until(
            lambda: len(committed(process.database_path)[0]) >= 40, what="the broadcast's start"
        )
        sent_before, rows = committed(process.database_path)
        code, out = await cli(process, "backup", str(copy))
        assert code == 0, out
        assert sum(deliveries(api, ids).values()) < recipients, "the backup came mid-broadcast"

        code, out = await cli(process, "restore", str(copy))
        assert code == 1 and "работает бот — остановите его" in out, out
        assert await process.stop() == 0
    finally:
        await shutdown(process)

    code, out = await cli(process, "restore", str(copy))
    assert code == 0, out
    sent_after, rows_after = committed(process.database_path)
    assert rows_after == rows == recipients
    assert sent_before <= sent_after, "a delivery committed before the backup was lost"

    # The restored database finishes the broadcast: everyone gets the announcement.
    try:
        await process.start()
        await wait_message(coordinator, lambda m: "завершена: доставлено" in text_of(m), 60)
        assert await process.stop() == 0
    finally:
        await shutdown(process)
    assert min(deliveries(api, ids).values()) >= 1
    assert "Traceback" not in process.log()
