"""Invites, officials and the append-only history of recommendations."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from storage.db import Database
from storage.documents import (
    AddresseeRow,
    DocumentRow,
    RecommendationRow,
    _document,
    _recommendation,
)
from storage.message_refs import MessageRefs
from storage.privacy import official_org_sql
from storage.statuses import REPORTED_SQL


@dataclass(frozen=True)
class InviteRow:
    id: int
    token: str
    addressee_id: int
    created_by: int
    max_uses: int
    uses: int
    expires_at: str
    revoked_at: str | None
    created_at: str


@dataclass(frozen=True)
class CardView:
    """What a card shows and the reader's standing, as stored (see ``card_view``)."""

    recommendation: RecommendationRow
    document: DocumentRow
    addressees: list[AddresseeRow]  # in the document's order
    history: list[HistoryRow]
    reader_region: str | None
    following: bool
    coordinator_regions: frozenset[str]
    official_addressees: frozenset[int]
    reported: bool = True  # someone reported on it (else it reads «нет данных»)


@dataclass(frozen=True)
class HistoryRow:
    id: int
    recommendation_id: int
    actor_id: int | None
    actor_role: str
    event: str
    old_status: str | None
    new_status: str | None
    comment: str | None
    evidence_kind: str | None
    evidence: str | None
    evidence_name: str | None
    old_deadline: str | None
    new_deadline: str | None
    verdict: str | None
    created_at: str
    # An official's organization; after /forget actor_id is NULL and actor_alias groups
    # the forgotten person's rows (see migration 0012).
    actor_org: str | None = None
    actor_alias: int | None = None
    # A status entered by a coordinator from an official letter or a spreadsheet (0014).
    basis: str | None = None  # letter | spreadsheet
    letter_number: str | None = None
    letter_date: str | None = None  # ISO date

    @property
    def author_key(self) -> tuple[str, int | None]:
        """Tells authors apart (one latest assessment each) also once they are forgotten."""
        if self.actor_id is None and self.actor_alias is not None:
            return ("forgotten", self.actor_alias)
        return ("user", self.actor_id)


HISTORY_FIELDS = tuple(
    f for f in HistoryRow.__dataclass_fields__ if f not in {"id", "actor_org", "actor_alias"}
)


