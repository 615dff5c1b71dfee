"""The delivery worker's side of the outbox: claiming due rows and recording outcomes in bulk.

``storage/outbox.py`` is how messages get in; this is how they get out.  Statuses:
pending → sending (claimed, the call is about to be made) → sent | blocked | failed, or back
to pending for a retry.  A row still 'sending' when the process starts again was in flight
at a crash; :meth:`recover` puts it back to pending, so at most the messages in flight at
that moment can reach their recipient twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from storage.db import Database


@dataclass(frozen=True, slots=True)
class DueRow:
    id: int
    recipient_id: int
    kind: str
    ref_id: int | None
    payload: dict[str, Any]
    attempts: int  # before this attempt
    recipient_active: bool  # False: the user blocked the bot, skip without calling Telegram


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one claimed row; ``status`` is sent | pending | blocked | failed."""

    outbox_id: int
    recipient_id: int
    status: str
    message_id: int | None = None
    error: str | None = None
    not_before: str | None = None  # for 'pending': when to try again
    uncount_attempt: bool = False  # a 429 is Telegram's pause, not a failed attempt
    recommendation_ids: tuple[int, ...] = ()  # of a nudge or digest that was sent


class DeliveryRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def recover(self) -> int:
        """Rows left 'sending' (a crash, or an abandoned call) go back to pending."""
        return await self.db.execute_rowcount(
            "UPDATE outbox SET status = 'pending' WHERE status = 'sending'"
        )

    async def due(self, now: str, limit: int) -> list[DueRow]:
        # "status IN (…)" repeats the partial index's condition so SQLite uses outbox_due.
        rows = await self.db.fetchall(
            "SELECT o.id, o.recipient_id, o.kind, o.ref_id, o.payload, o.attempts,"
            " coalesce(u.is_active, 1) AS active"
            " FROM outbox o LEFT JOIN users u ON u.id = o.recipient_id"
            " WHERE o.status IN ('pending', 'sending') AND o.status = 'pending'"
            " AND o.not_before <= ? ORDER BY o.not_before, o.id LIMIT ?",
            (now, limit),
        )
        return [
            DueRow(
                id=r["id"],
                recipient_id=r["recipient_id"],
                kind=r["kind"],
                ref_id=r["ref_id"],
                payload=json.loads(r["payload"]),
                attempts=r["attempts"],
                recipient_active=bool(r["active"]),
            )
            for r in rows
        ]

    async def next_due(self) -> str | None:
        return await self.db.fetchtext(
            "SELECT min(not_before) FROM outbox WHERE status = 'pending'"
        )

    async def claim(self, ids: list[int]) -> set[int]:
        """Mark rows 'sending' (one more attempt); returns those that were still pending —
        a row cancelled since it was read is not claimed and must not be sent."""
        if not ids:
            return set()
        async with self.db.transaction():
            rows = await self.db.fetchall(
                "UPDATE outbox SET status = 'sending', attempts = attempts + 1"
                " WHERE status = 'pending' AND id IN (SELECT value FROM json_each(?))"
                " RETURNING id",
                (json.dumps(ids),),
            )
        return {r[0] for r in rows}

    async def defer(self, rows: list[tuple[str, int]]) -> None:
        """(not_before, id): a row whose chat is not free yet waits without blocking others."""
        if rows:
            await self.db.executemany(
                "UPDATE outbox SET not_before = ? WHERE id = ? AND status = 'pending'", rows
            )

    async def skip_inactive(self, ids: list[int]) -> None:
        if ids:
            await self.db.executemany(
                "UPDATE outbox SET status = 'blocked', error = 'recipient inactive'"
                " WHERE id = ? AND status = 'pending'",
                [(i,) for i in ids],
            )

    async def record(self, outcomes: list[Outcome], now: str) -> None:
        """Write outcomes of claimed rows; the caller wraps this in a transaction."""
        sent = [(now, o.message_id, o.outbox_id) for o in outcomes if o.status == "sent"]
        retry = [
            (o.not_before, o.error, int(o.uncount_attempt), o.outbox_id)
            for o in outcomes
            if o.status == "pending"
        ]
        final = [
            (o.status, o.error, o.outbox_id) for o in outcomes if o.status in ("blocked", "failed")
        ]
        if sent:
            await self.db.executemany(
                "UPDATE outbox SET status = 'sent', sent_at = ?, message_id = ?, error = NULL"
                " WHERE id = ?",
                sent,
            )
        if retry:
            await self.db.executemany(
                "UPDATE outbox SET status = 'pending', not_before = ?, error = ?,"
                " attempts = max(attempts - ?, 0) WHERE id = ?",
                retry,
            )
        if final:
            await self.db.executemany("UPDATE outbox SET status = ?, error = ? WHERE id = ?", final)
