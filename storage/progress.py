"""The coordinator's overview: counts by status per resolution and addressee (SQL only).

"No report yet" (нет данных) is an item whose history has no status or comment event: its
stored status is the default ``not_started``, which must not read as a report.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from storage.db import Database
from storage.documents import RecommendationRow
from storage.documents import _recommendation as recommendation_row
from storage.statuses import CLOSED_SQL, REPORTED_SQL, Status

# A recommendation's reported state: its status, or 'no_data' while nobody reported.
_STATE = (
    f"CASE WHEN r.status = '{Status.NOT_STARTED}' AND NOT {REPORTED_SQL}"
    " THEN 'no_data' ELSE r.status END"
)
# A report of the body itself (the history row ``h``): by its official (in Telegram or the
# web form), or its answer the coordinator entered from a letter or a filled-in spreadsheet;
# not the coordinator's own status or comment on the card.
_BODY_REPORT = (
    "h.event IN ('status', 'comment')"
    " AND (h.actor_role = 'official' OR h.basis IN ('letter', 'spreadsheet'))"
)
# The open web-form links of the addressee ``a`` at a time (the parameter): an official too.
_OPEN_WEB_LINKS = (
    "SELECT count(*) FROM web_links w WHERE w.addressee_id = a.id"
    " AND w.revoked_at IS NULL AND w.expires_at > ?"
)
_OPEN = f"r.status NOT IN ({CLOSED_SQL})"
# A recurring term is due at its next occurrence once its day has passed: never overdue.
_OVERDUE = f"r.deadline < ? AND r.deadline_kind IS NOT 'recurring' AND {_OPEN}"
# A column per state (constants from the enum, never input), then the overdue ones.
_COUNTS = ", ".join(
    [
        "count(DISTINCT r.id) AS total",
        *(
            f"count(DISTINCT CASE WHEN {_STATE} = '{state}' THEN r.id END) AS {state}"
            for state in (*Status, "no_data")
        ),
        f"count(DISTINCT CASE WHEN {_OVERDUE} THEN r.id END) AS overdue",
    ]
)


class ProgressRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def regions(self) -> list[str]:
        """Regions that have documents, for an admin to pick from."""
        rows = await self.db.fetchall(
            "SELECT DISTINCT region FROM documents WHERE region IS NOT NULL ORDER BY region"
        )
        return [r[0] for r in rows]

    async def documents(self, region: str, today: str) -> list[sqlite3.Row]:
        """Resolutions of a region, newest first, with counts over their live items."""
        return await self.db.fetchall(
            f"SELECT d.id, d.title, d.adopted_on, d.region, {_COUNTS}"
            " FROM documents d JOIN recommendations r ON r.document_id = d.id AND r.removed = 0"
            " WHERE d.region = ? GROUP BY d.id"
            " ORDER BY d.adopted_on IS NULL, d.adopted_on DESC, d.id DESC",
            (today, region),
        )

    async def document(self, document_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            "SELECT id, title, adopted_on, region FROM documents WHERE id = ?", (document_id,)
        )

    async def addressees(
        self, document_id: int, today: str, since: str, now: str
    ) -> list[sqlite3.Row]:
        """Each addressee of a resolution: counts, officials (in Telegram, and web-form links
        open at ``now``), last report, the date of its latest letter (the body answered
        through the coordinator) and of its latest report not by letter, reports since."""
        return await self.db.fetchall(
            f"SELECT a.id, a.canonical, a.document_id, {_COUNTS},"
            " (SELECT count(*) FROM officials o JOIN users u ON u.id = o.user_id"
            "  WHERE o.addressee_id = a.id AND o.revoked_at IS NULL) AS officials,"
            f" ({_OPEN_WEB_LINKS}) AS web_links,"
            " (SELECT max(h.created_at) FROM history h JOIN recommendation_addressees x"
            "  ON x.recommendation_id = h.recommendation_id"
            f"  WHERE x.addressee_id = a.id AND {_BODY_REPORT}) AS last_report,"
            " (SELECT max(h.letter_date) FROM history h JOIN recommendation_addressees x"
            "  ON x.recommendation_id = h.recommendation_id"
            f"  WHERE x.addressee_id = a.id AND {_BODY_REPORT} AND h.basis = 'letter')"
            " AS last_letter_date,"
            " (SELECT max(h.created_at) FROM history h JOIN recommendation_addressees x"
            "  ON x.recommendation_id = h.recommendation_id"
            f"  WHERE x.addressee_id = a.id AND {_BODY_REPORT} AND h.basis IS NOT 'letter')"
            " AS last_direct_report,"
            " (SELECT count(*) FROM history h JOIN recommendation_addressees x"
            "  ON x.recommendation_id = h.recommendation_id"
            f"  WHERE x.addressee_id = a.id AND {_BODY_REPORT}"
            "  AND h.created_at >= ?) AS recent_reports"
            " FROM addressees a"
            " JOIN recommendation_addressees ra ON ra.addressee_id = a.id"
            " JOIN recommendations r ON r.id = ra.recommendation_id AND r.removed = 0"
            " WHERE a.document_id = ? GROUP BY a.id ORDER BY a.position",
            (today, now, since, document_id),
        )

    async def summary(
        self,
        region: str,
        today: str,
        document_id: int | None = None,
        addressee: str | None = None,
    ) -> tuple[list[sqlite3.Row], sqlite3.Row]:
        """Counts by addressee name (a body named in several resolutions is one line), and
        the counts of the whole scope (each item once, with or without an addressee)."""
        where = "d.region = ?"
        params: list[object] = [region]
        if document_id is not None:
            where += " AND d.id = ?"
            params.append(document_id)
        by_name = await self.db.fetchall(
            f"SELECT a.canonical, {_COUNTS} FROM addressees a"
            " JOIN documents d ON d.id = a.document_id"
            " JOIN recommendation_addressees ra ON ra.addressee_id = a.id"
            " JOIN recommendations r ON r.id = ra.recommendation_id AND r.removed = 0"
            f" WHERE {where}{' AND a.canonical = ?' if addressee is not None else ''}"
            " GROUP BY a.canonical ORDER BY min(d.id), min(a.position), a.canonical",
            [today, *params, *([addressee] if addressee is not None else [])],
        )
        if addressee is not None:
            where += (
                " AND EXISTS (SELECT 1 FROM recommendation_addressees x JOIN addressees a"
                " ON a.id = x.addressee_id WHERE x.recommendation_id = r.id AND a.canonical = ?)"
            )
            params.append(addressee)
        whole = await self.db.fetchone(
            f"SELECT {_COUNTS} FROM recommendations r JOIN documents d ON d.id = r.document_id"
            f" WHERE r.removed = 0 AND {where}",
            [today, *params],
        )
        assert whole is not None  # an aggregate always has a row
        return by_name, whole

    async def addressee(self, addressee_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            "SELECT a.id, a.canonical, a.document_id, d.region FROM addressees a"
            " JOIN documents d ON d.id = a.document_id WHERE a.id = ?",
            (addressee_id,),
        )

    async def web_links(self, addressee_id: int, now: str) -> int:
        """How many web-form links of the addressee are open (neither revoked nor expired)."""
        return await self.db.fetchint(
            f"SELECT ({_OPEN_WEB_LINKS}) FROM addressees a WHERE a.id = ?", (now, addressee_id)
        )

    async def officials(self, addressee_id: int) -> list[sqlite3.Row]:
        return await self.db.fetchall(
            "SELECT u.id, u.first_name FROM officials o JOIN users u ON u.id = o.user_id"
            " WHERE o.addressee_id = ? AND o.revoked_at IS NULL ORDER BY o.created_at",
            (addressee_id,),
        )

    async def reported(self, ids: list[int]) -> frozenset[int]:
        """The ids among ``ids`` someone has reported on."""
        if not ids:
            return frozenset()
        marks = ", ".join("?" * len(ids))
        rows = await self.db.fetchall(
            f"SELECT r.id FROM recommendations r WHERE r.id IN ({marks}) AND {REPORTED_SQL}", ids
        )
        return frozenset(r[0] for r in rows)

    async def items(
        self,
        document_id: int,
        addressee_id: int | None,
        state: str | None,
        today: str,
        limit: int,
        offset: int,
    ) -> tuple[list[RecommendationRow], int, frozenset[int]]:
        """Live items of a resolution (or of one addressee in it) in one state, their
        total, and the ids among them someone has reported on.

        ``state``: a status, 'no_data', 'overdue', or None for all.
        """
        where = "r.document_id = ? AND r.removed = 0"
        params: list[Any] = [document_id]
        if addressee_id is not None:
            where += (
                " AND r.id IN (SELECT recommendation_id FROM recommendation_addressees"
                " WHERE addressee_id = ?)"
            )
            params.append(addressee_id)
        if state == "overdue":
            where += f" AND {_OVERDUE}"
            params.append(today)
        elif state is not None:
            where += f" AND {_STATE} = ?"
            params.append(state)
        total = await self.db.fetchval(
            f"SELECT count(*) FROM recommendations r WHERE {where}", params
        )
        rows = await self.db.fetchall(
            f"SELECT r.*, {REPORTED_SQL} AS reported FROM recommendations r WHERE {where}"
            " ORDER BY r.deadline IS NULL, r.deadline, r.position LIMIT ? OFFSET ?",
            [*params, limit, offset],
        )
        reported = frozenset(r["id"] for r in rows if r["reported"])
        return [recommendation_row(r) for r in rows], total, reported
