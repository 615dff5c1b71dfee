"""Digest benchmark: one planning run of the real DigestPlanner over a synthetic database.

The database is written directly with SQL (the real migrations, then bulk inserts): documents
across all regions, recommendations with deadlines over several years, a week of history, and
users who are all due for their digest.  Building it is timed apart and not counted.

The planner runs in a fresh child process pinned to one CPU, so ``peak_rss_mb`` is what a
process planning digests needs and not what building the corpus took.  The child first plans
for a tenth of the users, then for all of them, over the same recommendations and activity:
``rss_growth_mb`` is the rise of the peak between the two, which stays near zero when memory
is flat in the number of users.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import hashlib
import importlib
import importlib.util
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.corpus import ACTIONS, EVENTS, THEMES
from storage.statuses import STATUSES

# A Monday, 10:00 in Moscow: fixed so that runs with the same seed compare.
NOW = dt.datetime(2026, 3, 2, 7, 0, tzinfo=dt.UTC)
DEFAULT_TZ = "Europe/Moscow"
RECS_PER_DOCUMENT = 20  # 200,000 recommendations → 10,000 documents
CHUNK = 20_000  # rows per executemany, so the build never holds a whole table in memory
ROOT = Path(__file__).resolve().parent.parent

# Nominative names per kind: what the parser would store as an addressee's canonical name.
KIND_NAMES = {
    "regional_government": "Правительство",
    "legislature": "Законодательное Собрание",
    "ministry_or_agency": "Министерство социальной защиты",
    "local_government": "Органы местного самоуправления",
    "public_chamber": "Общественная палата",
    "public_council": "Общественный совет",
    "ngo": "Некоммерческие организации",
    "resource_center": "Ресурсный центр поддержки НКО",
    "business": "Бизнес-сообщество",
    "media": "Средства массовой информации",
    "education": "Вузы",
    "federal_body": "Министерство экономического развития РФ",
    "other": "Другие организации",
}
# How often each kind is addressed, and what kind of organisation users speak for.
ADDRESSEE_WEIGHTS = {
    "regional_government": 14,
    "legislature": 6,
    "ministry_or_agency": 16,
    "local_government": 14,
    "public_chamber": 10,
    "public_council": 5,
    "ngo": 12,
    "resource_center": 6,
    "business": 4,
    "media": 4,
    "education": 4,
    "federal_body": 3,
    "other": 2,
}
USER_KIND_WEIGHTS = {
    "ngo": 45,
    "public_chamber": 12,
    "resource_center": 8,
    "public_council": 6,
    "local_government": 6,
    "ministry_or_agency": 5,
    "regional_government": 3,
    "education": 4,
    "media": 3,
    "business": 3,
    "legislature": 1,
    "federal_body": 1,
    "other": 3,
}


def _iso(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="seconds")


def _ago(rng: random.Random, days: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=rng.uniform(0, days * 86400))


def _chunked(rows, size: int = CHUNK):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def _insert(db, sql: str, rows) -> int:
    count = 0
    async with db.transaction():
        for chunk in _chunked(rows):
            await db.executemany(sql, chunk)
            count += len(chunk)
    return count


def _deadline(rng: random.Random) -> tuple[str | None, str | None]:
    """A deadline with a realistic share due in the next two weeks and recently missed."""
    today = NOW.date()
    draw = rng.random()
    if draw < 0.25:
        return None, None
    if draw < 0.29:
        day = today + dt.timedelta(days=rng.randint(0, 14))
    elif draw < 0.33:
        day = today - dt.timedelta(days=rng.randint(1, 30))
    else:
        day = today + dt.timedelta(days=rng.randint(-3 * 365, 2 * 365))
    precision = rng.choices(("day", "month", "year"), (6, 3, 1))[0]
    if precision == "month":
        following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        day = following - dt.timedelta(days=1)
    elif precision == "year":
        day = day.replace(month=12, day=31)
    return day.isoformat(), precision


def _status(rng: random.Random, deadline: str | None) -> str:
    if deadline is not None and deadline < (NOW.date() - dt.timedelta(days=30)).isoformat():
        weights = (20, 25, 40, 10, 5)  # long past its deadline: mostly reported on
    else:
        weights = (55, 35, 7, 2, 1)
    return rng.choices(STATUSES, weights)[0]


async def build_content(path: Path, recommendations: int, seed: int) -> dict[str, int]:
    """Documents, addressees, recommendations and history: what every user is matched against."""
    from bot.regions import all_regions
    from storage import Database
    from storage.migrate import apply_migrations

    rng = random.Random(seed)
    regions = [r.name for r in all_regions()]
    add_kinds, add_weights = zip(*ADDRESSEE_WEIGHTS.items(), strict=True)
    db = await Database.connect(path)
    try:
        await apply_migrations(db)
        n_docs = max(1, recommendations // RECS_PER_DOCUMENT)
        docs = []  # (id, region, created_at)
        doc_rows = []
        for doc_id in range(1, n_docs + 1):
            # A few federal documents have no region and concern nobody by region.
            region = rng.choice(regions) if rng.random() > 0.03 else None
            created = _ago(rng, 365)
            event, _, _ = rng.choice(EVENTS)
            title = f"{event} {rng.choice(THEMES)} — {region or 'Российская Федерация'}"
            created_iso = _iso(created)
            docs.append((doc_id, region, created_iso))
            doc_rows.append(
                (
                    doc_id,
                    f"bench-{seed}-{doc_id}",
                    f"bench/{doc_id}.docx",
                    f"{rng.getrandbits(128):032x}",
                    title,
                    (created.date() - dt.timedelta(days=rng.randint(3, 40))).isoformat(),
                    region,
                    created_iso,
                    created_iso,
                )
            )
        await _insert(
            db,
            "INSERT INTO documents (id, doc_key, source, content_hash, title, adopted_on,"
            " region, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            doc_rows,
        )
        del doc_rows

        addressees: dict[int, list[int]] = {}
        addressee_rows = []
        next_id = 1
        for doc_id, region, _ in docs:
            kinds = list(dict.fromkeys(rng.choices(add_kinds, add_weights, k=rng.randint(3, 7))))
            ids = []
            for position, kind in enumerate(kinds, start=1):
                name = f"{KIND_NAMES[kind]} {region or 'РФ'}"
                addressee_rows.append((next_id, doc_id, position, name, name, kind, region))
                ids.append(next_id)
                next_id += 1
            if rng.random() < 0.3:
                # "Участники форума": the planner reads it as addressed to everyone.
                name = "Участники форума"
                addressee_rows.append((next_id, doc_id, len(kinds) + 1, name, name, "other", None))
                ids.append(next_id)
                next_id += 1
            addressees[doc_id] = ids
        await _insert(
            db,
            "INSERT INTO addressees (id, document_id, position, name, canonical, kind, region)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            addressee_rows,
        )
        del addressee_rows

        # Each recommendation belongs to a random document; sorted so positions run per document.
        owners = sorted(rng.randrange(n_docs) for _ in range(recommendations))
        rec_addressees = []

        def rec_rows():
            position = 0
            previous = None
            for rec_id, index in enumerate(owners, start=1):
                doc_id, _, created_iso = docs[index]
                position = position + 1 if index == previous else 1
                previous = index
                deadline, precision = _deadline(rng)
                status = _status(rng, deadline)
                text = f"{rng.choice(ACTIONS)} ({rng.choice(ACTIONS)[:60]})"
                picked = addressees[doc_id]
                count = 2 if len(picked) > 1 and rng.random() < 0.2 else 1
                for addressee_id in rng.sample(picked, count):
                    rec_addressees.append((rec_id, addressee_id))
                yield (
                    rec_id,
                    doc_id,
                    position,
                    f"{position}",
                    text,
                    deadline,
                    precision,
                    status,
                    1 if rng.random() < 0.01 else 0,
                    created_iso,
                    created_iso,
                )

        await _insert(
            db,
            "INSERT INTO recommendations (id, document_id, position, number, text, deadline,"
            " deadline_precision, status, removed, created_at, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rec_rows(),
        )
        await _insert(
            db,
            "INSERT INTO recommendation_addressees (recommendation_id, addressee_id) VALUES (?, ?)",
            rec_addressees,
        )
        rec_addressees.clear()

        # History: a year of older reports and a busy last week (about 2.5 % of items a week).
        def history_rows():
            for days, count in ((365, recommendations // 10), (7, recommendations // 40)):
                for _ in range(count):
                    rec_id = rng.randint(1, recommendations)
                    event = rng.choices(
                        ("status", "comment", "assessment", "deadline"), (45, 35, 12, 8)
                    )[0]
                    old = new = verdict = comment = old_deadline = new_deadline = None
                    role = "official"
                    if event == "status":
                        old, new = rng.sample(["not_started", "in_progress", "done"], 2)
                    elif event == "comment":
                        comment = "Работа ведётся, проведено совещание с НКО."
                    elif event == "assessment":
                        verdict = rng.choice(("agree", "disagree"))
                        role = "member"
                    else:
                        old_deadline = NOW.date().isoformat()
                        new_deadline = (NOW.date() + dt.timedelta(days=90)).isoformat()
                        role = "coordinator"
                    yield (
                        rec_id,
                        rng.randint(1, 1_000_000),
                        role,
                        event,
                        old,
                        new,
                        comment,
                        old_deadline,
                        new_deadline,
                        verdict,
                        _iso(_ago(rng, days)),
                    )

        history = await _insert(
            db,
            "INSERT INTO history (recommendation_id, actor_id, actor_role, event, old_status,"
            " new_status, comment, old_deadline, new_deadline, verdict, created_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            history_rows(),
        )
    finally:
        await db.close()
    return {"documents": n_docs, "history": history}


async def add_users(path: Path, users: int, recommendations: int, seed: int) -> None:
    """Users who are all due now, with subscriptions and follows."""
    from bot.regions import all_regions
    from storage import Database

    rng = random.Random(seed + 1)
    regions = [r.name for r in all_regions()]
    user_kinds, user_weights = zip(*USER_KIND_WEIGHTS.items(), strict=True)
    subscriptions = []
    follows = []

    def user_rows():
        for user_id in range(1, users + 1):
            region = rng.choice(regions) if rng.random() > 0.03 else None
            org_kind = rng.choices(user_kinds, user_weights)[0] if rng.random() > 0.1 else None
            frequency = rng.choices(("weekly", "daily", "off"), (85, 10, 5))[0]
            created = _iso(_ago(rng, 730))
            last = NOW - dt.timedelta(days=1 if frequency == "daily" else 7)
            # Due within the last few hours: every user with digests on is planned now.
            due = NOW - dt.timedelta(seconds=rng.randint(0, 6 * 3600))
            if region is not None:
                subscriptions.append((user_id, region, created))
                if rng.random() < 0.25:
                    other = rng.choice(regions)
                    if other != region:
                        subscriptions.append((user_id, other, created))
            if rng.random() < 0.2:
                for rec_id in rng.sample(range(1, recommendations + 1), rng.randint(1, 3)):
                    follows.append((user_id, rec_id, created))
            yield (
                user_id,
                f"Участник {user_id}",
                region,
                org_kind,
                f"Организация {user_id}" if org_kind else None,
                created,
                created,
                created,
                frequency,
                0,
                10,
                _iso(due),
                _iso(last),
            )

    db = await Database.connect(path)
    try:
        await _insert(
            db,
            "INSERT INTO users (id, first_name, region, org_kind, org_name, onboarded_at,"
            " created_at, updated_at, digest_frequency, digest_weekday, digest_hour,"
            " next_digest_at, last_digest_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            user_rows(),
        )
        await _insert(
            db,
            "INSERT INTO subscriptions (user_id, region, created_at) VALUES (?, ?, ?)",
            subscriptions,
        )
        await _insert(
            db,
            "INSERT INTO follows (user_id, recommendation_id, created_at) VALUES (?, ?, ?)",
            follows,
        )
    finally:
        await db.close()


def _rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports kilobytes, macOS bytes.
    return peak / (1024 * 1024 if sys.platform == "darwin" else 1024)


async def _plan(path: str) -> dict:
    from bot.clock import FrozenClock
    from bot.digests import DigestPlanner
    from bot.outbox import OutboxService
    from bot.texts import Texts
    from storage import Database
    from storage.digests import DigestRepository
    from storage.outbox import OutboxRepository

    texts = Texts.load()
    clock = FrozenClock(NOW)
    db = await Database.connect(path)
    try:
        planner = DigestPlanner(
            DigestRepository(db),
            OutboxService(OutboxRepository(db), clock),
            texts,
            clock,
            DEFAULT_TZ,
        )
        lag = _LagTicker()
        collections = _FullCollections()
        ticker = asyncio.create_task(lag.run())
        start, cpu_start = time.perf_counter(), time.process_time()
        gc.callbacks.append(collections)
        try:
            stats = await planner.run(NOW)
        finally:
            gc.callbacks.remove(collections)
            seconds = time.perf_counter() - start
            ticker.cancel()
        # CPU time of both threads: steadier than wall time on a busy machine.
        cpu_seconds = time.process_time() - cpu_start
        peak_rss_mb = _rss_mb()
        outbox = await db.fetchval("SELECT count(*) FROM outbox WHERE kind = 'digest'")
        queued = await _outbox_sha256(db)
    finally:
        await db.close()
    return {
        **stats,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "outbox": outbox,
        "outbox_sha256": queued,
        "peak_rss_mb": peak_rss_mb,
        "loop_lag_max_ms": lag.worst * 1000,
        "loop_stall_cpu_max_ms": lag.worst_cpu * 1000,
        "full_collections": collections.count,
        "full_collection_cpu_max_ms": collections.worst * 1000,
    }


async def _outbox_sha256(db) -> str:
    """What was queued, to the byte (keys and payloads): two planners that agree queue the
    same rows.  Read a slice at a time, so the check adds nothing to the peak memory."""
    queued = hashlib.sha256()
    after = ""
    while rows := await db.fetchall(
        "SELECT dedup_key, payload FROM outbox WHERE kind = 'digest' AND dedup_key > ?"
        " ORDER BY dedup_key LIMIT 2000",
        (after,),
    ):
        for key, payload in rows:
            queued.update(f"{key}\n{payload}\n".encode())
        after = rows[-1][0]
    return queued.hexdigest()


class _LagTicker:
    """A task that asks to wake every ``TICK`` seconds and records how late it woke: how long
    anyone else waiting on the event loop (an update, a send) waited while digests planned."""

    TICK = 0.01

    def __init__(self) -> None:
        self.worst = 0.0
        # The part of a late wake-up the event loop's own thread spent computing (its CPU
        # time meanwhile, at most the lateness): what the planner holds others up by, apart
        # from the time the machine gave the process to others.
        self.worst_cpu = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            due = loop.time() + self.TICK
            cpu = time.thread_time()
            await asyncio.sleep(self.TICK)
            late = loop.time() - due
            self.worst = max(self.worst, late)
            self.worst_cpu = max(self.worst_cpu, min(late, time.thread_time() - cpu))


class _FullCollections:
    """``gc.callbacks`` entry: how many full (oldest generation) collections ran, and the
    longest in CPU seconds of the collecting thread (wall time on a busy machine counts the
    time others had the CPU) — a pause for everything on the event loop."""

    def __init__(self) -> None:
        self.count = 0
        self.worst = 0.0
        self._start = 0.0

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if info["generation"] != 2:
            return
        if phase == "start":
            self._start = time.thread_time()
        else:
            self.count += 1
            self.worst = max(self.worst, time.thread_time() - self._start)


def _child() -> None:
    """Entry point of the measuring process: plans each database given, prints JSON."""
    if hasattr(os, "sched_setaffinity"):
        # The aim is stated for one core; the aiosqlite thread shares it too.
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    import bot.digests  # noqa: F401  (imports are not part of the run)

    # As `python -m bot run` does once started (a revision older than that does not).
    if importlib.util.find_spec("bot.heap") is not None:
        importlib.import_module("bot.heap").freeze_start_up()
    baseline = _rss_mb()
    results = [asyncio.run(_plan(path)) for path in sys.argv[1:]]
    print(json.dumps({"baseline_rss_mb": baseline, "runs": results}))


_CHILD = (
    "import importlib.util, sys\n"
    "spec = importlib.util.spec_from_file_location('digest_bench_child', sys.argv.pop(1))\n"
    "module = importlib.util.module_from_spec(spec)\n"
    "spec.loader.exec_module(module)\n"
    "module._child()\n"
)


def _measure(paths: list[Path], root: Path = ROOT) -> dict:
    """Plan in a child process with the planner of the checkout at ``root``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")])),
    }
    done = subprocess.run(
        # The measuring code is this file's, the planner that of ``root``.
        [sys.executable, "-c", _CHILD, __file__, *map(str, paths)],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,  # "-c" puts the working directory first on the path: the planner's root
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the planning process failed:\n{done.stderr.strip()}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run(
    users: int = 100_000,
    recommendations: int = 200_000,
    seed: int = 42,
    compare: str = "",
    repeats: int = 1,
) -> dict:
    """``compare``: a git revision (``main``) whose planner is measured too, interleaved with
    this one over the same databases, ``repeats`` times each (``compare_*`` keys, ratios)."""
    small_users = max(1, users // 10)
    with tempfile.TemporaryDirectory(prefix="bench-digest-") as tmp:
        base, small, full = (Path(tmp) / f"{n}.sqlite3" for n in ("content", "small", "full"))
        start = time.perf_counter()
        content = asyncio.run(build_content(base, recommendations, seed))
        # Both databases share the same content, so only the number of users differs.
        shutil.copyfile(base, small)
        shutil.copyfile(base, full)
        asyncio.run(add_users(small, small_users, recommendations, seed))
        asyncio.run(add_users(full, users, recommendations, seed))
        build_seconds = time.perf_counter() - start
        other = _checkout(compare, Path(tmp) / "compare") if compare else None
        mine: list[dict] = []
        theirs: list[dict] = []
        for _ in range(max(1, repeats)):
            # Every planning run writes the outbox: each starts from fresh copies.
            mine.append(_measure(_fresh(Path(tmp), small, full)))
            if other is not None:
                theirs.append(_measure(_fresh(Path(tmp), small, full), other))
    result = _figures(mine, users, recommendations, small_users)
    if theirs:
        before = _figures(theirs, users, recommendations, small_users)
        for key in (
            "seconds",
            "cpu_seconds",
            "loop_lag_max_ms",
            "loop_stall_cpu_max_ms",
            "full_collection_cpu_max_ms",
            "peak_rss_mb",
            "queued",
        ):
            result[f"compare_{key}"] = before[key]
        result["compare"] = compare
        # Every run of both planners queued the very same digests, byte for byte.
        result["same_digests"] = all(
            len({m["runs"][i]["outbox_sha256"] for m in (*mine, *theirs)}) == 1 for i in (0, 1)
        )
        result["cpu_ratio"] = round(before["cpu_seconds"] / max(result["cpu_seconds"], 1e-9), 2)
    result.update(
        documents=content["documents"],
        history=content["history"],
        build_seconds=round(build_seconds, 1),
    )
    return result


def _fresh(tmp: Path, small: Path, full: Path) -> list[Path]:
    copies = []
    for path in (small, full):
        copy = tmp / f"run-{path.name}"
        shutil.copyfile(path, copy)
        copies.append(copy)
    return copies


def _checkout(revision: str, where: Path) -> Path:
    """The project's files at ``revision`` (``git archive``), to run its planner."""
    where.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision, "bot", "storage", "bench", "content"],
        capture_output=True,
        check=True,
    )
    subprocess.run(["tar", "-x", "-C", str(where)], input=archive.stdout, check=True)
    return where


