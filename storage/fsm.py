"""Key-value rows behind the bot's conversation state."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Database


class FsmRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get_state(self, key: str) -> str | None:
        return await self.db.fetchtext("SELECT state FROM fsm_state WHERE key = ?", (key,))

    async def set_state(self, key: str, state: str | None) -> None:
        await self.db.execute(
            "INSERT INTO fsm_state (key, state) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET state = excluded.state,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (key, state),
        )

    async def get_data(self, key: str) -> dict[str, Any]:
        raw = await self.db.fetchval("SELECT data FROM fsm_state WHERE key = ?", (key,))
        return json.loads(raw) if raw else {}

    async def set_data(self, key: str, data: dict[str, Any]) -> None:
        await self.db.execute(
            "INSERT INTO fsm_state (key, data) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET data = excluded.data,"
            " updated_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')",
            (key, json.dumps(data, ensure_ascii=False)),
        )
