"""The search index follows imports: updates in place, removed items, rebuild, FTS integrity."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.ingest.model import ParsedAddressee, ParsedDocument, ParsedRecommendation
from bot.search import Profile, SearchService
from storage.search import SearchRepository

REGION = "Камчатский край"


def document(items: list[tuple[str, str]]) -> ParsedDocument:
    return ParsedDocument(
        source="test.txt",
        title="Резолюция форума НКО",
        date=dt.date(2025, 5, 1),
        place=None,
        region=REGION,
        addressees=[
            ParsedAddressee(
                name="Органам местного самоуправления",
                canonical="Органы местного самоуправления",
                kind="local_government",
                region=REGION,
            )
        ],
        recommendations=[
            ParsedRecommendation(number=n, text=t, addressee_indices=[0], deadline=None)
            for n, t in items
        ],
        warnings=[],
    )


@pytest.fixture
def search(services) -> SearchService:
    existing = getattr(services, "search", None)
    if existing is not None:
        return existing
    service = SearchService(services.db)
    services.importer.after_import.append(service.reindex_document)
    return service


async def ids_for(search: SearchService, question: str) -> list[int]:
    result = await search.ask(question, limit=50)
    return [m.recommendation_id for m in result.matches]


async def integrity(db) -> None:
    await db.execute("INSERT INTO search_fts (search_fts) VALUES ('integrity-check')")


async def test_update_in_place_replaces_old_text(services, search):
    first = await services.importer.import_document(
        document([("1", "Организовать озеленение дворов"), ("2", "Провести форум")])
    )
    rec_id = first.recommendation_ids[0]
    assert await ids_for(search, "озеленение") == [rec_id]

    second = await services.importer.import_document(
        document([("1", "Организовать благоустройство дворов"), ("2", "Провести форум")])
    )
    assert second.outcome == "updated" and second.recommendation_ids[0] == rec_id
    assert await ids_for(search, "озеленение") == []
    assert await ids_for(search, "благоустройство") == [rec_id]
    assert await services.db.fetchval("SELECT count(*) FROM search_docs") == 2
    await integrity(services.db)


async def test_removed_items_vanish(services, search):
    first = await services.importer.import_document(
        document([("1", "Организовать озеленение дворов"), ("2", "Провести субботник")])
    )
    removed_id = first.recommendation_ids[1]
    profile = Profile(REGION, "local_government")
    assert removed_id in [m.recommendation_id for m in (await search.my(profile))[0]]

    second = await services.importer.import_document(
        document([("1", "Организовать озеленение дворов")])
    )
    assert second.removed == 1
    assert await ids_for(search, "субботник") == []
    matches, total = await search.my(profile)
    assert removed_id not in [m.recommendation_id for m in matches] and total == 1
    facets = await services.db.fetchval(
        "SELECT count(*) FROM search_facets WHERE recommendation_id = ?", (removed_id,)
    )
    assert facets == 0
    await integrity(services.db)


async def test_rebuild_matches_incremental_index(services, search):
    await services.importer.import_document(
        document([("1", "Поддержать ТОС и молодёжные инициативы"), ("2", "Провести форум")])
    )
    before = await ids_for(search, "поддержка территориального общественного самоуправления")
    assert len(before) == 1  # the phrase, not "самоуправление" of the addressee
    assert await search.rebuild() == 2
    assert (
        await ids_for(search, "поддержка территориального общественного самоуправления") == before
    )
    assert await services.db.fetchval("SELECT paused FROM search_state") == 0
    await integrity(services.db)


async def test_deleting_a_document_cleans_the_index(services, search):
    result = await services.importer.import_document(document([("1", "Озеленение дворов")]))
    await services.db.execute("DELETE FROM documents WHERE id = ?", (result.document_id,))
    assert await services.db.fetchval("SELECT count(*) FROM search_docs") == 0
    assert await SearchRepository(services.db).match_ids('"озеленение"') == []
    await integrity(services.db)


async def test_abbreviations_are_expanded_in_the_index(services, search):
    result = await services.importer.import_document(
        document([("1", "Оказывать поддержку СО НКО и ТОС")])
    )
    body = await services.db.fetchval(
        "SELECT body FROM search_docs WHERE recommendation_id = ?", (result.recommendation_ids[0],)
    )
    assert "социально ориентировать некоммерческий организация" in body
    assert "территориальный общественный самоуправление" in body
    assert await ids_for(search, "поддержка социально ориентированных НКО") == [
        result.recommendation_ids[0]
    ]


async def test_items_without_addressee_are_nobodys_in_my(services, search):
    """A body's decision: «Одобрить проект бюджета» names nobody, so /my never says it is
    addressed to the reader's organization or to all participants (issue 10, point 7)."""
    from bot.ingest.parser import parse_resolution

    parsed = parse_resolution(
        "\n".join(
            [
                "Итоговый документ общественных слушаний",
                "Камчатский край, г. Петропавловск-Камчатский",
                "Дата проведения: 28 ноября 2024 года",
                "По итогам слушаний:",
                "1. Одобрить проект бюджета городского округа в целом.",
                "2. Предложить органам местного самоуправления увеличить расходы на площадки.",
            ]
        ),
        "hearing.txt",
    )
    assert [r.without_addressee for r in parsed.recommendations] == [True, False]
    result = await services.importer.import_document(parsed)
    unaddressed, addressed = result.recommendation_ids
    for kind in ("ngo", "local_government", "public_chamber", "other"):
        matches, _ = await search.my(Profile(REGION, kind), limit=50)
        ids = [m.recommendation_id for m in matches]
        assert unaddressed not in ids, kind
    matches, _ = await search.my(Profile(REGION, "local_government"), limit=50)
    assert [m.recommendation_id for m in matches] == [addressed]


