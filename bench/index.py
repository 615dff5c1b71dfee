"""Index benchmark: a full rebuild of the search index over a synthetic corpus.

The corpus is ``bench.query``'s (documents in every region, addressees of every kind, texts
from templates), written with SQL and not timed (``corpus_seconds``).  ``rebuild_seconds`` is
``SearchService.rebuild`` as ``python -m bot`` runs it after the search migration, in a fresh
process, so the morphology caches start empty as they do in the bot.  ``words_per_s`` counts
the words of every recommendation text indexed.  Shrink: ``--recommendations 20k
--documents 1000``.
"""

from __future__ import annotations

import asyncio
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any


async def _run(recommendations: int, documents: int, seed: int) -> dict[str, Any]:
    from bench.query import _build_corpus
    from bot.search import SearchService
    from storage import Database, apply_migrations

    documents = max(1, min(documents, recommendations))
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        db = await Database.connect(Path(tmp) / "bench.sqlite3")
        try:
            await apply_migrations(db)
            started = time.perf_counter()
            await _build_corpus(db, random.Random(seed), recommendations, documents)
            corpus_s = time.perf_counter() - started
            words = sum(
                len(r[0].split()) for r in await db.fetchall("SELECT text FROM recommendations")
            )
            started = time.perf_counter()
            cpu = time.process_time()
            indexed = await SearchService(db).rebuild()
            rebuild_s = time.perf_counter() - started
            cpu_s = time.process_time() - cpu
            facets = await db.fetchint("SELECT count(*) FROM search_facets")
        finally:
            await db.close()
    return {
        "recommendations": recommendations,
        "documents": documents,
        "indexed": indexed,
        "facets": facets,
        "corpus_seconds": round(corpus_s, 1),
        "rebuild_seconds": round(rebuild_s, 2),
        "rebuild_cpu_seconds": round(cpu_s, 2),
        "recommendations_per_s": round(indexed / rebuild_s) if rebuild_s else 0,
        "words_per_s": round(words / rebuild_s) if rebuild_s else 0,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run(recommendations: int = 200_000, documents: int = 10_000, seed: int = 42) -> dict[str, Any]:
    """Build the corpus, then time one full rebuild of the search index."""
    return asyncio.run(_run(recommendations, documents, seed))
