"""Report benchmark: /report's files for one region of 200,000 recommendations.

The database is written directly with SQL (the real migrations, then bulk inserts): one
region, resolutions with several addressees each, and a history in which about a third of
the items have a status report, some a comment with a link and some an assessment.  Building
it is timed apart and not counted.

Each format is then built by ``ReportService.write`` in a fresh child process, so
``<fmt>_peak_rss_mb`` is what building that report takes and not what building the corpus
took; ``baseline_rss_mb`` is such a process after its imports.  The aim: under 30 s, and
memory that does not grow with the number of rows (compare ``--recommendations 20k``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.query import ADDRESSEES, _text

NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
REGION = "Амурская область"
DEFAULT_TZ = "Europe/Moscow"
CHUNK = 20_000
ROOT = Path(__file__).resolve().parent.parent


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


async def build(path: Path, recommendations: int, documents: int, seed: int) -> int:
    """The corpus, written in chunks; returns the number of history rows."""
    from storage import Database, apply_migrations
    from storage.statuses import STATUSES

    rng = random.Random(seed)
    db = await Database.connect(path)
    try:
        await apply_migrations(db)
        now = _iso(NOW)
        kinds = list(ADDRESSEES)
        per_doc = max(1, recommendations // documents)
        docs, addrs, recs, links, history = [], [], [], [], []
        addressee_id = rec_id = 0

        async def flush() -> None:
            async with db.transaction():
                await db.executemany(
                    "INSERT INTO documents (id, doc_key, source, content_hash, title, adopted_on,"
                    " region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    docs,
                )
                await db.executemany(
                    "INSERT INTO addressees (id, document_id, position, name, canonical, kind,"
                    " region) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    addrs,
                )
                await db.executemany(
                    "INSERT INTO recommendations (id, document_id, position, number, text,"
                    " deadline, deadline_precision, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    recs,
                )
                await db.executemany(
                    "INSERT OR IGNORE INTO recommendation_addressees (recommendation_id,"
                    " addressee_id) VALUES (?, ?)",
                    links,
                )
                await db.executemany(
                    "INSERT INTO history (recommendation_id, actor_id, actor_role, event,"
                    " old_status, new_status, comment, evidence_kind, evidence, verdict,"
                    " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    history,
                )
            for rows in (docs, addrs, recs, links, history):
                rows.clear()

        for doc_id in range(1, documents + 1):
            year = rng.randint(2018, 2025)
            docs.append(
                (
                    doc_id,
                    f"doc-{doc_id}",
                    f"bench_{doc_id:05d}.txt",
                    f"h{doc_id}",
                    f"Резолюция форума № {doc_id}",
                    f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                    REGION,
                    now,
                    now,
                )
            )
            doc_addrs = []
            for position, kind in enumerate(rng.sample(kinds, rng.randint(2, 6))):
                _, canonical = rng.choice(ADDRESSEES[kind])
                addressee_id += 1
                doc_addrs.append(addressee_id)
                name = canonical.format(rg="Амурской области")
                addrs.append((addressee_id, doc_id, position, name, name, kind, REGION))
            count = per_doc if doc_id < documents else recommendations - rec_id
            for position in range(count):
                rec_id += 1
                deadline = f"{year + 1}-12-31" if rng.random() < 0.3 else None
                status = "not_started"
                roll = rng.random()
                when = _iso(NOW - dt.timedelta(days=rng.uniform(1, 400)))
                if roll < 0.35:
                    status = rng.choice(STATUSES[1:])
                    history.append(
                        (rec_id, 1, "official", "status", "not_started", status,
                         "Проведено совещание, подготовлен план мероприятий.", None, None, None,
                         when)
                    )  # fmt: skip
                if roll < 0.1:
                    history.append(
                        (rec_id, 1, "official", "comment", None, None, "Отчёт на сайте",
                         "link", f"https://example.org/report/{rec_id}", None, when)
                    )  # fmt: skip
                if rng.random() < 0.05:
                    verdict = rng.choice(("agree", "disagree"))
                    history.append(
                        (rec_id, 2, "member", "assessment", status, None, None, None, None,
                         verdict, when)
                    )  # fmt: skip
                recs.append(
                    (rec_id, doc_id, position, str(position + 1), _text(rng, "Амурской области"),
                     deadline, "year" if deadline else None, status, now, now)
                )  # fmt: skip
                links.append((rec_id, doc_addrs[position * len(doc_addrs) // count]))
                if rng.random() < 0.1:
                    links.append((rec_id, rng.choice(doc_addrs)))
            if len(recs) >= CHUNK:
                await flush()
        await flush()
        return int(await db.fetchval("SELECT count(*) FROM history"))
    finally:
        await db.close()


async def _write(path: Path, fmt: str, out: Path) -> dict:
    from bot.clock import FrozenClock
    from bot.exports import ReportService
    from bot.texts import Texts
    from storage import Database
    from storage.exports import ExportRepository, Scope
    from storage.progress import ProgressRepository

    db = await Database.connect(path)
    try:
        service = ReportService(
            ExportRepository(db),
            ProgressRepository(db),
            None,  # type: ignore[arg-type]  (no chat: no permission checks)
            None,  # type: ignore[arg-type]
            Texts.load(),
            FrozenClock(NOW),
            DEFAULT_TZ,
        )
        start, cpu_start = time.perf_counter(), time.process_time()
        with out.open("wb") as fh:
            context = await service.write(Scope(REGION), fmt, fh)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu_start
    finally:
        await db.close()
    return {
        "rows": context.total,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(cpu_seconds, 2),
        "peak_rss_mb": _rss_mb(),
    }


def _child() -> None:
    """Entry point of the measuring process: ``_child DB FORMAT OUT`` prints JSON."""
    import openpyxl  # noqa: F401

    import bot.exports  # noqa: F401  (imports are not part of the run)

    baseline = _rss_mb()
    path, fmt, out = sys.argv[1:4]
    result = asyncio.run(_write(Path(path), fmt, Path(out)))
    result["file_mb"] = round(Path(out).stat().st_size / 2**20, 1)
    print(json.dumps({"baseline_rss_mb": baseline, **result}))


def _measure(path: Path, fmt: str, out: Path) -> dict:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "from bench.report import _child; _child()",
            str(path),
            fmt,
            str(out),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the report process failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(
    recommendations: int = 200_000,
    documents: int = 2_000,
    seed: int = 42,
    formats: str = "xlsx,csv,png",
) -> dict:
    """Build the region, then each report format in its own process; seconds and peak memory."""
    wanted = [f.strip() for f in formats.split(",") if f.strip()]
    documents = max(1, min(documents, recommendations))
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        path = Path(tmp) / "bench.sqlite3"
        start = time.perf_counter()
        history = asyncio.run(build(path, recommendations, documents, seed))
        results: dict = {
            "recommendations": recommendations,
            "documents": documents,
            "history_rows": history,
            "build_seconds": round(time.perf_counter() - start, 1),
        }
        for fmt in wanted:
            print(f"building {fmt}…", file=sys.stderr, flush=True)
            measured = _measure(path, fmt, Path(tmp) / f"report.{fmt}")
            results["baseline_rss_mb"] = measured["baseline_rss_mb"]
            for key in ("seconds", "cpu_seconds", "peak_rss_mb", "file_mb", "rows"):
                results[f"{fmt}_{key}"] = measured[key]
    return results
