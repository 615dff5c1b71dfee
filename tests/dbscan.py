"""Find where a person is mentioned anywhere in the database: every table, every cell."""

from __future__ import annotations

import re

from storage import Database


async def mentions(db: Database, user_id: int, *names: str) -> list[tuple[str, str, object]]:
    """(table, column, value) of every cell equal to ``user_id``, or text containing it as a
    number or containing one of ``names``."""
    id_re = re.compile(rf"(?<!\d){user_id}(?!\d)")
    tables = [
        r[0]
        for r in await db.fetchall(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    ]
    found = []
    for table in tables:
        for row in await db.fetchall(f'SELECT * FROM "{table}"'):
            for column, value in dict(row).items():
                if isinstance(value, bytes):
                    value = value.decode("utf-8", "replace")
                same_id = isinstance(value, int) and value == user_id
                in_text = isinstance(value, str) and bool(
                    id_re.search(value) or any(n.lower() in value.lower() for n in names)
                )
                if same_id or in_text:
                    found.append((table, column, value))
    return found
