"""Announcements: drafts, their audience, and the figures of their delivery."""

from __future__ import annotations

import json
from dataclasses import dataclass
from sqlite3 import Row
from typing import Any

from storage.db import Database

OUTBOX_KIND = "announce"


@dataclass(frozen=True)
class AnnouncementRow:
    id: int
    author_id: int
    region: str
    content: dict[str, Any]
    audience: dict[str, Any]
    status: str
    send_at: str | None
    recipients: int
    progress_chat_id: int | None
    progress_message_id: int | None
    progress_text: str | None
    created_at: str
    queued_at: str | None
    cancelled_at: str | None
    finished_at: str | None


def _row(row: Row) -> AnnouncementRow:
    data = dict(row)
    data["content"] = json.loads(data["content"])
    data["audience"] = json.loads(data["audience"])
    return AnnouncementRow(**data)


def _audience_sql(
    region: str, kinds: list[str] | None, document_id: int | None
) -> tuple[str, list[Any]]:
    """The recipients' query: active users of the region's audience, one row each."""
    if document_id is not None:
        # Followers of any recommendation of the document.
        sql = (
            "SELECT DISTINCT u.id FROM follows f"
            " JOIN recommendations r ON r.id = f.recommendation_id"
            " JOIN users u ON u.id = f.user_id"
            " WHERE r.document_id = ? AND u.is_active = 1"
        )
        params: list[Any] = [document_id]
    else:
        sql = (
            "SELECT u.id FROM subscriptions s JOIN users u ON u.id = s.user_id"
            " WHERE s.region = ? AND u.is_active = 1"
        )
        params = [region]
    if kinds:
        sql += " AND u.org_kind IN (SELECT value FROM json_each(?))"
        params.append(json.dumps(kinds))
    return sql, params


class AnnouncementRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def create(self, author_id: int, region: str, content: dict[str, Any], now: str) -> int:
        return await self.db.execute(
            "INSERT INTO announcements (author_id, region, content, created_at)"
            " VALUES (?, ?, ?, ?)",
            (author_id, region, json.dumps(content, ensure_ascii=False), now),
        )

    async def delete_stale_drafts(self, author_id: int, before: str) -> int:
        return await self.db.execute_rowcount(
            "DELETE FROM announcements WHERE author_id = ? AND status = 'draft' AND created_at < ?",
            (author_id, before),
        )

    async def get(self, announcement_id: int) -> AnnouncementRow | None:
        row = await self.db.fetchone("SELECT * FROM announcements WHERE id = ?", (announcement_id,))
        return _row(row) if row else None

    async def set_audience(self, announcement_id: int, audience: dict[str, Any]) -> bool:
        return (
            await self.db.execute_rowcount(
                "UPDATE announcements SET audience = ? WHERE id = ? AND status = 'draft'",
                (json.dumps(audience), announcement_id),
            )
            == 1
        )

    async def recipients(
        self, region: str, kinds: list[str] | None, document_id: int | None
    ) -> list[int]:
        sql, params = _audience_sql(region, kinds, document_id)
        rows = await self.db.fetchall(sql + " ORDER BY u.id", params)
        return [r[0] for r in rows]

    async def count_recipients(
        self, region: str, kinds: list[str] | None, document_id: int | None
    ) -> int:
        sql, params = _audience_sql(region, kinds, document_id)
        return await self.db.fetchint(f"SELECT count(*) FROM ({sql})", params)

    async def mark_queued(
        self,
        announcement_id: int,
        *,
        send_at: str,
        recipients: int,
        now: str,
        progress: tuple[int, int] | None,
    ) -> bool:
        """draft → queued; False if it was not a draft any more (a second press)."""
        chat_id, message_id = progress or (None, None)
        return (
            await self.db.execute_rowcount(
                "UPDATE announcements SET status = 'queued', send_at = ?, recipients = ?,"
                " queued_at = ?, progress_chat_id = ?, progress_message_id = ?"
                " WHERE id = ? AND status = 'draft'",
                (send_at, recipients, now, chat_id, message_id, announcement_id),
            )
            == 1
        )

    async def mark_cancelled(self, announcement_id: int, now: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "UPDATE announcements SET status = 'cancelled', cancelled_at = ?"
                " WHERE id = ? AND status IN ('draft', 'queued')",
                (now, announcement_id),
            )
            == 1
        )

    async def mark_finished(self, announcement_id: int, now: str) -> bool:
        """queued → done (a cancelled one stays cancelled); sets finished_at once."""
        return (
            await self.db.execute_rowcount(
                "UPDATE announcements SET finished_at = ?,"
                " status = CASE status WHEN 'queued' THEN 'done' ELSE status END"
                " WHERE id = ? AND finished_at IS NULL",
                (now, announcement_id),
            )
            == 1
        )

    async def set_progress_message(
        self, announcement_id: int, chat_id: int | None, message_id: int | None
    ) -> None:
        await self.db.execute(
            "UPDATE announcements SET progress_chat_id = ?, progress_message_id = ?,"
            " progress_text = NULL WHERE id = ?",
            (chat_id, message_id, announcement_id),
        )

    async def set_progress_text(self, announcement_id: int, text: str | None) -> None:
        await self.db.execute(
            "UPDATE announcements SET progress_text = ? WHERE id = ?", (text, announcement_id)
        )

    async def open_due(self, now: str) -> list[AnnouncementRow]:
        """Started and not finished: their progress is shown, their end is reported."""
        rows = await self.db.fetchall(
            "SELECT * FROM announcements WHERE finished_at IS NULL"
            " AND status IN ('queued', 'cancelled') AND send_at <= ? ORDER BY id",
            (now,),
        )
        return [_row(r) for r in rows]

    async def counts(self, ids: list[int]) -> dict[int, dict[str, int]]:
        """Outbox rows by status for each announcement."""
        result: dict[int, dict[str, int]] = {i: {} for i in ids}
        if not ids:
            return result
        rows = await self.db.fetchall(
            "SELECT ref_id, status, count(*) FROM outbox WHERE kind = ?"
            " AND ref_id IN (SELECT value FROM json_each(?)) GROUP BY ref_id, status",
            (OUTBOX_KIND, json.dumps(ids)),
        )
        for ref_id, status, n in rows:
            result[ref_id][status] = n
        return result

    async def page(
        self, regions: list[str] | None, offset: int, limit: int
    ) -> tuple[list[AnnouncementRow], int]:
        """Sent or scheduled announcements, newest first; ``regions`` None means all."""
        where = "status != 'draft'"
        params: list[Any] = []
        if regions is not None:
            where += " AND region IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(regions, ensure_ascii=False))
        total = await self.db.fetchval(f"SELECT count(*) FROM announcements WHERE {where}", params)
        rows = await self.db.fetchall(
            f"SELECT * FROM announcements WHERE {where} ORDER BY id DESC LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        return [_row(r) for r in rows], total

    async def regions_with_subscribers(self, limit: int) -> list[str]:
        rows = await self.db.fetchall(
            "SELECT s.region FROM subscriptions s JOIN users u ON u.id = s.user_id"
            " WHERE u.is_active = 1 GROUP BY s.region ORDER BY count(*) DESC, s.region LIMIT ?",
            (limit,),
        )
        return [r[0] for r in rows]