def _figures(measured: list[dict], users: int, recommendations: int, small_users: int) -> dict:
    """The median run by CPU time (one run: that run)."""
    ordered = sorted(measured, key=lambda m: m["runs"][1]["cpu_seconds"])
    chosen = ordered[len(ordered) // 2]
    first, second = chosen["runs"]
    due = second["due"]
    return {
        "users": users,
        "recommendations": recommendations,
        "seconds": round(second["seconds"], 2),
        "peak_rss_mb": round(second["peak_rss_mb"], 1),
        "cpu_seconds": round(second["cpu_seconds"], 2),
        "due": due,
        "queued": second["queued"],
        "empty": second["empty"],
        "per_user_ms": round(second["seconds"] * 1000 / due, 3) if due else 0.0,
        "small_users": small_users,
        "small_seconds": round(first["seconds"], 2),
        "small_peak_rss_mb": round(first["peak_rss_mb"], 1),
        "rss_growth_mb": round(second["peak_rss_mb"] - first["peak_rss_mb"], 1),
        "baseline_rss_mb": round(chosen["baseline_rss_mb"], 1),
        # None: a planner older than the measurement (it has no ticker of its own).
        "loop_lag_max_ms": _ms(second.get("loop_lag_max_ms")),
        "loop_stall_cpu_max_ms": _ms(second.get("loop_stall_cpu_max_ms")),
        "full_collections": second.get("full_collections"),
        "full_collection_cpu_max_ms": _ms(second.get("full_collection_cpu_max_ms")),
    }


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)
