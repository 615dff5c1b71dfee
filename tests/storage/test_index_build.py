"""The search index's rows stay what they were while the way they are built gets faster.

The digests below are of the rows main's index code built (``2606a42``… ``e88125f``,
before the issue-15 import and rebuild work) over the same input: the shipped resolutions
and the public test corpus imported one by one, and ``bench.query``'s synthetic corpus
rebuilt at once.  A deliberate change of what the index holds changes them: recompute them
with the code before that change, never from the code under test.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from bot.importer import parse_path
from bot.paths import CONTENT_DIR
from bot.search import SearchService
from storage.db import Database

CORPUS = Path(__file__).resolve().parents[1] / "corpus"

# (search_docs rows, search_facets rows, sha256 of both, ordered)
IMPORTED = (291, 333, "9066829e03a9c0cd93968ef2c0bbcb6331a19094a1aa50dd3934889cc22457af")
SYNTHETIC = (3000, 3328, "7fa2f65c7b20aab10e6f54ca649a83949ccd6718b1051fa94c06915751c119b9")


async def index_digest(db: Database) -> tuple[int, int, str]:
    docs = [
        tuple(r) for r in await db.fetchall("SELECT * FROM search_docs ORDER BY recommendation_id")
    ]
    facets = [
        tuple(r)
        for r in await db.fetchall(
            "SELECT * FROM search_facets ORDER BY recommendation_id, region, kind, relation"
        )
    ]
    text = json.dumps([docs, facets], ensure_ascii=False)
    return len(docs), len(facets), hashlib.sha256(text.encode()).hexdigest()


async def integrity(db: Database) -> None:
    """FTS5 checks its index against search_docs, every term of every row (rank 1: against
    the content table too; raises when a row is missing or stale)."""
    await db.execute("INSERT INTO search_fts (search_fts, rank) VALUES ('integrity-check', 1)")


async def test_imports_and_a_rebuild_index_the_seeds_and_the_corpus_as_before(services):
    paths = sorted((CONTENT_DIR / "resolutions").iterdir()) + sorted(CORPUS.glob("*.txt"))
    assert len(paths) > 40
    for path in paths:
        await services.importer.import_document(parse_path(path))
    assert await index_digest(services.db) == IMPORTED
    await services.search.rebuild()
    assert await index_digest(services.db) == IMPORTED
    await integrity(services.db)


async def test_a_rebuild_of_the_synthetic_corpus_indexes_it_as_before(db):
    from bench.query import _build_corpus

    await _build_corpus(db, random.Random(7), 3000, 150)
    assert await SearchService(db).rebuild() == 3000
    assert await index_digest(db) == SYNTHETIC
    await integrity(db)


async def test_each_document_reindexed_alone_gives_the_rebuilds_rows(db):
    """The import path (one document at a time) and the rebuild (batches) agree."""
    from bench.query import _build_corpus

    await _build_corpus(db, random.Random(11), 600, 40)
    search = SearchService(db)
    await search.rebuild()
    rebuilt = await index_digest(db)
    for (document_id,) in await db.fetchall("SELECT id FROM documents ORDER BY id DESC"):
        await search.reindex_document(document_id)
    assert await index_digest(db) == rebuilt
    await integrity(db)


async def test_a_document_and_its_index_rows_commit_together(services, parsed_seeds):
    """The index hook runs in the import's transaction: when indexing fails, the import
    leaves nothing behind (no document without its index rows), and the next one indexes."""
    import copy

    import pytest

    async def broken(document_id: int) -> None:
        raise RuntimeError("index broke")

    services.importer.after_import.insert(0, broken)
    with pytest.raises(RuntimeError):
        await services.importer.import_document(copy.deepcopy(parsed_seeds[0]))
    assert await services.db.fetchint("SELECT count(*) FROM documents") == 0
    services.importer.after_import.remove(broken)
    result = await services.importer.import_document(copy.deepcopy(parsed_seeds[0]))
    indexed = await services.db.fetchint("SELECT count(*) FROM search_docs")
    assert indexed == len(result.recommendation_ids) > 0
