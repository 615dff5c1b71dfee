"""aiogram FSM storage on top of SQLite, so a restart does not drop a half-finished dialog."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, StorageKey

from storage.fsm import FsmRepository


def _key(key: StorageKey) -> str:
    return f"{key.bot_id}:{key.chat_id}:{key.user_id}:{key.thread_id or 0}:{key.destiny}"


class SQLiteStorage(BaseStorage):
    def __init__(self, repo: FsmRepository) -> None:
        self.repo = repo

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self.repo.set_state(_key(key), value)

    async def get_state(self, key: StorageKey) -> str | None:
        return await self.repo.get_state(_key(key))

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self.repo.set_data(_key(key), dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return await self.repo.get_data(_key(key))

    async def close(self) -> None:
        """The database belongs to the process, not to the storage: nothing to close here."""
