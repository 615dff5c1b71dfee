"""Ingest benchmark: parse time per resolution and import time for the whole corpus.

``typical_doc_ms`` is one ~40 KB document parsed with the per-word morphology caches
emptied first (the analyzer itself stays loaded, as in a running bot), so it includes
the morphology of every word; the per-document percentiles are over the whole corpus in
one process, as the bot imports documents.  ``import_*`` is the parsed corpus written into a
fresh SQLite database by the real import service, search index included;
``import_db_trips_per_doc`` counts the statements it sends to the database per document;
``import_cpu_ms_per_doc`` is the CPU time of the whole process (its database thread
included) per document stored, steadier than ``import_docs_per_s`` on a loaded machine.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import tempfile
import time
from typing import Any

from bench.corpus import generate_corpus, generate_resolution
from bot import morph
from bot.container import open_services
from bot.ingest import addressees, clean, deadlines
from bot.ingest.parser import parse_resolution
from bot.settings import Settings


def _clear_word_caches() -> None:
    for cached in (morph.parse, morph.is_known, morph.normal_form, clean.split_glued):
        cached.cache_clear()
    # per-line and per-name caches (an older tree measured by bench.compare has none)
    for module, name in (
        (addressees, "tokenize"),
        (deadlines, "_find_dates"),
        (morph, "to_nominative"),
        (morph, "pos_cases"),
    ):
        getattr(getattr(module, name, None), "cache_clear", lambda: None)()


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def run(docs: int = 1000, seed: int = 42) -> dict:
    corpus = generate_corpus(docs, seed)
    # Load the analyzer, the region index and the vocabulary outside the measurement.
    parse_resolution(generate_resolution(random.Random(seed + 1)), "warmup")

    rng = random.Random(seed + 2)
    typical = generate_resolution(rng)
    while not 38_000 <= len(typical.encode()) <= 42_000:
        typical = generate_resolution(rng)
    _clear_word_caches()
    start = time.perf_counter()
    parse_resolution(typical, "typical")
    typical_ms = (time.perf_counter() - start) * 1000

    _clear_word_caches()
    times: list[float] = []
    parsed = []
    total_start = time.perf_counter()
    for i, text in enumerate(corpus):
        start = time.perf_counter()
        parsed.append(parse_resolution(text, f"doc{i}"))
        times.append((time.perf_counter() - start) * 1000)
    total = time.perf_counter() - total_start
    import_cpu = time.process_time()
    import_seconds, trips = asyncio.run(_import_all(parsed))
    import_cpu = time.process_time() - import_cpu
    return {
        "docs": docs,
        "per_doc_ms_p50": round(statistics.median(times), 2),
        "per_doc_ms_p95": round(_percentile(times, 0.95), 2),
        "docs_per_s": round(docs / total, 1) if total else 0.0,
        "typical_doc_kb": round(len(typical.encode()) / 1024, 1),
        "typical_doc_ms": round(typical_ms, 2),
        "import_seconds": round(import_seconds, 2),
        "import_docs_per_s": round(docs / import_seconds, 1) if import_seconds else 0.0,
        "import_db_trips_per_doc": round(trips / docs, 1) if docs else 0.0,
        "import_cpu_ms_per_doc": round(import_cpu * 1000 / docs, 2) if docs else 0.0,
    }


# Every job sent to the connection's thread is one trip: a statement, or several in one
# ``read``/``write`` job (fetchval and fetchint go through fetchone; BEGIN and COMMIT are
# not counted).  An older tree without ``write`` is measured too (``bench.compare``).
_TRIPS = ("execute", "execute_rowcount", "executemany", "fetchone", "fetchall", "read", "write")


def _count_trips(db: Any) -> list[int]:
    counter = [0]
    for name in _TRIPS:
        method = getattr(db, name, None)
        if method is None:
            continue

        async def counted(*args: Any, _method: Any = method, **kwargs: Any) -> Any:
            counter[0] += 1
            return await _method(*args, **kwargs)

        setattr(db, name, counted)
    return counter


async def _import_all(parsed: list) -> tuple[float, int]:
    """Seconds to store every parsed document with the bot's own import service, search
    index included, and the database trips it took."""
    with tempfile.TemporaryDirectory() as workdir:
        settings = Settings(_env_file=None, database_path=f"{workdir}/ingest.sqlite3")
        async with open_services(settings) as services:
            trips = _count_trips(services.db)
            start = time.perf_counter()
            for document in parsed:
                await services.importer.import_document(document)
            return time.perf_counter() - start, trips[0]


if __name__ == "__main__":
    import json
    import sys

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    print(json.dumps(run(n), ensure_ascii=False))
