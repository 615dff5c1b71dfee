"""Who holds which role where: coordinators per region (officials come with reporting)."""

from __future__ import annotations

import sqlite3

from storage.db import Database


class RoleRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def held(self, user_id: int) -> tuple[frozenset[str], frozenset[int]]:
        """(regions coordinated, addressees represented as an official), in one trip."""

        def job(conn: sqlite3.Connection) -> tuple[frozenset[str], frozenset[int]]:
            regions = conn.execute("SELECT region FROM coordinators WHERE user_id = ?", (user_id,))
            officials = conn.execute(
                "SELECT addressee_id FROM officials WHERE user_id = ? AND revoked_at IS NULL",
                (user_id,),
            )
            return frozenset(r[0] for r in regions), frozenset(r[0] for r in officials)

        return await self.db.read(job)

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
