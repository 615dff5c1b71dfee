"""SQLite storage: one aiosqlite connection, ordered migrations, repositories with plain SQL.

This package imports nothing from ``bot`` or ``handlers``: services hand it plain values.
"""

from storage.db import Database
from storage.migrate import apply_migrations

__all__ = ["Database", "apply_migrations"]