async def test_my_page_reads_a_page_not_the_region(services, search, monkeypatch):
    """Page 1 of /my costs about a page: no read returns the region's whole list, and the
    page's query is served in order by an index (no sort of every candidate; issue 15)."""
    items = [(str(i), f"Провести форум номер {i} в поселениях") for i in range(1, 31)]
    await services.importer.import_document(document(items))
    profile = Profile(REGION, "local_government")
    everything, total = await search.my(profile, limit=50)
    assert total == 30 and len(everything) == 30

    db = services.db
    reads: list[tuple[str, tuple, int]] = []
    trips = 0
    read = db.read

    class Recording:
        """The job's connection, recording each statement and how many rows it gave."""

        def __init__(self, conn) -> None:
            self.conn = conn

        def execute(self, sql, params=()):
            rows = self.conn.execute(sql, params).fetchall()
            reads.append((sql, tuple(params), len(rows)))
            return Rows(rows)

    class Rows(list):
        def fetchall(self):
            return list(self)

        def fetchone(self):
            return self[0] if self else None

    async def spy(job):
        nonlocal trips
        trips += 1
        return await read(lambda conn: job(Recording(conn)))

    monkeypatch.setattr(db, "read", spy)
    page, page_total = await search.my(profile, limit=5, offset=10)
    monkeypatch.undo()
    assert page_total == total
    assert [m.recommendation_id for m in page] == [m.recommendation_id for m in everything[10:15]]
    assert trips == 1, "one trip to the database thread"
    assert reads and max(n for _, _, n in reads) <= 5
    ordered = [(sql, params) for sql, params, _ in reads if "ORDER BY f.sort_key" in sql]
    assert ordered, "the page is cut in SQL"
    for sql, params in ordered:
        plan = " ".join(
            str(tuple(r)) for r in await db.fetchall("EXPLAIN QUERY PLAN " + sql, params)
        )
        assert "search_facets_rank" in plan and "TEMP B-TREE" not in plan, plan


