"""The outbox: queued messages with a unique ledger key; the delivery worker drains it."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from storage.db import Database


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

    async def enqueue_many(
        self, rows: Sequence[tuple[str, int, str, int | None, str, str, str]]
    ) -> None:
        """Bulk form of enqueue: (dedup_key, recipient, kind, ref_id, payload_json,
        not_before, now)."""
        await self.db.executemany(
            "INSERT OR IGNORE INTO outbox (dedup_key, recipient_id, kind, ref_id, payload,"
            " not_before, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            rows,
        )

    async def cancel(self, kind: str, ref_id: int) -> int:
        return await self.db.execute_rowcount(
            "UPDATE outbox SET status = 'cancelled' WHERE kind = ? AND ref_id = ?"
            " AND status = 'pending'",
            (kind, ref_id),
        )

    async def status_counts(self) -> dict[str, int]:
        """All rows by status (for /metrics and /healthz)."""
        rows = await self.db.fetchall("SELECT status, count(*) FROM outbox GROUP BY status")
        return {r[0]: r[1] for r in rows}
