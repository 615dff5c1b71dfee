"""The public page, the officials' web links and the calendar feeds: SQL only.

Counts by status reuse the coordinator's overview (``storage/progress.py``); what is here is
what the public page needs on top: a page of a region's resolutions, the regions index,
deadlines for a feed, and the personal links (stored as hashes of their tokens).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from storage.db import Database
from storage.documents import AddresseeRow, RecommendationRow
from storage.documents import _recommendation as recommendation_row
from storage.progress import _COUNTS

FEED_LIMIT = 5000  # deadlines in one calendar feed, nearest first


@dataclass(frozen=True)
class WebLinkRow:
    id: int
    token_hash: str
    addressee_id: int
    created_by: int
    expires_at: str
    revoked_at: str | None
    created_at: str
    last_used_at: str | None


class WebLinkRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(
        self, token_hash: str, addressee_id: int, created_by: int, expires_at: str, now: str
    ) -> int:
        return await self.db.execute(
            "INSERT INTO web_links (token_hash, addressee_id, created_by, expires_at, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (token_hash, addressee_id, created_by, expires_at, now),
        )

    async def get(self, link_id: int) -> WebLinkRow | None:
        row = await self.db.fetchone("SELECT * FROM web_links WHERE id = ?", (link_id,))
        return WebLinkRow(**dict(row)) if row else None

    async def by_hash(self, token_hash: str) -> WebLinkRow | None:
        row = await self.db.fetchone("SELECT * FROM web_links WHERE token_hash = ?", (token_hash,))
        return WebLinkRow(**dict(row)) if row else None

    async def valid_addressee(self, link_id: int, now: str) -> int | None:
        """The addressee a link speaks for while it is neither revoked nor expired."""
        value = await self.db.fetchval(
            "SELECT addressee_id FROM web_links WHERE id = ? AND revoked_at IS NULL"
            " AND expires_at > ?",
            (link_id, now),
        )
        return int(value) if value is not None else None

    async def touch(self, link_id: int, now: str) -> None:
        await self.db.execute("UPDATE web_links SET last_used_at = ? WHERE id = ?", (now, link_id))

    async def revoke(self, link_id: int, now: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "UPDATE web_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now, link_id),
            )
            == 1
        )

    async def open_for_region(self, region: str | None, now: str) -> list[WebLinkRow]:
        """Links still good (not revoked, not expired) of a region; None: all regions."""
        rows = await self.db.fetchall(
            "SELECT w.* FROM web_links w JOIN addressees a ON a.id = w.addressee_id"
            " JOIN documents d ON d.id = a.document_id"
            " WHERE w.revoked_at IS NULL AND w.expires_at > ? AND (? IS NULL OR d.region = ?)"
            " ORDER BY w.id",
            (now, region, region),
        )
        return [WebLinkRow(**dict(r)) for r in rows]


# When someone last reported on the recommendation ``r`` (NULL: nobody has, «нет данных»).
_LAST_REPORT = (
    "(SELECT max(h.created_at) FROM history h WHERE h.recommendation_id = r.id"
    " AND h.event IN ('status', 'comment')) AS last_report"
)
# A feed's items with a deadline, and when each item reported on was last reported on.
Deadlines = tuple[list[RecommendationRow], dict[int, str]]


def _deadlines(rows: list[sqlite3.Row]) -> Deadlines:
    return (
        [recommendation_row(r) for r in rows],
        {r["id"]: r["last_report"] for r in rows if r["last_report"]},
    )


class PublicRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def regions(self) -> list[tuple[str, int]]:
        """(region, number of resolutions) of every region that has any."""
        rows = await self.db.fetchall(
            "SELECT region, count(*) FROM documents WHERE region IS NOT NULL"
            " GROUP BY region ORDER BY region"
        )
        return [(r[0], r[1]) for r in rows]

    async def count_documents(self, region: str) -> int:
        return int(
            await self.db.fetchval("SELECT count(*) FROM documents WHERE region = ?", (region,))
        )

    async def documents(
        self, region: str, today: str, limit: int, offset: int
    ) -> list[sqlite3.Row]:
        """One page of a region's resolutions, newest first, with counts by state."""
        return await self.db.fetchall(
            f"SELECT d.id, d.title, d.adopted_on, d.region, {_COUNTS}"
            " FROM (SELECT * FROM documents WHERE region = ?"
            "  ORDER BY adopted_on IS NULL, adopted_on DESC, id DESC LIMIT ? OFFSET ?) d"
            " LEFT JOIN recommendations r ON r.document_id = d.id AND r.removed = 0"
            " GROUP BY d.id ORDER BY d.adopted_on IS NULL, d.adopted_on DESC, d.id DESC",
            (today, region, limit, offset),
        )

    async def document_counts(self, document_id: int, today: str) -> sqlite3.Row | None:
        return await self.db.fetchone(
            f"SELECT {_COUNTS} FROM recommendations r WHERE r.document_id = ? AND r.removed = 0",
            (today, document_id),
        )

    async def addressees_of(self, recommendation_id: int) -> list[AddresseeRow]:
        rows = await self.db.fetchall(
            "SELECT a.* FROM recommendation_addressees ra JOIN addressees a"
            " ON a.id = ra.addressee_id WHERE ra.recommendation_id = ? ORDER BY a.position",
            (recommendation_id,),
        )
        return [AddresseeRow(**dict(r)) for r in rows]

    async def addressee_deadlines(self, addressee_id: int) -> Deadlines:
        rows = await self.db.fetchall(
            f"SELECT r.*, {_LAST_REPORT} FROM recommendation_addressees ra"
            " JOIN recommendations r ON r.id = ra.recommendation_id"
            " WHERE ra.addressee_id = ? AND r.removed = 0 AND r.deadline IS NOT NULL"
            " ORDER BY r.deadline, r.id LIMIT ?",
            (addressee_id, FEED_LIMIT),
        )
        return _deadlines(rows)

    async def region_deadlines(self, region: str) -> Deadlines:
        rows = await self.db.fetchall(
            f"SELECT r.*, {_LAST_REPORT} FROM documents d"
            " JOIN recommendations r ON r.document_id = d.id"
            " WHERE d.region = ? AND r.removed = 0 AND r.deadline IS NOT NULL"
            " ORDER BY r.deadline, r.id LIMIT ?",
            (region, FEED_LIMIT),
        )
        return _deadlines(rows)

    async def addressee_names(self, recommendation_ids: list[int]) -> dict[int, list[str]]:
        """The addressees of each recommendation, in the document's order."""
        if not recommendation_ids:
            return {}
        marks = ", ".join("?" for _ in recommendation_ids)
        rows = await self.db.fetchall(
            "SELECT ra.recommendation_id, a.canonical FROM recommendation_addressees ra"
            f" JOIN addressees a ON a.id = ra.addressee_id WHERE ra.recommendation_id IN ({marks})"
            " ORDER BY ra.recommendation_id, a.position",
            recommendation_ids,
        )
        out: dict[int, list[str]] = {}
        for row in rows:
            out.setdefault(row[0], []).append(row[1])
        return out