class ReportingRepository:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.refs = MessageRefs(db)  # the one per process (built once in bot/container.py)

    # invites
    async def create_invite(
        self,
        token: str,
        addressee_id: int,
        created_by: int,
        max_uses: int,
        expires_at: str,
        now: str,
    ) -> int:
        return await self.db.execute(
            "INSERT INTO invites (token, addressee_id, created_by, max_uses, expires_at,"
            " created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token, addressee_id, created_by, max_uses, expires_at, now),
        )

    async def invite_by_token(self, token: str) -> InviteRow | None:
        row = await self.db.fetchone("SELECT * FROM invites WHERE token = ?", (token,))
        return InviteRow(**dict(row)) if row else None

    async def get_invite(self, invite_id: int) -> InviteRow | None:
        row = await self.db.fetchone("SELECT * FROM invites WHERE id = ?", (invite_id,))
        return InviteRow(**dict(row)) if row else None

    async def use_invite(self, invite_id: int, now: str) -> bool:
        """Count one use if the invite is still good; False when it is not (race-safe)."""
        return (
            await self.db.execute_rowcount(
                "UPDATE invites SET uses = uses + 1 WHERE id = ? AND uses < max_uses"
                " AND revoked_at IS NULL AND expires_at > ?",
                (invite_id, now),
            )
            == 1
        )

    async def revoke_invite(self, invite_id: int, now: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "UPDATE invites SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (now, invite_id),
            )
            == 1
        )

    async def invites_for_region(self, region: str | None, now: str) -> list[InviteRow]:
        """Open invites (not revoked, not expired, uses left) of a region; None: all."""
        rows = await self.db.fetchall(
            "SELECT i.* FROM invites i JOIN addressees a ON a.id = i.addressee_id"
            " JOIN documents d ON d.id = a.document_id"
            " WHERE i.revoked_at IS NULL AND i.expires_at > ? AND i.uses < i.max_uses"
            " AND (? IS NULL OR d.region = ?) ORDER BY i.id",
            (now, region, region),
        )
        return [InviteRow(**dict(r)) for r in rows]

    # officials
    async def bind_official(
        self, user_id: int, addressee_id: int, invite_id: int | None, now: str
    ) -> None:
        await self.db.execute(
            "INSERT INTO officials (user_id, addressee_id, invite_id, created_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (user_id, addressee_id) DO UPDATE SET"
            " revoked_at = NULL, invite_id = excluded.invite_id, created_at = excluded.created_at",
            (user_id, addressee_id, invite_id, now),
        )

    async def unbind_official(self, user_id: int, addressee_id: int, now: str) -> bool:
        return (
            await self.db.execute_rowcount(
                "UPDATE officials SET revoked_at = ? WHERE user_id = ? AND addressee_id = ?"
                " AND revoked_at IS NULL",
                (now, user_id, addressee_id),
            )
            == 1
        )

    async def official_addressees(self, user_id: int) -> set[int]:
        rows = await self.db.fetchall(
            "SELECT addressee_id FROM officials WHERE user_id = ? AND revoked_at IS NULL",
            (user_id,),
        )
        return {r[0] for r in rows}

    async def officials_of(self, addressee_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT o.user_id FROM officials o JOIN users u ON u.id = o.user_id"
            " WHERE o.addressee_id = ? AND o.revoked_at IS NULL AND u.is_active = 1",
            (addressee_id,),
        )
        return [r[0] for r in rows]

    async def officials_for_region(self, region: str | None) -> list[tuple[int, int]]:
        """(user_id, addressee_id) of active bindings in a region; None: all regions."""
        rows = await self.db.fetchall(
            "SELECT o.user_id, o.addressee_id FROM officials o"
            " JOIN addressees a ON a.id = o.addressee_id JOIN documents d ON d.id = a.document_id"
            " WHERE o.revoked_at IS NULL AND (? IS NULL OR d.region = ?)"
            " ORDER BY d.region, a.canonical, o.user_id",
            (region, region),
        )
        return [(r[0], r[1]) for r in rows]

    # history
    async def append(self, entry: dict[str, Any]) -> int:
        values = [entry.get(name) for name in HISTORY_FIELDS]
        marks = ", ".join("?" for _ in HISTORY_FIELDS)
        # An official's row names the organization they report for: the report stays the
        # organization's when the person is forgotten.
        # A web link (a negative actor id) speaks for the addressee it was made for.
        web = (
            "SELECT a.canonical FROM web_links w JOIN addressees a ON a.id = w.addressee_id"
            " WHERE w.id = -?"
        )
        org = f"CASE WHEN ? = 'official' THEN coalesce(({official_org_sql()}), ({web})) END"
        return await self.db.execute(
            f"INSERT INTO history ({', '.join(HISTORY_FIELDS)}, actor_org) VALUES ({marks}, {org})",
            [
                *values,
                entry.get("actor_role"),
                entry.get("actor_id"),
                entry.get("recommendation_id"),
                entry.get("actor_id"),
            ],
        )

    async def history(self, recommendation_id: int, limit: int = 50) -> list[HistoryRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM history WHERE recommendation_id = ? ORDER BY id DESC LIMIT ?",
            (recommendation_id, limit),
        )
        return [HistoryRow(**dict(r)) for r in reversed(rows)]

    async def verdict_on_last_report(self, recommendation_id: int, user_id: int) -> str | None:
        """The person's latest verdict since the last status report (one per report)."""
        value = await self.db.fetchval(
            "SELECT verdict FROM history WHERE recommendation_id = ? AND actor_id = ?"
            " AND event = 'assessment' AND id > coalesce((SELECT max(id) FROM history"
            " WHERE recommendation_id = ? AND event = 'status'), 0) ORDER BY id DESC LIMIT 1",
            (recommendation_id, user_id, recommendation_id),
        )
        return str(value) if value is not None else None

    async def has_reports(self, recommendation_id: int) -> bool:
        """Someone has reported on it (a status or comment in its history)."""
        return bool(
            await self.db.fetchval(
                f"SELECT {REPORTED_SQL} FROM recommendations r WHERE r.id = ?",
                (recommendation_id,),
            )
        )

    async def history_entry(self, entry_id: int) -> HistoryRow | None:
        row = await self.db.fetchone("SELECT * FROM history WHERE id = ?", (entry_id,))
        return HistoryRow(**dict(row)) if row else None

    async def card_view(self, recommendation_id: int, reader_id: int) -> CardView | None:
        """Everything a card shows, read in one job (a card is opened on almost every update
        that is not /my or a question), in the loop (``Database.read_short``); None if there
        is no such recommendation."""

        def job(conn: sqlite3.Connection) -> CardView | None:
            def rows(sql: str, *params: Any) -> list[sqlite3.Row]:
                return conn.execute(sql, params).fetchall()

            found = rows("SELECT * FROM recommendations WHERE id = ?", recommendation_id)
            if not found:
                return None
            rec = _recommendation(found[0])
            document = rows("SELECT * FROM documents WHERE id = ?", rec.document_id)
            if not document:
                return None
            addressees = rows(
                "SELECT a.* FROM recommendation_addressees ra"
                " JOIN addressees a ON a.id = ra.addressee_id"
                " WHERE ra.recommendation_id = ? ORDER BY a.position",
                recommendation_id,
            )
            history = rows(
                "SELECT * FROM history WHERE recommendation_id = ? ORDER BY id DESC LIMIT 50",
                recommendation_id,
            )
            region = rows("SELECT region FROM users WHERE id = ?", reader_id)
            reported = rows(
                f"SELECT {REPORTED_SQL} FROM recommendations r WHERE r.id = ?", recommendation_id
            )
            return CardView(
                recommendation=rec,
                document=_document(document[0]),
                addressees=[AddresseeRow(**dict(r)) for r in addressees],
                history=[HistoryRow(**dict(r)) for r in reversed(history)],
                reader_region=region[0][0] if region else None,
                following=bool(
                    rows(
                        "SELECT 1 FROM follows WHERE user_id = ? AND recommendation_id = ?",
                        reader_id,
                        recommendation_id,
                    )
                ),
                coordinator_regions=frozenset(
                    r[0]
                    for r in rows("SELECT region FROM coordinators WHERE user_id = ?", reader_id)
                ),
                official_addressees=frozenset(
                    r[0]
                    for r in rows(
                        "SELECT addressee_id FROM officials"
                        " WHERE user_id = ? AND revoked_at IS NULL",
                        reader_id,
                    )
                ),
                reported=bool(reported[0][0]),
            )

        return await self.db.read_short(job)  # by keys, the history limited

    # replies
    async def remember_message(self, chat_id: int, message_id: int, rec_ids: list[int]) -> None:
        await self.refs.remember(chat_id, message_id, rec_ids)

    async def recommendations_of_message(self, chat_id: int, message_id: int) -> list[int]:
        return await self.refs.recommendations_of(chat_id, message_id)
