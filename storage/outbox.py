"""The outbox: queued messages with a unique ledger key; the delivery worker drains it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Database


@dataclass(frozen=True)
class OutboxRow:
    id: int
    dedup_key: str
    recipient_id: int
    kind: str
    ref_id: int | None
    payload: dict[str, Any]
    status: str
    attempts: int
    not_before: str


def _row(row) -> OutboxRow:
    return OutboxRow(
        id=row["id"],
        dedup_key=row["dedup_key"],
        recipient_id=row["recipient_id"],
        kind=row["kind"],
        ref_id=row["ref_id"],
        payload=json.loads(row["payload"]),
        status=row["status"],
        attempts=row["attempts"],
        not_before=row["not_before"],
    )


class OutboxRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def enqueue(
        self,
        dedup_key: str,
        recipient_id: int,
        kind: str,
        payload: dict[str, Any],
        *,
        not_before: str,
        now: str,
        ref_id: int | None = None,
    ) -> bool:
        """False when the ledger already has this key: it was queued (or sent) before."""
        return (
            await self.db.execute_rowcount(
                "INSERT OR IGNORE INTO outbox (dedup_key, recipient_id, kind, ref_id, payload,"
                " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    dedup_key,
                    recipient_id,
                    kind,
                    ref_id,
                    json.dumps(payload, ensure_ascii=False),
                    not_before,
                    now,
                ),
            )
            == 1
        )

    async def enqueue_many(self, rows: list[tuple[str, int, str, int | None, str, str, str]]):
        """Bulk form of enqueue: (dedup_key, recipient, kind, ref_id, payload_json,
        not_before, now)."""
        await self.db.executemany(
            "INSERT OR IGNORE INTO outbox (dedup_key, recipient_id, kind, ref_id, payload,"
            " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    async def due(self, now: str, limit: int) -> list[OutboxRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM outbox WHERE status IN ('pending', 'sending') AND not_before <= ?"
            " ORDER BY not_before, id LIMIT ?",
            (now, limit),
        )
        return [_row(r) for r in rows]

    async def mark_sending(self, outbox_id: int) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'sending', attempts = attempts + 1 WHERE id = ?",
            (outbox_id,),
        )

    async def mark_sent(self, outbox_id: int, message_id: int | None, now: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, error = NULL"
            " WHERE id = ?",
            (now, message_id, outbox_id),
        )

    async def mark_final(self, outbox_id: int, status: str, error: str | None) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = ?, error = ? WHERE id = ?", (status, error, outbox_id)
        )

    async def retry_later(self, outbox_id: int, not_before: str, error: str) -> None:
        await self.db.execute(
            "UPDATE outbox SET status = 'pending', not_before = ?, error = ? WHERE id = ?",
            (not_before, error, outbox_id),
        )

    async def cancel(self, kind: str, ref_id: int) -> int:
        return await self.db.execute_rowcount(
            "UPDATE outbox SET status = 'cancelled' WHERE kind = ? AND ref_id = ?"
            " AND status = 'pending'",
            (kind, ref_id),
        )

    async def counts(self, kind: str, ref_id: int) -> dict[str, int]:
        rows = await self.db.fetchall(
            "SELECT status, count(*) FROM outbox WHERE kind = ? AND ref_id = ? GROUP BY status",
            (kind, ref_id),
        )
        return {r[0]: r[1] for r in rows}

    async def status_counts(self) -> dict[str, int]:
        """All rows by status (for /metrics and /healthz)."""
        rows = await self.db.fetchall("SELECT status, count(*) FROM outbox GROUP BY status")
        return {r[0]: r[1] for r in rows}

    async def get(self, outbox_id: int) -> OutboxRow | None:
        row = await self.db.fetchone("SELECT * FROM outbox WHERE id = ?", (outbox_id,))
        return _row(row) if row else None
