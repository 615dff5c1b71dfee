"""Queries behind digests and nudges: due users, and the week's activity in bulk.

The planner loads what happened in the window once per run and matches users against it in
memory, so the cost grows with the activity, not with users × recommendations.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from storage.db import Database
from storage.statuses import CLOSED_SQL
from storage.users import UserRecord, _record

# A row of the window's activity: a plain dict of plain values, which the garbage collector
# does not track (an sqlite3.Row it does): the planner keeps thousands for a whole run.
ActivityRow = dict[str, Any]

# An addressee that stands for everyone at the forum ("Участники конференции") or none at all.
PARTICIPANTS = "*"

_KINDS = (
    "SELECT group_concat(CASE WHEN a.canonical LIKE 'Участник%' THEN '*' ELSE a.kind END)"
    " FROM recommendation_addressees ra JOIN addressees a ON a.id = ra.addressee_id"
    " WHERE ra.recommendation_id = r.id"
)


def kinds_of(value: str | None) -> frozenset[str]:
    return frozenset(value.split(",")) if value else frozenset({PARTICIPANTS})


_DEADLINE_ROWS = (
    f"SELECT r.id, r.number, r.text, r.deadline, r.deadline_precision, r.status,"
    f" r.document_id, d.region, ({_KINDS}) AS kinds, r.deadline_kind, r.deadline_period"
    " FROM recommendations r JOIN documents d ON d.id = r.document_id"
)
_OPEN = f" AND r.removed = 0 AND r.status NOT IN ({CLOSED_SQL})"
# Two halves, each on its own index: an OR of the two scanned every recommendation.
DEADLINES_SQL = (
    f"{_DEADLINE_ROWS} WHERE r.deadline BETWEEN ? AND ?{_OPEN} UNION ALL"
    f" {_DEADLINE_ROWS} WHERE r.deadline_kind = 'recurring' AND r.deadline < ?{_OPEN}"
)


class DigestRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # users
    async def due_users(self, now: str, after_id: int, limit: int) -> list[UserRecord]:
        rows = await self.db.fetchall(
            "SELECT * FROM users WHERE is_active = 1 AND digest_frequency != 'off'"
            " AND next_digest_at <= ? AND id > ? ORDER BY id LIMIT ?",
            (now, after_id, limit),
        )
        return [_record(r) for r in rows]

    async def earliest_since(self, now: str) -> str | None:
        return await self.db.fetchtext(
            "SELECT min(coalesce(last_digest_at, created_at)) FROM users WHERE is_active = 1"
            " AND digest_frequency != 'off' AND next_digest_at <= ?",
            (now,),
        )

    async def unscheduled_users(self, after_id: int, limit: int) -> list[UserRecord]:
        rows = await self.db.fetchall(
            "SELECT * FROM users WHERE is_active = 1 AND digest_frequency != 'off'"
            " AND next_digest_at IS NULL AND id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        )
        return [_record(r) for r in rows]

    async def set_schedules(self, rows: list[tuple[str | None, str | None, int]]) -> None:
        """(next_digest_at, last_digest_at or None to keep it, user_id)."""
        await self.db.executemany(
            "UPDATE users SET next_digest_at = ?,"
            " last_digest_at = coalesce(?, last_digest_at) WHERE id = ?",
            rows,
        )

    async def set_preferences(
        self, user_id: int, frequency: str, weekday: int, hour: int, next_at: str | None
    ) -> None:
        await self.db.execute(
            "UPDATE users SET digest_frequency = ?, digest_weekday = ?, digest_hour = ?,"
            " next_digest_at = ? WHERE id = ?",
            (frequency, weekday, hour, next_at, user_id),
        )

    async def set_pause(self, user_id: int, until: str | None) -> None:
        await self.db.execute(
            "UPDATE users SET nudges_paused_until = ? WHERE id = ?", (until, user_id)
        )

    async def subscriptions_of(self, user_ids: list[int]) -> dict[int, list[str]]:
        result: dict[int, list[str]] = defaultdict(list)
        for chunk in _chunks(user_ids):
            marks = ", ".join("?" for _ in chunk)
            for user_id, region in await self.db.fetchall(
                f"SELECT user_id, region FROM subscriptions WHERE user_id IN ({marks})", chunk
            ):
                result[user_id].append(region)
        return result

    async def follows_of(self, user_ids: list[int]) -> dict[int, set[int]]:
        result: dict[int, set[int]] = defaultdict(set)
        for chunk in _chunks(user_ids):
            marks = ", ".join("?" for _ in chunk)
            for user_id, rec_id in await self.db.fetchall(
                f"SELECT user_id, recommendation_id FROM follows WHERE user_id IN ({marks})",
                chunk,
            ):
                result[user_id].add(rec_id)
        return result

    # activity in a window
    async def new_documents(self, since: str) -> list[ActivityRow]:
        return await self._dicts(
            "SELECT id, title, region, adopted_on, created_at FROM documents"
            " WHERE created_at > ? ORDER BY created_at",
            (since,),
        )

    async def new_recommendations(self, since: str) -> list[ActivityRow]:
        return await self._dicts(
            f"SELECT r.id, r.document_id, r.number, r.text, r.created_at, d.region,"
            f" ({_KINDS}) AS kinds FROM recommendations r JOIN documents d"
            " ON d.id = r.document_id WHERE r.created_at > ? AND r.removed = 0",
            (since,),
        )

    async def events(self, since: str) -> list[ActivityRow]:
        return await self._dicts(
            f"SELECT h.id, h.recommendation_id, h.event, h.new_status, h.verdict, h.actor_id,"
            f" h.created_at, r.number, r.text, r.document_id, d.region, ({_KINDS}) AS kinds"
            " FROM history h JOIN recommendations r ON r.id = h.recommendation_id"
            " JOIN documents d ON d.id = r.document_id"
            # No ORDER BY id: it would walk all history instead of the created_at index.
            " WHERE h.created_at > ? AND r.removed = 0",
            (since,),
        )

    async def deadlines_between(self, first: str, last: str) -> list[ActivityRow]:
        """Open recommendations whose deadline falls in [first, last] (ISO dates), and those
        with a recurring term that started before ``first`` (a later occurrence may fall in)."""
        return await self._dicts(DEADLINES_SQL, (first, last, first))

    async def _dicts(self, sql: str, params: tuple[str, ...]) -> list[ActivityRow]:
        """The rows as dicts, made on the database's thread (not the event loop's)."""
        return await self.db.read(lambda conn: [dict(row) for row in conn.execute(sql, params)])

    async def document_titles(self, ids: set[int]) -> dict[int, str]:
        result: dict[int, str] = {}
        for chunk in _chunks(sorted(ids)):
            marks = ", ".join("?" for _ in chunk)
            for doc_id, title in await self.db.fetchall(
                f"SELECT id, title FROM documents WHERE id IN ({marks})", chunk
            ):
                result[doc_id] = title
        return result


def _chunks(values: list[int], size: int = 500) -> Iterator[list[int]]:
    for i in range(0, len(values), size):
        yield values[i : i + size]


class NudgeRepository:
    """Officials' open recommendations, snoozes and the ledger look-ups nudges need."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def officials(self) -> list[tuple[UserRecord, list[int]]]:
        """Active officials with the addressees they answer for."""
        rows = await self.db.fetchall(
            "SELECT u.*, group_concat(o.addressee_id) AS addressee_ids FROM officials o"
            " JOIN users u ON u.id = o.user_id WHERE o.revoked_at IS NULL AND u.is_active = 1"
            " GROUP BY u.id ORDER BY u.id"
        )
        result = []
        for row in rows:
            data = dict(row)
            ids = [int(x) for x in data.pop("addressee_ids").split(",")]
            result.append((_record(data), ids))
        return result

    async def open_recommendations(self, addressee_ids: list[int]) -> list[sqlite3.Row]:
        marks = ", ".join("?" for _ in addressee_ids)
        return await self.db.fetchall(
            "SELECT DISTINCT r.id, r.number, r.text, r.deadline, r.deadline_precision, r.status,"
            " r.deadline_kind, r.deadline_period, r.created_at, r.document_id, d.title, d.region,"
            " (SELECT max(h.created_at) FROM history h WHERE h.recommendation_id = r.id"
            "  AND h.event IN ('status', 'comment')) AS last_report_at"
            " FROM recommendations r JOIN recommendation_addressees ra"
            " ON ra.recommendation_id = r.id JOIN documents d ON d.id = r.document_id"
            f" WHERE ra.addressee_id IN ({marks}) AND r.removed = 0"
            f" AND r.status NOT IN ({CLOSED_SQL})",
            addressee_ids,
        )

    async def addressees_of(self, recommendation_id: int, among: list[int]) -> list[int]:
        marks = ", ".join("?" for _ in among)
        rows = await self.db.fetchall(
            "SELECT addressee_id FROM recommendation_addressees WHERE recommendation_id = ?"
            f" AND addressee_id IN ({marks})",
            (recommendation_id, *among),
        )
        return [r[0] for r in rows]

    async def snoozes(self, user_id: int) -> dict[int, str]:
        rows = await self.db.fetchall(
            "SELECT recommendation_id, until FROM snoozes WHERE user_id = ?", (user_id,)
        )
        return {r[0]: r[1] for r in rows}

    async def snooze(self, user_id: int, recommendation_id: int, until: str) -> None:
        await self.db.execute(
            "INSERT INTO snoozes (user_id, recommendation_id, until) VALUES (?, ?, ?)"
            " ON CONFLICT (user_id, recommendation_id) DO UPDATE SET until = excluded.until",
            (user_id, recommendation_id, until),
        )

    async def deadline_and_region(
        self, user_id: int, recommendation_id: int
    ) -> tuple[str | None, str | None]:
        """A recommendation's deadline and the region of the user who snoozes it."""
        deadline = await self.db.fetchval(
            "SELECT deadline FROM recommendations WHERE id = ?", (recommendation_id,)
        )
        region = await self.db.fetchval("SELECT region FROM users WHERE id = ?", (user_id,))
        return deadline, region

    async def drop_snooze(self, user_id: int, recommendation_id: int) -> None:
        await self.db.execute(
            "DELETE FROM snoozes WHERE user_id = ? AND recommendation_id = ?",
            (user_id, recommendation_id),
        )

    async def keys_with_prefix(self, prefix: str) -> set[str]:
        rows = await self.db.fetchall(
            "SELECT dedup_key FROM outbox WHERE dedup_key >= ? AND dedup_key < ?",
            (prefix, prefix + "\uffff"),
        )
        return {r[0] for r in rows}

    async def coordinators_of(self, region: str) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT c.user_id FROM coordinators c JOIN users u ON u.id = c.user_id"
            " WHERE c.region = ? AND u.is_active = 1",
            (region,),
        )
        return [r[0] for r in rows]

    async def addressee_names(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        marks = ", ".join("?" for _ in ids)
        rows = await self.db.fetchall(
            f"SELECT id, canonical FROM addressees WHERE id IN ({marks})", ids
        )
        return {r[0]: r[1] for r in rows}
