"""Rows of a report (/report, ``python -m bot report``), read in pages, never all at once.

A scope is a region, optionally narrowed to one resolution and/or one addressee (by name:
across a region the same body appears in several resolutions).  ``pages`` walks the live
recommendations of the scope by keyset (document, position, id) and adds, per page, each
item's addressees and its history (the latest report, evidence, assessments) in two more
queries, so memory stays one page wide however large the region is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from storage.db import Database
from storage.statuses import REPORTED_SQL

PAGE = 500


@dataclass(frozen=True)
class Scope:
    region: str
    document_id: int | None = None
    addressee: str | None = None  # an addressee's canonical name


@dataclass
class ExportRow:
    id: int
    document_id: int
    document_title: str
    adopted_on: str | None
    number: str
    text: str
    deadline: str | None
    deadline_precision: str | None
    deadline_kind: str
    deadline_note: str | None
    status: str
    addressees: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    reported: bool = False  # a status or comment was ever recorded («нет данных» otherwise)
    last_report_at: str | None = None  # ISO UTC
    last_report_text: str | None = None
    # The date of the last report when it came in a letter (ISO): the letter's, not the day
    # a coordinator typed it in.
    last_report_on: str | None = None
    # kind, value, name; a letter is ("letter", its number, its ISO date)
    evidence: list[tuple[str, str, str | None]] = field(default_factory=list)
    agree: int = 0
    disagree: int = 0


def _where(scope: Scope) -> tuple[str, list[Any]]:
    where = "d.region = ? AND r.removed = 0"
    params: list[Any] = [scope.region]
    if scope.document_id is not None:
        where += " AND r.document_id = ?"
        params.append(scope.document_id)
    if scope.addressee is not None:
        where += (
            " AND EXISTS (SELECT 1 FROM recommendation_addressees x JOIN addressees a"
            " ON a.id = x.addressee_id WHERE x.recommendation_id = r.id AND a.canonical = ?)"
        )
        params.append(scope.addressee)
    return where, params


class ExportRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    async def count(self, scope: Scope) -> int:
        where, params = _where(scope)
        return int(
            await self.db.fetchval(
                "SELECT count(*) FROM recommendations r JOIN documents d ON d.id = r.document_id"
                f" WHERE {where}",
                params,
            )
        )

    async def pages(self, scope: Scope, size: int = PAGE) -> AsyncIterator[list[ExportRow]]:
        """The scope's live recommendations, a page at a time, in document order.

        Keyset pages within each document (the index on (document_id, position) serves them
        without sorting), several small documents to a page."""
        docs_where = "region = ?" + (" AND id = ?" if scope.document_id is not None else "")
        doc_params: list[Any] = [scope.region]
        if scope.document_id is not None:
            doc_params.append(scope.document_id)
        documents = [
            r[0]
            for r in await self.db.fetchall(
                f"SELECT id FROM documents WHERE {docs_where} ORDER BY id", doc_params
            )
        ]
        where = "r.document_id = ? AND r.removed = 0 AND (r.position, r.id) > (?, ?)"
        extra: list[Any] = []
        if scope.addressee is not None:
            where += (
                " AND EXISTS (SELECT 1 FROM recommendation_addressees x JOIN addressees a"
                " ON a.id = x.addressee_id WHERE x.recommendation_id = r.id AND a.canonical = ?)"
            )
            extra.append(scope.addressee)
        buffer: list[sqlite3.Row] = []
        for document_id in documents:
            after: tuple[int, int] = (-1, 0)
            while True:
                limit = size - len(buffer)
                rows = await self.db.fetchall(
                    "SELECT r.id, r.document_id, r.position, r.number, r.text, r.deadline,"
                    " r.deadline_precision, r.deadline_kind, r.deadline_note, r.status,"
                    " d.title, d.adopted_on"
                    " FROM recommendations r JOIN documents d ON d.id = r.document_id"
                    f" WHERE {where} ORDER BY r.position, r.id LIMIT ?",
                    [document_id, *after, *extra, limit],
                )
                buffer.extend(rows)
                if len(buffer) >= size:
                    yield await self._complete(buffer)
                    buffer = []
                if len(rows) < limit:
                    break
                after = (rows[-1]["position"], rows[-1]["id"])
        if buffer:
            yield await self._complete(buffer)

    async def _complete(self, rows: Sequence[sqlite3.Row]) -> list[ExportRow]:
        page = {
            r["id"]: ExportRow(
                id=r["id"],
                document_id=r["document_id"],
                document_title=r["title"],
                adopted_on=r["adopted_on"],
                number=r["number"],
                text=r["text"],
                deadline=r["deadline"],
                deadline_precision=r["deadline_precision"],
                deadline_kind=r["deadline_kind"],
                deadline_note=r["deadline_note"],
                status=r["status"],
            )
            for r in rows
        }
        ids = list(page)
        marks = ", ".join("?" for _ in ids)
        for row in await self.db.fetchall(
            "SELECT x.recommendation_id, a.canonical, a.kind FROM recommendation_addressees x"
            f" JOIN addressees a ON a.id = x.addressee_id WHERE x.recommendation_id IN ({marks})"
            " ORDER BY a.position",
            ids,
        ):
            item = page[row[0]]
            item.addressees.append(row[1])
            item.kinds.append(row[2])
        verdicts: dict[int, dict[tuple[str, int | None], str]] = {}
        for h in await self.db.fetchall(
            "SELECT recommendation_id, event, comment, evidence_kind, evidence, evidence_name,"
            " verdict, actor_id, actor_alias, created_at, basis, letter_number, letter_date"
            " FROM history"
            f" WHERE recommendation_id IN ({marks})"
            " AND event IN ('status', 'comment', 'assessment')"
            " ORDER BY recommendation_id, id",
            ids,
        ):
            item = page[h["recommendation_id"]]
            if h["event"] == "assessment":
                author = (
                    ("forgotten", h["actor_alias"])
                    if h["actor_id"] is None and h["actor_alias"] is not None
                    else ("user", h["actor_id"])
                )
                verdicts.setdefault(item.id, {})[author] = h["verdict"]
                continue
            item.reported = True
            item.last_report_at = h["created_at"]
            item.last_report_on = None
            if h["comment"]:
                item.last_report_text = h["comment"]
            if h["basis"] == "letter" and h["letter_number"] and h["letter_date"]:
                item.last_report_on = h["letter_date"]
                item.evidence.append(("letter", h["letter_number"], h["letter_date"]))
            if h["evidence_kind"] and h["evidence"]:
                item.evidence.append((h["evidence_kind"], h["evidence"], h["evidence_name"]))
        for rec_id, latest in verdicts.items():
            values = list(latest.values())
            page[rec_id].agree = values.count("agree")
            page[rec_id].disagree = values.count("disagree")
        return list(page.values())

    async def addressee_names(self, scope: Scope) -> list[str]:
        """The addressees of the scope, by name, in the order of their first appearance."""
        where, params = _where(scope)
        rows = await self.db.fetchall(
            "SELECT a.canonical FROM addressees a"
            " JOIN recommendation_addressees x ON x.addressee_id = a.id"
            " JOIN recommendations r ON r.id = x.recommendation_id"
            f" JOIN documents d ON d.id = r.document_id WHERE {where}"
            " GROUP BY a.canonical ORDER BY min(r.document_id), min(a.position), a.canonical",
            params,
        )
        return [r[0] for r in rows]

    async def documents(self, region: str) -> list[sqlite3.Row]:
        """A region's resolutions with live items, newest first."""
        return await self.db.fetchall(
            "SELECT d.id, d.title, d.adopted_on, count(r.id) AS total FROM documents d"
            " JOIN recommendations r ON r.document_id = d.id AND r.removed = 0"
            " WHERE d.region = ? GROUP BY d.id"
            " ORDER BY d.adopted_on IS NULL, d.adopted_on DESC, d.id DESC",
            (region,),
        )

    async def document(self, document_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            "SELECT id, title, adopted_on, region FROM documents WHERE id = ?", (document_id,)
        )

    async def document_addressees(self, document_id: int) -> list[sqlite3.Row]:
        return await self.db.fetchall(
            "SELECT a.id, a.canonical, count(r.id) AS total FROM addressees a"
            " JOIN recommendation_addressees x ON x.addressee_id = a.id"
            " JOIN recommendations r ON r.id = x.recommendation_id AND r.removed = 0"
            " WHERE a.document_id = ? GROUP BY a.id ORDER BY a.position",
            (document_id,),
        )

    async def addressee(self, addressee_id: int) -> sqlite3.Row | None:
        return await self.db.fetchone(
            "SELECT a.id, a.canonical, a.document_id, d.region FROM addressees a"
            " JOIN documents d ON d.id = a.document_id WHERE a.id = ?",
            (addressee_id,),
        )

    # bulk updates
    async def recommendations(self, ids: Sequence[int]) -> dict[int, sqlite3.Row]:
        """id → (id, status, region, removed, number, reported) of the recommendations that
        exist; ``reported``: someone has reported on it."""
        found: dict[int, sqlite3.Row] = {}
        for start in range(0, len(ids), PAGE):
            chunk = list(ids[start : start + PAGE])
            marks = ", ".join("?" for _ in chunk)
            for row in await self.db.fetchall(
                f"SELECT r.id, r.status, r.removed, r.number, d.region, {REPORTED_SQL} AS reported"
                " FROM recommendations r"
                f" JOIN documents d ON d.id = r.document_id WHERE r.id IN ({marks})",
                chunk,
            ):
                found[row["id"]] = row
        return found

    async def status_changes_since(self, ids: Sequence[int], since: str) -> set[int]:
        """Which of these recommendations had a status recorded after ``since`` (ISO UTC)."""
        changed: set[int] = set()
        for start in range(0, len(ids), PAGE):
            chunk = list(ids[start : start + PAGE])
            marks = ", ".join("?" for _ in chunk)
            for row in await self.db.fetchall(
                "SELECT DISTINCT recommendation_id FROM history WHERE event = 'status'"
                f" AND created_at > ? AND recommendation_id IN ({marks})",
                [since, *chunk],
            ):
                changed.add(row[0])
        return changed