async def test_country_totals_follow_the_index(services, search, settings):
    """Issue 15: a kind's total in every region is not counted again for each question
    (the index keeps it), and it follows changes — by this process (an import) or by any
    other connection (a CLI import)."""
    import dataclasses
    import sqlite3

    question = "что рекомендовано органам местного самоуправления?"
    await services.importer.import_document(document([("1", "Провести форум")]))
    assert (await search.ask(question)).total == 1

    reads: list[str] = []
    fetchint = services.db.fetchint

    async def spy(sql, params=()):
        reads.append(sql)
        return await fetchint(sql, params)

    services.db.fetchint = spy
    assert (await search.ask(question)).total == 1
    assert not [sql for sql in reads if "count(*)" in sql], "counted again, nothing changed"
    del services.db.fetchint

    second = dataclasses.replace(
        document([("1", "Озеленить дворы"), ("2", "Открыть ресурсный центр")]),
        title="Резолюция конференции",
    )
    await services.importer.import_document(second)
    assert (await search.ask(question)).total == 3

    other = sqlite3.connect(settings.database_path)
    try:
        with other:
            other.execute(
                "DELETE FROM search_facets WHERE kind = 'local_government'"
                " AND recommendation_id = (SELECT max(recommendation_id) FROM search_facets)"
            )
    finally:
        other.close()
    assert (await search.ask(question)).total == 2


async def test_my_totals_follow_index_changes(services, search, settings):
    """/my's segment sizes are counted once per index state: an import shows in the next
    /my at once, and so does a commit by another connection (issue 15)."""
    import dataclasses
    import sqlite3

    profile = Profile(REGION, "local_government")
    await services.importer.import_document(document([("1", "Провести форум")]))
    assert (await search.my(profile))[1] == 1
    second = dataclasses.replace(
        document([("1", "Озеленить дворы"), ("2", "Открыть ресурсный центр")]),
        title="Резолюция конференции",
    )
    await services.importer.import_document(second)
    matches, total = await search.my(profile)
    assert total == 3 and len(matches) == 3

    other = sqlite3.connect(settings.database_path)
    try:
        with other:
            other.execute(
                "DELETE FROM search_facets WHERE recommendation_id ="
                " (SELECT max(recommendation_id) FROM search_facets)"
            )
    finally:
        other.close()
    matches, total = await search.my(profile)
    assert total == 2 and len(matches) == 2


def test_index_lemmas_are_normalise_for_every_seed_text(parsed_seeds):
    """The indexing run's own word table gives what ``normalise`` gives (questions use it)."""
    from bot.matching import normalise
    from bot.search import IndexLemmas

    lemmas = IndexLemmas()
    texts = ["СО НКО, ТОС и 2024-2025 гг.: 12-й форум", "ёлка Ёлки"]
    for parsed in parsed_seeds:
        texts += [parsed.title, *(r.text for r in parsed.recommendations)]
        texts += [a.canonical for a in parsed.addressees]
    assert len(texts) > 100
    for text in texts:
        assert lemmas.text(text) == normalise(text), text
        assert lemmas.name(text) == normalise(text), text


async def _index_schema(db) -> list[tuple[str, str]]:
    rows = await db.fetchall(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index'"
        " AND tbl_name IN ('search_docs', 'search_facets') ORDER BY name"
    )
    return [(r[0], r[1]) for r in rows]


async def test_rebuild_puts_back_the_tables_indexes_and_cache(services, search):
    await services.importer.import_document(document([("1", "Поддержать ТОС")]))
    schema = await _index_schema(services.db)
    cache = await services.db.fetchval("PRAGMA cache_size")
    assert len(schema) >= 4
    assert await search.rebuild() == 1
    assert await _index_schema(services.db) == schema
    assert await services.db.fetchval("PRAGMA cache_size") == cache
    assert await ids_for(search, "поддержка ТОС")
    await integrity(services.db)


async def test_a_failed_rebuild_leaves_the_index_as_it_was(services, search, monkeypatch):
    await services.importer.import_document(document([("1", "Поддержать ТОС")]))
    schema = await _index_schema(services.db)
    cache = await services.db.fetchval("PRAGMA cache_size")
    found = await ids_for(search, "поддержка ТОС")

    def broken(*args, **kwargs):
        raise RuntimeError("lemmatiser broke")

    monkeypatch.setattr("bot.search.build_rows", broken)
    with pytest.raises(RuntimeError):
        await search.rebuild()
    assert await _index_schema(services.db) == schema
    assert await ids_for(search, "поддержка ТОС") == found
    assert await services.db.fetchval("PRAGMA cache_size") == cache
    assert await services.db.fetchval("SELECT paused FROM search_state") == 0
    await integrity(services.db)


