"""One ``bot run`` per database: an exclusive ``flock`` on a file next to the database.

The kernel releases the lock when the process exits however it exits (a crash, SIGKILL), so
the next start takes it over without any clean-up; the delivery worker's recovery of rows left
in flight relies on no other process sending from the same database.  ``restore`` takes the
same lock, so it never replaces the database under a running bot.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from storage.db import make_private


class AlreadyRunning(RuntimeError):
    """Another process holds the database; the message is for the operator, in Russian."""


def lock_path(database_path: str | Path) -> Path:
    path = Path(database_path)
    return path.with_name(path.name + ".lock")


class InstanceLock:
    def __init__(self, database_path: str | Path) -> None:
        self.database_path = str(database_path)
        self.path = lock_path(database_path)
        self._fd: int | None = None

    def acquire(self) -> None:
        if self.database_path == ":memory:":
            return
        # Often the first file in a new data directory: make it (and the directory) owner-only.
        make_private(self.path)
        fd = os.open(self.path, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
            os.close(fd)
            who = f" (процесс {holder})" if holder.isdigit() else ""
            raise AlreadyRunning(
                f"С базой {self.database_path} уже работает другой экземпляр бота{who}; "
                "остановите его или укажите другую DATABASE_PATH."
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor drops the lock
            self._fd = None

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
