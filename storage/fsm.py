"""Key-value rows behind the bot's conversation state.

Every update asks for its dialog's state, and most never change it: the repository keeps the
rows it has read or written in memory (the most recent ``CACHED_KEYS``) and writes only what
changes.  It is the one owner of ``fsm_state`` while the bot runs: the other code that deletes
rows (forgetting a person, retention) goes through ``delete`` and ``purge_before`` here, which
drop the cached copies too.  One instance per process (``Services.fsm``).
"""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

from storage.db import Database

CACHED_KEYS = 10_000
EMPTY = "{}"


class FsmRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        # key → (state, data as JSON), newest last; a missing row is (None, EMPTY).
        self._rows: OrderedDict[str, tuple[str | None, str]] = OrderedDict()

    async def _row(self, key: str) -> tuple[str | None, str]:
        cached = self._rows.get(key)
        if cached is not None:
            self._rows.move_to_end(key)
            return cached
        row = await self.db.fetchone("SELECT state, data FROM fsm_state WHERE key = ?", (key,))
        found = (row["state"], row["data"] or EMPTY) if row else (None, EMPTY)
        self._keep(key, found)
        return found

    def _keep(self, key: str, row: tuple[str | None, str]) -> None:
        self._rows[key] = row
        self._rows.move_to_end(key)
        while len(self._rows) > CACHED_KEYS:
            self._rows.popitem(last=False)

    async def get_state(self, key: str) -> str | None:
        return (await self._row(key))[0]

    async def set_state(self, key: str, state: str | None) -> None:
        current, data = await self._row(key)
        if state == current:
            return
        self._rows.pop(key, None)  # a failed write must not leave the new value behind
        await self.db.execute(
            "INSERT INTO fsm_state (key, state) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (key, state),
        )
        self._keep(key, (state, data))

    async def get_data(self, key: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads((await self._row(key))[1])
        return data

    async def set_data(self, key: str, data: dict[str, Any]) -> None:
        state, current = await self._row(key)
        raw = json.dumps(data, ensure_ascii=False)
        if json.loads(raw) == json.loads(current):
            return
        self._rows.pop(key, None)
        await self.db.execute(
            "INSERT INTO fsm_state (key, data) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET data = excluded.data,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (key, raw),
        )
        self._keep(key, (state, raw))

    async def delete(self, keys: list[str]) -> None:
        """Delete these dialogs (a person is forgotten)."""
        for key in keys:
            self._rows.pop(key, None)
        await self.db.executemany("DELETE FROM fsm_state WHERE key = ?", [(k,) for k in keys])

    async def purge_before(self, before: str) -> int:
        """Retention: delete dialogs untouched since ``before``; returns how many."""
        self._rows.clear()
        # fsm_state.updated_at is written by SQLite as YYYY-MM-DDTHH:MM:SSZ.
        return await self.db.execute_rowcount(
            "DELETE FROM fsm_state WHERE updated_at < ?", (before[:19] + "Z",)
        )
