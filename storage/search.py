"""The search index: lemmatised rows per recommendation, FTS5 over them, and facets.

Only SQL lives here; what goes into a row (lemmas, kinds, joint partners) is decided in
``bot/search.py``.  Lists of ids travel as one JSON parameter (``json_each``), so every
statement stays parameterised whatever the number of ids.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple, TypeVar

from storage.db import Database
from storage.statuses import REPORTED_SQL

_T = TypeVar("_T")


class SearchDoc(NamedTuple):
    """One row of ``search_docs``, its fields in the table's column order (a tuple: a
    rebuild makes one per recommendation and hands them to ``executemany`` as they are)."""

    recommendation_id: int
    document_id: int
    region: str
    body: str
    addressees: str
    title: str
    tags: str


class Facet(NamedTuple):
    """One row of ``search_facets``, in the table's column order (see ``SearchDoc``)."""

    region: str
    kind: str
    relation: int
    recommendation_id: int
    document_id: int
    addressee_id: int | None = None
    partner: str | None = None
    note: str | None = None
    sort_key: str = ""


@dataclass(frozen=True)
class RebuildState:
    """What a full rebuild set aside, to put back when it finishes."""

    indexes: list[str]  # CREATE INDEX statements of the index tables
    cache_size: int  # the connection's page cache before the rebuild


# Page cache while rebuilding (KiB when negative): the index tables' pages stay in memory.
REBUILD_CACHE_SIZE = -65_536

# bm25 column weights: the text itself counts most, then who it is addressed to.
BM25 = "bm25(search_fts, 1.0, 0.7, 0.3, 0.0)"

_KEYS = (
    "r.id AS recommendation_id, r.document_id, r.position, r.deadline, r.status,"
    " d.adopted_on, d.region"
)


_NOT_ADDRESSED = (
    " AND (f.relation = 0 OR NOT EXISTS (SELECT 1 FROM search_facets g"
    " WHERE g.region = f.region AND g.kind = f.kind AND g.relation = 0"
    " AND g.recommendation_id = f.recommendation_id))"
)

# Rows about given items (ids as one JSON parameter), read together in one trip by
# ``page_rows`` and ``pool_rows``.
_FACETS_OF = (
    "SELECT recommendation_id, region, kind, relation, addressee_id, partner, note"
    " FROM search_facets WHERE recommendation_id IN (SELECT value FROM json_each(?))"
)
# The keys of given items come from the narrow index recommendations_keys (migration 0017),
# not from the recommendations' wide rows.
_KEYED = (
    "recommendations r INDEXED BY recommendations_keys JOIN documents d ON d.id = r.document_id"
)
_KEYS_OF = (
    f"SELECT {_KEYS} FROM {_KEYED} WHERE r.id IN (SELECT value FROM json_each(?)) AND r.removed = 0"
)
_DETAILS_OF = (
    "SELECT r.id, r.document_id, d.source, d.region, r.number, r.text, r.status,"
    f" r.deadline, r.deadline_precision, {REPORTED_SQL} AS reported FROM recommendations r"
    " JOIN documents d ON d.id = r.document_id"
    " WHERE r.id IN (SELECT value FROM json_each(?)) AND r.removed = 0"
)
_ADDRESSEES_OF = (
    "SELECT ra.recommendation_id, a.id, a.name, a.canonical, a.kind"
    " FROM recommendation_addressees ra JOIN addressees a ON a.id = ra.addressee_id"
    " WHERE ra.recommendation_id IN (SELECT value FROM json_each(?))"
    " ORDER BY a.position"
)
_INDEXED_OF = (
    "SELECT recommendation_id, body, addressees, title FROM search_docs"
    " WHERE recommendation_id IN (SELECT value FROM json_each(?))"
)
# Which of the ids match an FTS query: a lookup per id, not a pass over every match.
_MATCH_AMONG = (
    "SELECT rowid FROM search_fts WHERE search_fts MATCH ?"
    " AND rowid IN (SELECT value FROM json_each(?))"
)