async def _kind_totals_by_scan(db) -> dict[tuple[str, int], int]:
    """Every kind's whole-country totals counted over the facets, as questions show them."""
    rows = await db.fetchall(
        "SELECT f.kind, f.relation, count(*) FROM search_facets f WHERE f.relation < 2"
        " AND (f.relation = 0 OR NOT EXISTS (SELECT 1 FROM search_facets g"
        " WHERE g.region = f.region AND g.kind = f.kind AND g.relation = 0"
        " AND g.recommendation_id = f.recommendation_id)) GROUP BY f.kind, f.relation"
    )
    return {(r[0], r[1]): r[2] for r in rows}


async def _kind_totals_kept(repo: SearchRepository, kinds) -> dict[tuple[str, int], int]:
    totals = {}
    for kind in kinds:
        totals[(kind, 0)], totals[(kind, 1)] = await repo.kind_totals(kind)
    return {key: n for key, n in totals.items() if n}


async def test_kind_totals_are_kept_as_the_index_changes(services, search, settings):
    """Issue 15: whole-country totals per kind are kept in search_kind_counts by triggers,
    so a kind question reads them instead of counting; they equal a count over the facets
    after imports, a re-import, another connection's delete and a rebuild."""
    import sqlite3

    from bot.paths import CONTENT_DIR
    from bot.vocabulary import Kind

    repo = SearchRepository(services.db)
    kinds = [str(k) for k in Kind]

    async def check() -> dict[tuple[str, int], int]:
        expected = await _kind_totals_by_scan(services.db)
        assert await _kind_totals_kept(repo, kinds) == expected
        addressed = sorted(
            ((k, n) for (k, rel), n in expected.items() if rel == 0), key=lambda kn: (-kn[1], kn[0])
        )
        assert await repo.kinds_available(None) == addressed
        return expected

    await services.importer.import_directory(CONTENT_DIR / "resolutions")
    totals = await check()
    reads: list[str] = []  # every statement either connection runs
    connections = [c for c in (services.db._conn, services.db._reader) if c is not None]
    for connection in connections:
        await connection.set_trace_callback(reads.append)
    await _kind_totals_kept(repo, kinds)
    for connection in connections:
        await connection.set_trace_callback(None)
    assert reads and not [sql for sql in reads if "search_facets" in sql], "kept, not counted"
    assert any(rel == 1 for _, rel in totals), "the seeds have joint items"
    region = await services.db.fetchval(
        "SELECT region FROM search_facets WHERE relation = 1 LIMIT 1"
    )
    kind = await services.db.fetchval("SELECT kind FROM search_facets WHERE relation = 1 LIMIT 1")
    owns = []
    for relation in (0, 1):
        owns.append(
            await services.db.fetchint(
                "SELECT count(*) FROM search_facets f WHERE f.region = ? AND f.kind = ?"
                " AND f.relation = ? AND (f.relation = 0 OR NOT EXISTS (SELECT 1"
                " FROM search_facets g WHERE g.region = f.region AND g.kind = f.kind"
                " AND g.relation = 0 AND g.recommendation_id = f.recommendation_id))",
                (region, kind, relation),
            )
        )
    assert await repo.kind_totals(kind, region) == (
        totals.get((kind, 0), 0) - owns[0],
        totals.get((kind, 1), 0) - owns[1],
    )
    assert owns[1] > 0

    # An addressed row added to an item that was only joint hides it from the joint total.
    joint = await services.db.fetchone("SELECT * FROM search_facets WHERE relation = 1 LIMIT 1")
    await services.db.execute(
        "INSERT INTO search_facets (region, kind, relation, recommendation_id, document_id)"
        " VALUES (?, ?, 0, ?, ?)",
        (joint["region"], joint["kind"], joint["recommendation_id"], joint["document_id"]),
    )
    await check()
    await services.db.execute(
        "DELETE FROM search_facets WHERE relation = 0 AND region = ? AND kind = ?"
        " AND recommendation_id = ?",
        (joint["region"], joint["kind"], joint["recommendation_id"]),
    )
    assert await check() == totals

    await services.importer.import_document(document([("1", "Провести форум")]))
    await check()
    other = sqlite3.connect(settings.database_path)
    try:
        with other:
            other.execute("PRAGMA foreign_keys = ON")
            other.execute("DELETE FROM documents WHERE id = (SELECT min(id) FROM documents)")
    finally:
        other.close()
    await check()
    await services.db.execute("UPDATE search_kind_counts SET items = items + 7")
    await search.rebuild()
    await check()


