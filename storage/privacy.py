"""Personal data: consent records, everything stored about one person, forgetting, retention."""

from __future__ import annotations

import json
from typing import Any

from storage.db import Database
from storage.fsm import FsmRepository
from storage.message_refs import MessageRefs
from storage.people import ConsentRow as ConsentRow
from storage.people import PeopleCache
from storage.users import UserRecord


def official_org_sql(user: str = "?", recommendation: str = "?") -> str:
    """The organization an official reports for: the addressee of the recommendation they
    are bound to (also when the binding was revoked later).  The arguments are SQL
    expressions for the user id and the recommendation id (parameters by default)."""
    return (
        "SELECT a.canonical FROM officials o"
        " JOIN recommendation_addressees ra ON ra.addressee_id = o.addressee_id"
        " JOIN addressees a ON a.id = o.addressee_id"
        f" WHERE o.user_id = {user} AND ra.recommendation_id = {recommendation}"
        " ORDER BY a.position LIMIT 1"
    )


FINISHED = "status NOT IN ('pending', 'sending')"
EMPTY_PAYLOAD = "{}"


def _fsm_key_is_of(key: str, user_id: int) -> bool:
    """FSM keys are ``bot:chat:user:thread:destiny`` (see bot/telegram/fsm_storage.py)."""
    parts = key.split(":")
    return len(parts) >= 3 and str(user_id) in (parts[1], parts[2])