@dataclass(frozen=True)
class PageRows:
    """What a page of answers shows, and for /my how its items were found."""

    details: list[sqlite3.Row]
    addressees: list[sqlite3.Row]  # every addressee of the page's items, in order
    facets: list[sqlite3.Row] = field(default_factory=list)
    named_keys: list[sqlite3.Row] = field(default_factory=list)  # of the named items
    by_addressee: set[int] = field(default_factory=set)  # named items an addressee names


@dataclass(frozen=True)
class PoolRows:
    """A question's FTS candidates: sort keys, indexed lemmas and (asked for) facets."""

    keys: list[sqlite3.Row]
    indexed: list[sqlite3.Row]
    facets: list[sqlite3.Row]


def _ids(ids: Iterable[int]) -> str:
    return json.dumps([int(i) for i in ids])


def _segment(
    region: str, segments: Sequence[tuple[str, int]], at: int, skip: Iterable[int]
) -> tuple[str, list[Any]]:
    """WHERE of one /my segment: a range of ``search_facets_rank`` (region, kind, relation),
    less the items of earlier segments (primary-key lookups) and of ``skip``."""
    kind, relation = segments[at]
    where = "f.region = ? AND f.kind = ? AND f.relation = ?"
    args: list[Any] = [region, kind, relation]
    for earlier_kind, earlier_relation in segments[:at]:
        where += (
            " AND NOT EXISTS (SELECT 1 FROM search_facets g WHERE g.region = f.region"
            " AND g.kind = ? AND g.relation = ? AND g.recommendation_id = f.recommendation_id)"
        )
        args += [earlier_kind, earlier_relation]
    where += " AND f.recommendation_id NOT IN (SELECT value FROM json_each(?))"
    args.append(_ids(skip))
    return where, args


class IndexSource(NamedTuple):
    """What the index is built from, for a batch of documents (``load_documents``), rows as
    tuples in the order of ``_SOURCE``'s columns."""

    documents: list[tuple[int, str, str | None, str | None]]  # id, title, region, adopted_on
    addressees: list[tuple[int, str, str, str]]  # id, name, canonical, kind
    # id, document_id, position, text, deadline
    recommendations: list[tuple[int, int, int, str, str | None]]
    links: list[tuple[int, int]]  # recommendation_id, addressee_id (addressees' order)


_SOURCE = (
    "SELECT id, title, region, adopted_on FROM documents"
    " WHERE id IN (SELECT value FROM json_each(?))",
    "SELECT id, name, canonical, kind FROM addressees"
    " WHERE document_id IN (SELECT value FROM json_each(?))",
    "SELECT id, document_id, position, text, deadline FROM recommendations"
    " WHERE document_id IN (SELECT value FROM json_each(?)) AND removed = 0"
    " ORDER BY document_id, position",
    "SELECT ra.recommendation_id, ra.addressee_id FROM recommendation_addressees ra"
    " JOIN addressees a ON a.id = ra.addressee_id"
    " WHERE a.document_id IN (SELECT value FROM json_each(?))"
    " ORDER BY a.position",
)


def _source(conn: sqlite3.Connection, ids: str) -> IndexSource:
    def rows(sql: str) -> list[Any]:
        cursor = conn.cursor()
        cursor.row_factory = None
        return cursor.execute(sql, (ids,)).fetchall()

    return IndexSource(*(rows(sql) for sql in _SOURCE))


def _insert(conn: sqlite3.Connection, docs: Sequence[SearchDoc], facets: Sequence[Facet]) -> None:
    """Index rows as they are: their fields are the tables' columns in order."""
    conn.executemany(
        "INSERT INTO search_docs"
        " (recommendation_id, document_id, region, body, addressees, title, tags)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        docs,
    )
    conn.executemany(
        "INSERT OR IGNORE INTO search_facets (region, kind, relation, recommendation_id,"
        " document_id, addressee_id, partner, note, sort_key)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        facets,
    )


