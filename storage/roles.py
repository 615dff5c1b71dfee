"""Who holds which role where: coordinators per region (officials come with reporting)."""

from __future__ import annotations

from storage.db import Database


class RoleRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def coordinator_regions(self, user_id: int) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT region FROM coordinators WHERE user_id = ?", (user_id,)
        )
        return {r[0] for r in rows}

    async def add_coordinator(self, user_id: int, region: str, appointed_by: int, now: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "INSERT OR IGNORE INTO coordinators (user_id, region, appointed_by, created_at)"
                " VALUES (?, ?, ?, ?)",
                (user_id, region, appointed_by, now),
            )
            == 1
        )

    async def remove_coordinator(self, user_id: int, region: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "DELETE FROM coordinators WHERE user_id = ? AND region = ?", (user_id, region)
            )
            == 1
        )

    async def coordinators(self, region: str | None = None) -> list[tuple[int, str]]:
        sql = "SELECT user_id, region FROM coordinators"
        rows = await (
            self.db.fetchall(sql + " WHERE region = ? ORDER BY user_id", (region,))
            if region
            else self.db.fetchall(sql + " ORDER BY region, user_id")
        )
        return [(r[0], r[1]) for r in rows]