async def test_item_keys_come_from_the_narrow_index(services, search, monkeypatch):
    """Issue 15: /my sorts the items naming an organization, and a question reads its
    candidates' keys, from recommendations_keys (migration 0017), not from the wide rows
    with their text, which no page cache holds at a million recommendations."""
    import sqlite3

    from storage.search import SearchReader

    await services.importer.import_document(
        document([("1", "Общественной палате Камчатского края провести форум")])
    )
    statements: list[tuple[str, tuple]] = []
    init = SearchReader.__init__

    class Recording:
        def __init__(self, conn: sqlite3.Connection) -> None:
            self.conn = conn

        def execute(self, sql, params=()):
            statements.append((sql, tuple(params)))
            return self.conn.execute(sql, params)

    monkeypatch.setattr(SearchReader, "__init__", lambda self, conn: init(self, Recording(conn)))
    matches, _ = await search.my(Profile(REGION, "ngo", "Общественная палата Камчатского края"))
    assert matches
    assert (await search.ask("провести форум")).matches
    monkeypatch.undo()
    keyed = [  # reads of items' keys by id (the page's details need the text itself)
        (sql, p) for sql, p in statements if "r.id IN (SELECT value" in sql and "r.text" not in sql
    ]
    assert any("OVER ()" in sql for sql, _ in keyed), "the named items' order"
    assert any("r.status" in sql for sql, _ in keyed), "a question's keys"
    for sql, params in keyed:
        plan = " ".join(
            str(tuple(r)) for r in await services.db.fetchall("EXPLAIN QUERY PLAN " + sql, params)
        )
        assert "COVERING INDEX recommendations_keys" in plan, plan


async def test_the_kind_counts_migration_counts_an_existing_index(tmp_path):
    """Migration 0017 on a database indexed before it: the kept totals start from what
    the facets hold (a rebuild's recount), joint rows of addressed items left out."""
    from storage import Database, apply_migrations
    from storage.migrate import load_migrations

    db = await Database.connect(tmp_path / "old.sqlite3")
    try:
        migrations = load_migrations()
        await apply_migrations(db, [m for m in migrations if m.version < 17])
        await db.execute(
            "INSERT INTO documents (id, doc_key, source, content_hash, title, region,"
            " created_at, updated_at) VALUES (1, 'k', 's.txt', 'h', 'T', 'R', 'now', 'now')"
        )
        for rec_id in (1, 2, 3):
            await db.execute(
                "INSERT INTO recommendations (id, document_id, position, number, text,"
                " created_at, updated_at) VALUES (?, 1, ?, ?, 'x', 'now', 'now')",
                (rec_id, rec_id, str(rec_id)),
            )
        facets = [("ngo", 0, 1), ("ngo", 1, 1), ("ngo", 1, 2), ("media", 0, 3), ("ngo", 0, 3)]
        for kind, relation, rec_id in facets:
            await db.execute(
                "INSERT INTO search_facets (region, kind, relation, recommendation_id,"
                " document_id) VALUES ('R', ?, ?, ?, 1)",
                (kind, relation, rec_id),
            )
        await apply_migrations(db, migrations)
        repo = SearchRepository(db)
        assert await repo.kind_totals("ngo") == (2, 1)  # item 1's joint row: addressed too
        assert await repo.kind_totals("media") == (1, 0)
        assert await repo.kind_totals("ngo", "R") == (0, 0)
        assert await db.fetchval("SELECT paused FROM search_state") == 0
    finally:
        await db.close()