class SearchReader:
    """The reads of one /my page or one question, inside one read job
    (``SearchRepository.read``): plain calls on the connection's thread, one snapshot,
    one trip to the database thread for all of them."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def data_version(self) -> int:
        """Moves when another connection commits (SQLite ``PRAGMA data_version``)."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def count(self, query: str, cap: int | None = None) -> int:
        """Matches of an FTS query; with ``cap``, counting stops there (cheap "is it big?")."""
        if cap is None:
            row = self.conn.execute(
                "SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (query,)
            ).fetchone()
        else:
            row = self.conn.execute(
                "SELECT count(*) FROM (SELECT 1 FROM search_fts WHERE search_fts MATCH ? LIMIT ?)",
                (query, cap),
            ).fetchone()
        return int(row[0])

    def match(self, query: str, limit: int) -> list[tuple[int, float]]:
        """(recommendation id, bm25) best first; bm25 is negative, lower is better."""
        rows = self.conn.execute(
            f"SELECT rowid, {BM25} AS score FROM search_fts WHERE search_fts MATCH ?"
            " ORDER BY score LIMIT ?",
            (query, limit),
        )
        return [(r[0], r[1]) for r in rows]

    def newest(self, query: str, limit: int) -> list[int]:
        """Matches without ranking, newest rows first (for questions that match everything)."""
        rows = self.conn.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ? ORDER BY rowid DESC LIMIT ?",
            (query, limit),
        )
        return [r[0] for r in rows]

    def pool_rows(self, ids: Iterable[int], *, facets: bool) -> PoolRows:
        """The candidates' sort keys, indexed lemmas and (asked for) facets."""
        pool = _ids(ids)
        return PoolRows(
            keys=self.conn.execute(_KEYS_OF, (pool,)).fetchall(),
            indexed=self.conn.execute(_INDEXED_OF, (pool,)).fetchall(),
            facets=self.conn.execute(_FACETS_OF, (pool,)).fetchall() if facets else [],
        )

    def match_ids(self, query: str, limit: int) -> list[int]:
        rows = self.conn.execute(
            "SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT ?", (query, limit)
        )
        return [r[0] for r in rows]

    def ranked_page(self, ids: Iterable[int], limit: int, offset: int) -> tuple[list[int], int]:
        """Live items among ``ids`` in /my's order (deadline soonest, newest document,
        position), one page of them, and how many there are."""
        where = f" FROM {_KEYED} WHERE r.id IN (SELECT value FROM json_each(?)) AND r.removed = 0"
        rows = self.conn.execute(
            f"SELECT r.id, count(*) OVER (){where} ORDER BY r.deadline IS NULL, r.deadline,"
            " d.adopted_on DESC, d.id DESC, r.position LIMIT ? OFFSET ?",
            (_ids(ids), limit, offset),
        ).fetchall()
        if rows:
            return [r[0] for r in rows], int(rows[0][1])
        # Past the end: the count alone (a page never empty otherwise costs one query).
        row = self.conn.execute(f"SELECT count(*){where}", (_ids(ids),)).fetchone()
        return [], int(row[0])

    def segment_counts(self, region: str, segments: Sequence[tuple[str, int]]) -> list[int]:
        """/my: how many items each facet segment adds (see ``segment_page``)."""
        parts, params = [], []
        for at in range(len(segments)):
            where, args = _segment(region, segments, at, ())
            parts.append(f"(SELECT count(*) FROM search_facets f WHERE {where})")
            params += args
        row = self.conn.execute("SELECT " + ", ".join(parts), params).fetchone()
        return [int(v) for v in row] if row is not None else [0] * len(segments)

    def addressees_of(self, ids: Iterable[int]) -> list[sqlite3.Row]:
        """The items' addressees (recommendation id, id, name, canonical, kind) in order."""
        return self.conn.execute(_ADDRESSEES_OF, (_ids(ids),)).fetchall()

    def region_facets_of(self, ids: Iterable[int], region: str) -> list[tuple[int, str, int]]:
        """(recommendation id, kind, relation) of the items' facets in one region."""
        rows = self.conn.execute(
            "SELECT recommendation_id, kind, relation FROM search_facets"
            " WHERE recommendation_id IN (SELECT value FROM json_each(?)) AND region = ?",
            (_ids(ids), region),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def segment_page(
        self,
        region: str,
        segments: Sequence[tuple[str, int]],
        at: int,
        skip: Iterable[int],
        limit: int,
        offset: int,
    ) -> list[int]:
        """/my: ids of segment ``at`` (one (kind, relation) of a region) in display order.

        An item in an earlier segment or in ``skip`` (named items, listed first) is left
        out, so the segments together list each item once, at its best relation.
        """
        where, args = _segment(region, segments, at, skip)
        rows = self.conn.execute(
            f"SELECT f.recommendation_id FROM search_facets f WHERE {where}"
            " ORDER BY f.sort_key LIMIT ? OFFSET ?",
            (*args, limit, offset),
        )
        return [r[0] for r in rows]

    def page_rows(
        self,
        ids: Sequence[int],
        *,
        facets: bool = False,
        named: Sequence[int] = (),
        by_addressee: str | None = None,
    ) -> PageRows:
        """What a page shows: details and addressees of ``ids``; with ``facets`` their
        facet rows; for ``named`` items their sort keys and which of them match the FTS
        query ``by_addressee``."""
        page, of_named = _ids(ids), _ids(named)
        conn = self.conn
        return PageRows(
            details=conn.execute(_DETAILS_OF, (page,)).fetchall(),
            addressees=conn.execute(_ADDRESSEES_OF, (page,)).fetchall(),
            facets=conn.execute(_FACETS_OF, (page,)).fetchall() if facets else [],
            named_keys=conn.execute(_KEYS_OF, (of_named,)).fetchall() if named else [],
            by_addressee={r[0] for r in conn.execute(_MATCH_AMONG, (by_addressee, of_named))}
            if named and by_addressee
            else set(),
        )

    def kind_totals(self, kind: str, not_region: str | None = None) -> tuple[int, int]:
        """Items of a kind in every region (but ``not_region``): addressed to it, and joint
        with it but not addressed to it.  The whole country's figures are kept by triggers
        in ``search_kind_counts`` (migration 0017); a region's own are two short ranges."""
        kept = dict(
            self.conn.execute(
                "SELECT relation, items FROM search_kind_counts WHERE kind = ?", (kind,)
            ).fetchall()
        )
        totals = [int(kept.get(relation, 0)) for relation in (0, 1)]
        if not_region is not None:
            for relation in (0, 1):
                own = self.conn.execute(
                    "SELECT count(*) FROM search_facets f WHERE f.region = ? AND f.kind = ?"
                    " AND f.relation = ?" + _NOT_ADDRESSED,
                    (not_region, kind, relation),
                ).fetchone()
                totals[relation] -= int(own[0])
        return totals[0], totals[1]

    def kind_page(
        self, kind: str, relation: int, limit: int, offset: int, not_region: str | None = None
    ) -> list[sqlite3.Row]:
        """One relation's facet rows for a kind in every region (but ``not_region``), in
        display order.

        Joint rows of an item also addressed to the kind in the same region are skipped.
        """
        return self.conn.execute(
            f"SELECT f.kind, f.relation, f.addressee_id, f.partner, f.note, {_KEYS}"
            " FROM search_facets f"
            " JOIN recommendations r ON r.id = f.recommendation_id"
            " JOIN documents d ON d.id = r.document_id"
            " WHERE f.kind = ? AND f.relation = ? AND (? IS NULL OR f.region != ?)"
            + _NOT_ADDRESSED
            + " ORDER BY f.sort_key LIMIT ? OFFSET ?",
            (kind, relation, not_region, not_region, limit, offset),
        ).fetchall()

    def facet_rows(self, region: str, kind: str, ids: Iterable[int]) -> list[sqlite3.Row]:
        """The items' facet rows of a kind in a region (addressed and joint), with sort
        keys."""
        return self.conn.execute(
            f"SELECT f.kind, f.relation, f.addressee_id, f.partner, f.note, {_KEYS}"
            " FROM search_facets f"
            " JOIN recommendations r ON r.id = f.recommendation_id AND r.removed = 0"
            " JOIN documents d ON d.id = r.document_id"
            " WHERE f.region = ? AND f.kind = ? AND f.relation IN (0, 1)"
            " AND f.recommendation_id IN (SELECT value FROM json_each(?))",
            (region, kind, _ids(ids)),
        ).fetchall()

    def facet_candidates(self, region: str | None, kind: str) -> list[sqlite3.Row]:
        """A kind's facet rows (addressed and joint) with sort keys; ``region=None`` means
        every region."""
        where = "f.kind = ? AND f.relation IN (0, 1)"
        params: list[Any] = [kind]
        if region is not None:
            where = "f.region = ? AND " + where
            params.insert(0, region)
        return self.conn.execute(
            f"SELECT f.kind, f.relation, f.addressee_id, f.partner, f.note, {_KEYS}"
            " FROM search_facets f"
            " JOIN recommendations r ON r.id = f.recommendation_id AND r.removed = 0"
            " JOIN documents d ON d.id = r.document_id"
            f" WHERE {where}",
            params,
        ).fetchall()

    def live_count(self, region: str | None) -> int:
        row = self.conn.execute(
            "SELECT count(*) FROM recommendations r JOIN documents d ON d.id = r.document_id"
            " WHERE r.removed = 0 AND (? IS NULL OR d.region = ?)",
            (region, region),
        ).fetchone()
        return int(row[0])

    def status_candidates(
        self,
        region: str | None,
        statuses: Sequence[str],
        *,
        deadline: str | None = None,
        before: str | None = None,
        limit: int = 5000,
    ) -> list[sqlite3.Row]:
        """Live items by status and deadline; ``deadline`` is 'none' or 'some'.

        ``before`` keeps items whose deadline is earlier than that ISO date.
        """
        return self.conn.execute(
            f"SELECT {_KEYS} FROM recommendations r JOIN documents d ON d.id = r.document_id"
            " WHERE r.removed = 0 AND (? IS NULL OR d.region = ?)"
            " AND r.status IN (SELECT value FROM json_each(?))"
            " AND (? IS NULL OR (? = 'none') = (r.deadline IS NULL))"
            " AND (? IS NULL OR r.deadline < ?)"
            " ORDER BY r.id LIMIT ?",
            (region, region, json.dumps(list(statuses)), deadline, deadline, before, before, limit),
        ).fetchall()

    def region_candidates(self, region: str) -> list[sqlite3.Row]:
        return self.conn.execute(
            f"SELECT {_KEYS} FROM search_docs s"
            " JOIN recommendations r ON r.id = s.recommendation_id AND r.removed = 0"
            " JOIN documents d ON d.id = r.document_id WHERE s.region = ?",
            (region,),
        ).fetchall()


class SearchRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- writing ---------------------------------------------------------------------
    async def reindex(
        self,
        document_ids: Sequence[int],
        build: Callable[[IndexSource], tuple[Sequence[SearchDoc], Sequence[Facet]]],
    ) -> None:
        """Replace what the index holds for these documents with the rows ``build`` makes
        of their source rows: reading, building and writing in one job on the connection's
        thread (one trip; ``build`` is pure Python and touches no database)."""
        ids = _ids(document_ids)

        def job(conn: sqlite3.Connection) -> None:
            docs, facets = build(_source(conn, ids))
            conn.execute(
                "DELETE FROM search_docs WHERE document_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
            conn.execute(
                "DELETE FROM search_facets WHERE document_id IN (SELECT value FROM json_each(?))",
                (ids,),
            )
            _insert(conn, docs, facets)

        async with self.db.transaction():
            await self.db.write(job)

    async def begin_rebuild(self) -> RebuildState:
        """Inside a transaction: empty everything and pause the per-row FTS triggers
        (``add_rows`` writes the full-text entries itself, a batch at a time).

        The tables' secondary indexes are dropped and made again by ``finish_rebuild`` (one
        sort instead of a b-tree insert per row), from their own SQL in ``sqlite_master``, so
        whatever the migrations define comes back; a rollback brings them back as well."""
        indexes = await self.db.fetchall(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
            " AND tbl_name IN ('search_docs', 'search_facets') ORDER BY name"
        )
        state = RebuildState(
            indexes=[r["sql"] for r in indexes],
            cache_size=int(await self.db.fetchval("PRAGMA cache_size")),
        )
        await self.db.execute(f"PRAGMA cache_size = {REBUILD_CACHE_SIZE}")
        await self.db.execute("UPDATE search_state SET paused = 1 WHERE id = 1")
        await self.db.execute("DELETE FROM search_docs")
        await self.db.execute("INSERT INTO search_fts (search_fts) VALUES ('delete-all')")
        await self.db.execute("DELETE FROM search_facets")
        for row in indexes:
            await self.db.execute(f'DROP INDEX "{row["name"]}"')
        return state

    async def add_rows(self, docs: Sequence[SearchDoc], facets: Sequence[Facet]) -> None:
        """A rebuild's batch: the rows and their full-text entries (what the paused
        trigger would write), in one trip.  Written batch by batch, the full-text work
        overlaps the building of the next batch instead of following all of it."""

        def job(conn: sqlite3.Connection) -> None:
            _insert(conn, docs, facets)
            conn.executemany(
                "INSERT INTO search_fts (rowid, body, addressees, title, tags)"
                " VALUES (?, ?, ?, ?, ?)",
                [(d.recommendation_id, d.body, d.addressees, d.title, d.tags) for d in docs],
            )

        await self.db.write(job)

    async def finish_rebuild(self, state: RebuildState) -> None:
        for sql in state.indexes:
            await self.db.execute(sql)
        # 'optimize' merges the batches' segments into a single b-tree.
        await self.db.execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")
        await self.db.execute("UPDATE search_state SET paused = 0 WHERE id = 1")

    async def restore_cache(self, state: RebuildState) -> None:
        """After a rebuild, finished or not: the connection's usual page cache."""
        await self.db.execute(f"PRAGMA cache_size = {state.cache_size}")

    async def needs_rebuild(self) -> bool:
        """Live recommendations exist but nothing is indexed."""
        row = await self.db.fetchone(
            "SELECT EXISTS (SELECT 1 FROM recommendations WHERE removed = 0),"
            " EXISTS (SELECT 1 FROM search_docs)"
        )
        return row is not None and bool(row[0]) and not row[1]

    # ---- reading source data for indexing ----------------------------------------------
    async def document_ids(self) -> list[int]:
        return [r[0] for r in await self.db.fetchall("SELECT id FROM documents ORDER BY id")]

    async def load_documents(self, document_ids: Sequence[int]) -> IndexSource:
        """Documents, their addressees, live recommendations and links: four queries in one
        trip, as plain tuples (a rebuild reads every row of them)."""
        ids = _ids(document_ids)
        return await self.db.read(lambda conn: _source(conn, ids))

    # ---- queries ---------------------------------------------------------------------
    async def kind_totals(self, kind: str, not_region: str | None = None) -> tuple[int, int]:
        return await self.read(lambda reader: reader.kind_totals(kind, not_region))

    async def region_has_documents(self, region: str) -> bool:
        return bool(
            await self.db.fetchval(
                "SELECT EXISTS (SELECT 1 FROM documents WHERE region = ?)", (region,)
            )
        )

    async def match_ids(self, query: str, limit: int = 1000) -> list[int]:
        return await self.read(lambda reader: reader.match_ids(query, limit))

    async def count(self, query: str) -> int:
        """Matches of an FTS query."""
        return await self.read(lambda reader: reader.count(query))

    async def read(self, job: Callable[[SearchReader], _T]) -> _T:
        """Several reads in one trip: ``job`` runs on the database's thread, over one
        snapshot (see ``SearchReader``)."""
        return await self.db.read(lambda conn: job(SearchReader(conn)))

    async def kinds_available(self, region: str | None) -> list[tuple[str, int]]:
        if region is None:  # kept by the index (migration 0017)
            rows = await self.db.fetchall(
                "SELECT kind, items FROM search_kind_counts WHERE relation = 0 AND items > 0"
                " ORDER BY items DESC, kind"
            )
        else:
            rows = await self.db.fetchall(
                "SELECT kind, count(*) FROM search_facets WHERE region = ? AND relation = 0"
                " GROUP BY kind ORDER BY count(*) DESC, kind",
                (region,),
            )
        return [(r[0], r[1]) for r in rows]
