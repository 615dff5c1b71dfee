"""The database holds personal data: its files and a directory made for it are owner-only."""

import os
import stat

from storage import Database, apply_migrations


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


async def test_database_wal_and_shm_and_new_directory_are_owner_only(tmp_path):
    old = os.umask(0o022)  # the usual default: files readable by every local account
    try:
        path = tmp_path / "data" / "deeper" / "bot.sqlite3"
        db = await Database.connect(path)
        try:
            await apply_migrations(db)
            await db.execute("INSERT INTO consents VALUES (1, 'refused', '1', 'x')")
            for name in ("bot.sqlite3", "bot.sqlite3-wal", "bot.sqlite3-shm"):
                assert (path.parent / name).exists(), name
                assert mode(path.parent / name) == 0o600, name
        finally:
            await db.close()
        assert mode(tmp_path / "data") == 0o700
        assert mode(tmp_path / "data" / "deeper") == 0o700
    finally:
        os.umask(old)


async def test_an_existing_readable_database_is_tightened(tmp_path):
    path = tmp_path / "bot.sqlite3"
    db = await Database.connect(path)
    await apply_migrations(db)
    await db.close()
    os.chmod(path, 0o644)
    db = await Database.connect(path)
    try:
        await db.execute("INSERT INTO consents VALUES (1, 'refused', '1', 'x')")
        assert mode(path) == 0o600
        assert mode(f"{path}-wal") == 0o600
    finally:
        await db.close()