class PrivacyRepository:
    def __init__(
        self, db: Database, fsm: FsmRepository, refs: MessageRefs, people: PeopleCache
    ) -> None:
        self.db = db
        self.fsm = fsm  # dialogs are deleted through their owner, which caches them
        self.refs = refs  # and message references through theirs, which holds some back
        self.people = people

    # consent
    async def consent(self, user_id: int) -> ConsentRow | None:
        row = await self.db.fetchone("SELECT * FROM consents WHERE user_id = ?", (user_id,))
        return ConsentRow(**dict(row)) if row else None

    async def standing(self, user_id: int) -> tuple[ConsentRow | None, UserRecord | None]:
        """The person's consent and user record (every update asks): kept in memory
        between their updates (storage/people.py)."""
        person = await self.people.get(user_id)
        return person.consent, person.user

    async def record_consent(self, user_id: int, decision: str, version: str, now: str) -> None:
        await self.db.execute(
            "INSERT INTO consents (user_id, decision, version, decided_at) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (user_id) DO UPDATE SET decision = excluded.decision,"
            " version = excluded.version, decided_at = excluded.decided_at",
            (user_id, decision, version, now),
        )

    # what is stored about a person
    async def _fsm_rows(self, user_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT key, state, data, updated_at FROM fsm_state WHERE key LIKE ?",
            (f"%:{user_id}:%",),
        )
        return [dict(r) for r in rows if _fsm_key_is_of(r["key"], user_id)]

    async def _rows(
        self, sql: str, user_id: int, decode: str | None = None
    ) -> list[dict[str, Any]]:
        """Rows as dicts; ``decode`` names a JSON column to turn into data."""
        rows = [dict(r) for r in await self.db.fetchall(sql, (user_id,))]
        for row in rows:
            if decode:
                row[decode] = json.loads(row[decode] or "{}")
        return rows

    async def export(self, user_id: int) -> dict[str, Any]:
        """Every row that names the person, table by table (plain values, JSON decoded)."""
        await self.refs.flush()
        rows = self._rows
        user = await rows("SELECT * FROM users WHERE id = ?", user_id)
        consent = await rows("SELECT * FROM consents WHERE user_id = ?", user_id)
        dialogs = await self._fsm_rows(user_id)
        for row in dialogs:
            row["data"] = json.loads(row["data"] or "{}")
        return {
            "user": user[0] if user else None,
            "consent": consent[0] if consent else None,
            "coordinator_regions": await rows(
                "SELECT region, created_at FROM coordinators WHERE user_id = ?", user_id
            ),
            "official_of": await rows(
                "SELECT a.id AS addressee_id, a.canonical AS addressee, d.region,"
                " o.created_at, o.revoked_at FROM officials o"
                " JOIN addressees a ON a.id = o.addressee_id"
                " JOIN documents d ON d.id = a.document_id WHERE o.user_id = ?",
                user_id,
            ),
            "subscriptions": await rows(
                "SELECT region, created_at FROM subscriptions WHERE user_id = ?", user_id
            ),
            "follows": await rows(
                "SELECT f.recommendation_id, r.number, d.title AS document, f.created_at"
                " FROM follows f JOIN recommendations r ON r.id = f.recommendation_id"
                " JOIN documents d ON d.id = r.document_id WHERE f.user_id = ?"
                " ORDER BY f.created_at",
                user_id,
            ),
            "snoozes": await rows(
                "SELECT recommendation_id, until FROM snoozes WHERE user_id = ?", user_id
            ),
            "history": await rows("SELECT * FROM history WHERE actor_id = ? ORDER BY id", user_id),
            "outbox": await rows(
                "SELECT id, kind, status, payload, not_before, created_at, sent_at, message_id"
                " FROM outbox WHERE recipient_id = ? ORDER BY id",
                user_id,
                decode="payload",
            ),
            "message_refs": await rows(
                "SELECT message_id, recommendation_id FROM message_refs WHERE chat_id = ?",
                user_id,
            ),
            "dialogs": dialogs,
            "announcements": await rows(
                "SELECT id, region, status, content, created_at, queued_at"
                " FROM announcements WHERE author_id = ? ORDER BY id",
                user_id,
                decode="content",
            ),
            "document_drafts": await rows(
                "SELECT id, source, created_at FROM document_drafts WHERE uploader_id = ?",
                user_id,
            ),
            "documents_imported": await rows(
                "SELECT id, title, created_at FROM documents WHERE imported_by = ?", user_id
            ),
            "invites_created": await rows(
                "SELECT id, addressee_id, max_uses, uses, expires_at, revoked_at, created_at"
                " FROM invites WHERE created_by = ?",
                user_id,
            ),
        }

    async def invites_used_by(self, user_id: int) -> list[int]:
        rows = await self.db.fetchall(
            "SELECT invite_id FROM officials WHERE user_id = ? AND invite_id IS NOT NULL",
            (user_id,),
        )
        return [r[0] for r in rows]

    async def forget(self, user_id: int, key_prefixes: list[str], now: str) -> dict[str, int]:
        """Delete or anonymise every row about the person; call inside a transaction.

        ``key_prefixes``: outbox rows to others that name the person (such as a
        coordinator's «joined» notice): pending ones are dropped, sent ones lose the payload.
        """
        db, one = self.db, (user_id,)
        counts: dict[str, int] = {}
        alias = await db.fetchval("SELECT min(id) FROM history WHERE actor_id = ?", one)
        counts["history_anonymised"] = await db.execute_rowcount(
            "UPDATE history SET actor_alias = ?, actor_id = NULL,"
            " actor_org = CASE WHEN actor_role = 'official' AND actor_org IS NULL"
            f" THEN ({official_org_sql('history.actor_id', 'history.recommendation_id')})"
            " ELSE actor_org END WHERE actor_id = ?",
            (alias, user_id),
        )
        for prefix in key_prefixes:
            like = prefix.replace("%", r"\%").replace("_", r"\_") + "%"
            await db.execute(
                f"DELETE FROM outbox WHERE dedup_key LIKE ? ESCAPE '\\' AND NOT {FINISHED}",
                (like,),
            )
            await db.execute(
                f"UPDATE outbox SET payload = ? WHERE dedup_key LIKE ? ESCAPE '\\' AND {FINISHED}",
                (EMPTY_PAYLOAD, like),
            )
        for table in ("follows", "subscriptions", "snoozes", "coordinators", "officials"):
            counts[table] = await db.execute_rowcount(f"DELETE FROM {table} WHERE user_id = ?", one)
        await db.execute("UPDATE coordinators SET appointed_by = NULL WHERE appointed_by = ?", one)
        # What they did for the organization stays, without them: invites they made are
        # closed (no one would hear of a join), documents and broadcasts lose the author.
        await db.execute(
            "UPDATE invites SET revoked_at = coalesce(revoked_at, ?), created_by = 0"
            " WHERE created_by = ?",
            (now, user_id),
        )
        await db.execute("UPDATE documents SET imported_by = NULL WHERE imported_by = ?", one)
        counts["document_drafts"] = await db.execute_rowcount(
            "DELETE FROM document_drafts WHERE uploader_id = ?", one
        )
        counts["announcement_drafts"] = await db.execute_rowcount(
            "DELETE FROM announcements WHERE author_id = ? AND status = 'draft'", one
        )
        await db.execute(
            "UPDATE announcements SET author_id = 0, progress_chat_id = NULL,"
            " progress_message_id = NULL, progress_text = NULL"
            " WHERE author_id = ? OR progress_chat_id = ?",
            (user_id, user_id),
        )
        counts["outbox"] = await db.execute_rowcount(
            "DELETE FROM outbox WHERE recipient_id = ?", one
        )
        await self.refs.flush()
        counts["message_refs"] = await db.execute_rowcount(
            "DELETE FROM message_refs WHERE chat_id = ?", one
        )
        keys = [r["key"] for r in await self._fsm_rows(user_id)]
        await self.fsm.delete(keys)
        counts["dialogs"] = len(keys)
        counts["users"] = await db.execute_rowcount("DELETE FROM users WHERE id = ?", one)
        counts["consents"] = await db.execute_rowcount(
            "DELETE FROM consents WHERE user_id = ?", one
        )
        return counts

    # retention
    async def purge_outbox_payloads(self, before: str) -> int:
        """Finished rows created before ``before`` keep their ledger key, not the message."""
        return await self.db.execute_rowcount(
            f"UPDATE outbox SET payload = ? WHERE {FINISHED} AND payload != '{{}}'"
            " AND created_at < ? AND coalesce(sent_at, created_at) < ?",
            (EMPTY_PAYLOAD, before, before),
        )

    async def purge_dialogs(self, before: str) -> int:
        return await self.fsm.purge_before(before)

    async def purge_announcement_drafts(self, before: str) -> int:
        return await self.db.execute_rowcount(
            "DELETE FROM announcements WHERE status = 'draft' AND created_at < ?", (before,)
        )

    async def purge_document_drafts(self, before: str) -> int:
        return await self.db.execute_rowcount(
            "DELETE FROM document_drafts WHERE created_at < ?", (before,)
        )
