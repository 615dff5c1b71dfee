"""Benchmark ``web``: the public page, the officials' form and the calendar feeds at 200,000
recommendations — p50/p95 of each page type through aiohttp's test client.

The corpus is the ``query`` benchmark's (documents in every region, addressees, deadlines),
written straight into a temporary SQLite database, plus a status report on a tenth of the
recommendations so that "нет данных" and the history are not empty.  The target is 100 ms.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote

from bench.query import _build_corpus, _percentile, _rss_mb

STATUSES = ("in_progress", "done", "partially_done", "wont_do")


async def _history(db, rnd: random.Random, recommendations: int, share: float) -> int:
    rows, updates = [], []
    for rec_id in range(1, recommendations + 1):
        if rnd.random() < share:
            status = rnd.choice(STATUSES)
            at = f"2026-0{rnd.randint(1, 9)}-1{rnd.randint(0, 9)}T10:00:00+00:00"
            rows.append((rec_id, status, "Отчёт органа о выполнении", at))
            updates.append((status, at, rec_id))
    async with db.transaction():
        await db.executemany(
            "INSERT INTO history (recommendation_id, actor_id, actor_role, event, old_status,"
            " new_status, comment, created_at, actor_org)"
            " VALUES (?, NULL, 'official', 'status', 'not_started', ?, ?, ?, 'Орган')",
            rows,
        )
        await db.executemany(
            "UPDATE recommendations SET status = ?, status_changed_at = ? WHERE id = ?", updates
        )
    return len(rows)


async def _time(client, path: str, times: list[float]) -> int:
    started = time.perf_counter()
    response = await client.get(path)
    await response.read()
    times.append((time.perf_counter() - started) * 1000)
    assert response.status == 200, (path, response.status)
    return response.status


async def _run(recommendations: int, documents: int, seed: int, samples: int) -> dict[str, Any]:
    from aiohttp.test_utils import TestClient, TestServer

    from bot.clock import Clock
    from bot.container import build_services
    from bot.settings import Settings
    from bot.web import create_web_app
    from storage import Database, apply_migrations

    rnd = random.Random(seed)
    documents = max(1, min(documents, recommendations))
    with tempfile.TemporaryDirectory(prefix="bench-web-") as tmp:
        settings = Settings(
            _env_file=None,
            database_path=str(Path(tmp) / "bench.sqlite3"),
            web_enabled=True,
            public_url="http://bench.test",
            web_upload_dir=str(Path(tmp) / "uploads"),
            import_seeds_on_empty=False,
        )
        db = await Database.connect(settings.database_path)
        try:
            await apply_migrations(db)
            started = time.perf_counter()
            await _build_corpus(db, rnd, recommendations, documents)
            reports = await _history(db, rnd, recommendations, 0.1)
            await db.execute("ANALYZE")
            corpus_s = time.perf_counter() - started
            services = build_services(settings, db, Clock())
            admin = 1
            settings.admin_ids.append(admin)
            regions = [r[0] for r in await services.public.regions()]
            addressees = [r[0] for r in await db.fetchall("SELECT id FROM addressees")]
            tokens = [
                (await services.weblinks.create(admin, a)).token
                for a in rnd.sample(addressees, min(samples, len(addressees)))
            ]
            client = TestClient(TestServer(create_web_app(services)))
            await client.start_server()
            kinds: dict[str, list[float]] = {}
            try:
                for i in range(samples):
                    region = quote(rnd.choice(regions), safe="")
                    doc = rnd.randint(1, documents)
                    rec = rnd.randint(1, recommendations)
                    token = tokens[i % len(tokens)]
                    pages = {
                        "index": "/",
                        "region": f"/r/{region}",
                        "region_page_3": f"/r/{region}?page=3",
                        "resolution": f"/d/{doc}",
                        "resolution_page_2": f"/d/{doc}?page=2",
                        "recommendation": f"/rec/{rec}",
                        "official_list": f"/o/{token}",
                        "region_ics": f"/calendar/region/{region}.ics",
                        "addressee_ics": f"/calendar/addressee/{rnd.choice(addressees)}.ics",
                    }
                    for kind, path in pages.items():
                        await _time(client, path, kinds.setdefault(kind, []))
            finally:
                await client.close()
        finally:
            await db.close()
    figures: dict[str, Any] = {
        "recommendations": recommendations,
        "documents": documents,
        "reports": reports,
        "samples": samples,
        "corpus_seconds": round(corpus_s, 1),
    }
    for kind, times in kinds.items():
        figures[f"{kind}_p50_ms"] = _percentile(times, 0.5)
        figures[f"{kind}_p95_ms"] = _percentile(times, 0.95)
    figures["worst_p95_ms"] = max(_percentile(t, 0.95) for t in kinds.values())
    figures["peak_rss_mb"] = _rss_mb()
    return figures


def run(
    recommendations: int = 200_000, documents: int = 10_000, seed: int = 42, samples: int = 100
) -> dict[str, Any]:
    """Seed the corpus, then time each page type; figures in milliseconds."""
    return asyncio.run(_run(recommendations, documents, seed, samples))
