"""Documents, addressees, recommendations and drafts: plain SQL, no decisions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from sqlite3 import Row
from typing import Any

from storage.db import Database
from storage.statuses import REPORTED_SQL


@dataclass(frozen=True)
class DocumentRow:
    id: int
    doc_key: str
    source: str
    content_hash: str
    title: str
    adopted_on: str | None
    place: str | None
    region: str | None
    warnings: list[str]
    version: int
    created_at: str
    updated_at: str
    recipients: list[str] = field(default_factory=list)  # "Направить … в X, Y"


@dataclass(frozen=True)
class AddresseeRow:
    id: int
    document_id: int
    position: int
    name: str
    canonical: str
    kind: str
    region: str | None


@dataclass(frozen=True)
class RecommendationRow:
    id: int
    document_id: int
    position: int
    number: str
    text: str
    deadline: str | None
    deadline_precision: str | None
    deadline_phrase: str | None
    deadline_source: str
    mentions: list[str]
    status: str
    status_changed_at: str | None
    removed: bool
    deadline_kind: str = "once"  # once | recurring | relative
    deadline_note: str | None = None  # "ежегодно до 1 марта"
    deadline_period: str | None = None  # recurring: year | quarter | month
    updated_at: str = ""  # ISO UTC of the last change of the row
    calendar_sequence: int = 0  # its revision in the deadline feeds (migration 0019)


def _document(row: Row) -> DocumentRow:
    data = dict(row)
    data.pop("imported_by", None)
    data["warnings"] = json.loads(data["warnings"])
    data["recipients"] = json.loads(data.get("recipients") or "[]")
    known = DocumentRow.__dataclass_fields__
    return DocumentRow(**{k: v for k, v in data.items() if k in known})


def _recommendation(row: Row) -> RecommendationRow:
    data = {k: row[k] for k in RecommendationRow.__dataclass_fields__}
    data["mentions"] = json.loads(data["mentions"])
    data["removed"] = bool(data["removed"])
    return RecommendationRow(**data)


def _recommendation_value(fields: dict[str, Any], column: str) -> Any:
    value = fields[column]
    return json.dumps(value, ensure_ascii=False) if column == "mentions" else value


def _document_json(fields: dict[str, Any]) -> dict[str, Any]:
    out = {**fields, "warnings": json.dumps(fields["warnings"], ensure_ascii=False)}
    if "recipients" in fields:
        out["recipients"] = json.dumps(fields["recipients"], ensure_ascii=False)
    return out


class DocumentRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # documents
    async def count(self) -> int:
        return await self.db.fetchint("SELECT count(*) FROM documents")

    async def get(self, document_id: int) -> DocumentRow | None:
        row = await self.db.fetchone("SELECT * FROM documents WHERE id = ?", (document_id,))
        return _document(row) if row else None

    async def by_key(self, doc_key: str) -> DocumentRow | None:
        row = await self.db.fetchone("SELECT * FROM documents WHERE doc_key = ?", (doc_key,))
        return _document(row) if row else None

    async def list_documents(self, region: str | None = None) -> list[DocumentRow]:
        if region is None:
            rows = await self.db.fetchall("SELECT * FROM documents ORDER BY adopted_on DESC, id")
        else:
            rows = await self.db.fetchall(
                "SELECT * FROM documents WHERE region = ? ORDER BY adopted_on DESC, id", (region,)
            )
        return [_document(r) for r in rows]

    async def insert(self, fields: dict[str, Any], now: str) -> int:
        fields = _document_json(fields)
        columns = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        return await self.db.execute(
            f"INSERT INTO documents ({columns}, created_at, updated_at) VALUES ({marks}, ?, ?)",
            (*fields.values(), now, now),
        )

    async def update(self, document_id: int, fields: dict[str, Any], now: str) -> None:
        fields = _document_json(fields)
        assignments = ", ".join(f"{name} = ?" for name in fields)
        await self.db.execute(
            f"UPDATE documents SET {assignments}, version = version + 1, updated_at = ?"
            " WHERE id = ?",
            (*fields.values(), now, document_id),
        )

    # addressees
    async def addressees(self, document_id: int) -> list[AddresseeRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM addressees WHERE document_id = ? ORDER BY position", (document_id,)
        )
        return [AddresseeRow(**dict(r)) for r in rows]

    async def get_addressee(self, addressee_id: int) -> AddresseeRow | None:
        row = await self.db.fetchone("SELECT * FROM addressees WHERE id = ?", (addressee_id,))
        return AddresseeRow(**dict(row)) if row else None

    async def upsert_addressees(
        self, document_id: int, rows: Sequence[tuple[int, str, str, str, str | None]]
    ) -> dict[str, int]:
        """Insert or update a document's addressees (position, name, canonical, kind, region)
        in one statement; returns every addressee id of the document by its canonical name
        (both in one trip)."""

        def job(conn: sqlite3.Connection) -> dict[str, int]:
            conn.executemany(
                "INSERT INTO addressees (document_id, position, name, canonical, kind, region)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (document_id, canonical) DO UPDATE SET position = excluded.position,"
                " name = excluded.name, kind = excluded.kind, region = excluded.region",
                [(document_id, *row) for row in rows],
            )
            found = conn.execute(
                "SELECT canonical, id FROM addressees WHERE document_id = ?", (document_id,)
            )
            return {r[0]: r[1] for r in found}

        return await self.db.write(job)

    # recommendations
    async def recommendations(
        self, document_id: int, include_removed: bool = False
    ) -> list[RecommendationRow]:
        rows = await self.db.fetchall(
            "SELECT * FROM recommendations WHERE document_id = ?"
            + ("" if include_removed else " AND removed = 0")
            + " ORDER BY position",
            (document_id,),
        )
        return [_recommendation(r) for r in rows]

    async def get_recommendation(self, recommendation_id: int) -> RecommendationRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM recommendations WHERE id = ?", (recommendation_id,)
        )
        return _recommendation(row) if row else None

    async def insert_recommendations(
        self, document_id: int, rows: Sequence[dict[str, Any]], now: str
    ) -> list[int]:
        """Insert new items (all with the same fields) in one statement; returns their ids.

        Run inside a transaction: the ids are given here, after the largest one, which is
        what SQLite itself would give them one by one."""
        if not rows:
            return []
        columns = list(rows[0])
        names = ", ".join(columns)
        marks = ", ".join("?" for _ in columns)
        values = [
            (document_id, *(_recommendation_value(row, c) for c in columns), now, now)
            for row in rows
        ]

        def job(conn: sqlite3.Connection) -> list[int]:
            last = conn.execute("SELECT coalesce(max(id), 0) FROM recommendations").fetchone()[0]
            ids = list(range(last + 1, last + 1 + len(rows)))
            conn.executemany(
                f"INSERT INTO recommendations (id, document_id, {names}, created_at, updated_at)"
                f" VALUES (?, ?, {marks}, ?, ?)",
                [(rec_id, *row) for rec_id, row in zip(ids, values, strict=True)],
            )
            return ids

        return await self.db.write(job)

    async def update_recommendation(
        self, recommendation_id: int, fields: dict[str, Any], now: str
    ) -> None:
        await self.update_recommendations([(recommendation_id, fields)], now)

    async def update_recommendations(
        self, updates: Sequence[tuple[int, dict[str, Any]]], now: str
    ) -> None:
        """Several items' fields, one statement for each set of fields changed."""
        groups: dict[tuple[str, ...], list[tuple[int, dict[str, Any]]]] = {}
        for rec_id, fields in updates:
            groups.setdefault(tuple(fields), []).append((rec_id, fields))
        for columns, group in groups.items():
            assignments = ", ".join(f"{name} = ?" for name in columns)
            await self.db.executemany(
                f"UPDATE recommendations SET {assignments}, updated_at = ? WHERE id = ?",
                [
                    (*(_recommendation_value(fields, c) for c in columns), now, rec_id)
                    for rec_id, fields in group
                ],
            )

    async def set_addressees_of(self, links: dict[int, list[int]]) -> None:
        """Replace the addressees of these recommendations (id -> addressee ids), in one
        trip."""
        ids = json.dumps(list(links))
        pairs = [(rec_id, a) for rec_id, addressee_ids in links.items() for a in addressee_ids]

        def job(conn: sqlite3.Connection) -> None:
            conn.execute(
                "DELETE FROM recommendation_addressees"
                " WHERE recommendation_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO recommendation_addressees (recommendation_id, addressee_id)"
                " VALUES (?, ?)",
                pairs,
            )

        await self.db.write(job)

    async def addressee_ids_of(self, recommendation_id: int) -> frozenset[int]:
        rows = await self.db.fetchall(
            "SELECT addressee_id FROM recommendation_addressees WHERE recommendation_id = ?",
            (recommendation_id,),
        )
        return frozenset(r[0] for r in rows)

    async def addressee_ids_by_recommendation(self, document_id: int) -> dict[int, list[int]]:
        rows = await self.db.fetchall(
            "SELECT ra.recommendation_id, ra.addressee_id FROM recommendation_addressees ra"
            " JOIN addressees a ON a.id = ra.addressee_id WHERE a.document_id = ?"
            " ORDER BY a.position",
            (document_id,),
        )
        result: dict[int, list[int]] = {}
        for rec_id, addressee_id in rows:
            result.setdefault(rec_id, []).append(addressee_id)
        return result

    async def rename_addressee(self, addressee_id: int, canonical: str) -> None:
        await self.db.execute(
            "UPDATE addressees SET canonical = ? WHERE id = ?", (canonical, addressee_id)
        )

    async def addressee_by_canonical(self, document_id: int, canonical: str) -> AddresseeRow | None:
        row = await self.db.fetchone(
            "SELECT * FROM addressees WHERE document_id = ? AND canonical = ?",
            (document_id, canonical),
        )
        return AddresseeRow(**dict(row)) if row else None

    async def move_bindings(self, from_id: int, to_id: int) -> None:
        """Officials and open invites of a merged addressee pass to the one it merged into."""
        await self.db.execute(
            "UPDATE OR IGNORE officials SET addressee_id = ? WHERE addressee_id = ?",
            (to_id, from_id),
        )
        await self.db.execute(
            "UPDATE invites SET addressee_id = ? WHERE addressee_id = ?", (to_id, from_id)
        )

    # the parser's own result and the coordinators' corrections
    async def save_parse(self, document_id: int, parsed_key: str, parsed: str, now: str) -> None:
        await self.db.execute(
            "INSERT INTO document_parses (document_id, parsed_key, parsed, updated_at)"
            " VALUES (?, ?, ?, ?) ON CONFLICT (document_id) DO UPDATE SET"
            " parsed_key = excluded.parsed_key, parsed = excluded.parsed,"
            " updated_at = excluded.updated_at",
            (document_id, parsed_key, parsed, now),
        )

    async def get_parse(self, document_id: int) -> str | None:
        return await self.db.fetchtext(
            "SELECT parsed FROM document_parses WHERE document_id = ?", (document_id,)
        )

    async def version_of(self, key: str) -> DocumentRow | None:
        """The document a parse with this key is a version of: by the parser's own key of
        its last parse, else by its (corrected) key; both looked up in one trip."""

        def job(conn: sqlite3.Connection) -> Row | None:
            row: Row | None = conn.execute(
                "SELECT d.* FROM documents d JOIN document_parses p ON p.document_id = d.id"
                " WHERE p.parsed_key = ? ORDER BY d.id LIMIT 1",
                (key,),
            ).fetchone()
            if row is None:
                row = conn.execute("SELECT * FROM documents WHERE doc_key = ?", (key,)).fetchone()
            return row

        row = await self.db.read(job)
        return _document(row) if row else None

    async def add_correction(
        self, document_id: int, actor_id: int | None, actor_role: str, op: dict[str, Any], now: str
    ) -> int:
        return await self.db.execute(
            "INSERT INTO document_corrections (document_id, actor_id, actor_role, op, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (document_id, actor_id, actor_role, json.dumps(op, ensure_ascii=False), now),
        )

    async def corrections(self, document_id: int) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT op FROM document_corrections WHERE document_id = ? ORDER BY id",
            (document_id,),
        )
        return [json.loads(r[0]) for r in rows]

    async def correction_log(self, document_id: int, limit: int = 20) -> list[dict[str, Any]]:
        rows = await self.db.fetchall(
            "SELECT actor_id, actor_role, op, created_at FROM document_corrections"
            " WHERE document_id = ? ORDER BY id DESC LIMIT ?",
            (document_id, limit),
        )
        return [
            {"actor_id": r[0], "actor_role": r[1], "op": json.loads(r[2]), "at": r[3]}
            for r in reversed(rows)
        ]

    # drafts
    async def set_draft_corrections(self, draft_id: int, corrections: list[dict[str, Any]]) -> None:
        await self.db.execute(
            "UPDATE document_drafts SET corrections = ? WHERE id = ?",
            (json.dumps(corrections, ensure_ascii=False), draft_id),
        )

    async def save_draft(
        self, uploader_id: int, source: str, content_hash: str, parsed: str, now: str
    ) -> int:
        return await self.db.execute(
            "INSERT INTO document_drafts (uploader_id, source, content_hash, parsed, created_at)"
            " VALUES (?, ?, ?, ?, ?)",
            (uploader_id, source, content_hash, parsed, now),
        )

    async def get_draft(self, draft_id: int) -> Row | None:
        return await self.db.fetchone("SELECT * FROM document_drafts WHERE id = ?", (draft_id,))

    async def delete_draft(self, draft_id: int) -> bool:
        return (
            await self.db.execute_rowcount("DELETE FROM document_drafts WHERE id = ?", (draft_id,))
            == 1
        )


class RecommendationQueries:
    """Listings across documents (tasks of an official, items of an addressee)."""

    def __init__(self, db: Database) -> None:
        self.db = db

    async def for_addressees(
        self, addressee_ids: list[int]
    ) -> tuple[list[RecommendationRow], frozenset[int]]:
        """The live items of these bodies, and the ids among them someone reported on."""
        if not addressee_ids:
            return [], frozenset()
        marks = ", ".join("?" for _ in addressee_ids)
        rows = await self.db.fetchall(
            f"SELECT DISTINCT r.*, {REPORTED_SQL} AS reported FROM recommendations r"
            " JOIN recommendation_addressees ra ON ra.recommendation_id = r.id"
            f" WHERE ra.addressee_id IN ({marks}) AND r.removed = 0"
            " ORDER BY r.deadline IS NULL, r.deadline, r.document_id, r.position",
            addressee_ids,
        )
        return [_recommendation(r) for r in rows], frozenset(r["id"] for r in rows if r["reported"])
