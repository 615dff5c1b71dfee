"""Users: registration on first contact, profile fields, the active flag."""

from __future__ import annotations

from dataclasses import dataclass
from sqlite3 import Row
from typing import Any

from storage.db import Database


@dataclass(frozen=True)
class UserRecord:
    id: int
    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None
    role: str
    region: str | None
    is_active: bool
    created_at: str
    updated_at: str
    org_kind: str | None = None
    org_name: str | None = None
    onboarded_at: str | None = None
    follow_notify: str = "immediate"
    digest_frequency: str = "weekly"
    digest_weekday: int = 0
    digest_hour: int = 10
    next_digest_at: str | None = None
    last_digest_at: str | None = None
    nudges_paused_until: str | None = None


def _record(row: Row | dict[str, Any]) -> UserRecord:
    data = dict(row)
    data["is_active"] = bool(data["is_active"])
    return UserRecord(**data)


class UserRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def get(self, user_id: int) -> UserRecord | None:
        row = await self.db.fetchone("SELECT * FROM users WHERE id = ?", (user_id,))
        return _record(row) if row else None

    async def upsert(
        self,
        user_id: int,
        *,
        first_name: str,
        last_name: str | None,
        username: str | None,
        language_code: str | None,
        now: str,
    ) -> tuple[UserRecord, bool]:
        """Insert a new user or refresh the Telegram names; returns (record, created).

        Coming back also makes a user active again: writing to the bot undoes a block.
        """
        created = (
            await self.db.execute_rowcount(
                "INSERT INTO users (id, first_name, last_name, username, language_code,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (id) DO NOTHING",
                (user_id, first_name, last_name, username, language_code, now, now),
            )
            == 1
        )
        if not created:
            await self.db.execute(
                "UPDATE users SET first_name = ?, last_name = ?, username = ?,"
                " language_code = ?, is_active = 1, updated_at = ?"
                " WHERE id = ? AND (first_name IS NOT ? OR last_name IS NOT ?"
                " OR username IS NOT ? OR language_code IS NOT ? OR is_active = 0)",
                (
                    first_name,
                    last_name,
                    username,
                    language_code,
                    now,
                    user_id,
                    first_name,
                    last_name,
                    username,
                    language_code,
                ),
            )
        record = await self.get(user_id)
        assert record is not None
        return record, created

    async def set_region(self, user_id: int, region: str | None, now: str) -> None:
        await self.db.execute(
            "UPDATE users SET region = ?, updated_at = ? WHERE id = ?", (region, now, user_id)
        )

    async def set_follow_notify(self, user_id: int, mode: str) -> None:
        """How a follower hears of changes: 'immediate' or 'digest'."""
        await self.db.execute("UPDATE users SET follow_notify = ? WHERE id = ?", (mode, user_id))

    async def set_active(self, user_id: int, active: bool, now: str) -> None:
        await self.db.execute(
            "UPDATE users SET is_active = ?, updated_at = ? WHERE id = ?",
            (int(active), now, user_id),
        )

    async def count(self) -> int:
        return await self.db.fetchint("SELECT count(*) FROM users")

    async def by_username(self, username: str) -> UserRecord | None:
        row = await self.db.fetchone(
            "SELECT * FROM users WHERE lower(username) = lower(?)", (username.lstrip("@"),)
        )
        return _record(row) if row else None

    async def set_profile_field(
        self, user_id: int, field: str, value: str | None, now: str
    ) -> None:
        if field not in {"region", "org_kind", "org_name", "onboarded_at", "next_digest_at"}:
            raise ValueError(f"not a profile field: {field}")
        await self.db.execute(
            f"UPDATE users SET {field} = ?, updated_at = ? WHERE id = ?", (value, now, user_id)
        )
