"""Regions a user subscribes to and recommendations they follow."""

from __future__ import annotations

from storage.db import Database
from storage.people import PeopleCache
from storage.users import UserRecord


class SubscriptionRepository:
    def __init__(self, db: Database, people: PeopleCache) -> None:
        self.db = db
        self.people = people

    async def regions(self, user_id: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT region FROM subscriptions WHERE user_id = ? ORDER BY created_at, region",
            (user_id,),
        )
        return [r[0] for r in rows]

    async def profile(self, user_id: int) -> tuple[UserRecord | None, list[str]]:
        """The user's record and subscribed regions (each /my and question): kept in memory
        between their updates (storage/people.py)."""
        person = await self.people.get(user_id)
        return person.user, list(person.regions)

    async def subscribe(self, user_id: int, region: str, now: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "INSERT OR IGNORE INTO subscriptions (user_id, region, created_at)"
                " VALUES (?, ?, ?)",
                (user_id, region, now),
            )
            == 1
        )

    async def unsubscribe(self, user_id: int, region: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "DELETE FROM subscriptions WHERE user_id = ? AND region = ?", (user_id, region)
            )
            == 1
        )

    async def follow(self, user_id: int, recommendation_id: int, now: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "INSERT OR IGNORE INTO follows (user_id, recommendation_id, created_at)"
                " VALUES (?, ?, ?)",
                (user_id, recommendation_id, now),
            )
            == 1
        )

    async def unfollow(self, user_id: int, recommendation_id: int) -> bool:
        return (
            await self.db.execute_rowcount(
                "DELETE FROM follows WHERE user_id = ? AND recommendation_id = ?",
                (user_id, recommendation_id),
            )
            == 1
        )

    async def followers(self, recommendation_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT f.user_id FROM follows f JOIN users u ON u.id = f.user_id"
            " WHERE f.recommendation_id = ? AND u.is_active = 1 ORDER BY f.user_id",
            (recommendation_id,),
        )
        return [r[0] for r in rows]
