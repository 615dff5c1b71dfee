"""Soak benchmark: the real bot process under steady updates, with a broadcast and digests.

Three processes on 127.0.0.1: this one (the conductor), the fake Bot API with a load driver
(``bench/soak_server.py``) and ``python -m bot run``.  The database is prepared first (the
shipped resolutions; ``users`` people with a profile who send the updates; ``recipients``
subscribers who get a broadcast queued before the bot starts; ``digest_users`` subscribers
whose daily digests fall due one after another during the run, with the planner every 5 s).
Then ``updates`` messages (/help, /my, a question in words, /profile, a press of a card's
button) come at ``rate`` a second, each user's next one ``users / rate`` seconds after the
previous.

With ``recommendations`` the database starts from ``bench query``'s synthetic corpus of that
size (built at ``database`` when that file is missing, reused when it is there, and copied for
the run: never written to), so the bot runs with, say, a million recommendations.  ``web``
turns the public page on too and fetches its pages (index, a region, a resolution, a
recommendation, a region's calendar) once a second during the load.

* ``p50_ms`` … ``p99_ms``: from an update given to the bot to the bot's first message in that
  chat, as the fake server saw it.
* ``rss_start_mb`` / ``rss_end_mb``: the bot process's resident memory when the load starts
  (after start-up) and when it ends; ``rss_peak_mb``: its highest (``VmHWM``), start-up
  included.
* ``errors``: updates without a reply, Bot API calls the server refused, and ERROR lines or
  tracebacks in the bot's log.

Everything is bounded: the load ends after ``updates``, each wait has a deadline, the server
process exits by itself, and the bot gets SIGTERM at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import shutil
import signal
import socket
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

import aiohttp

import bench.query
from bench.broadcast import TEXT as ANNOUNCEMENT
from bench.soak_server import CARD
from bot.announcements import Content
from bot.container import open_services
from bot.paths import CONTENT_DIR, PROJECT_DIR
from bot.privacy import current_policy
from bot.settings import Settings

TOKEN = "123456:BENCH-soak"
ADMIN_ID = 1
REGION = "Амурская область"
FIRST_USER = 1_000_000
FIRST_RECIPIENT = 2_000_000
FIRST_DIGEST = 3_000_000
TEXTS = ["/help", "/my", "что рекомендовано ресурсным центрам?", "/profile", CARD]
CARD_SAMPLE = 200  # recommendations whose cards the load opens
WEB_PAGES = ("/", "/r/{region}", "/d/{document}", "/rec/{rec}", "/calendar/region/{region}.ics")


async def _prepare(
    database: Path, users: int, recipients: int, digest_users: int, span: float
) -> list[int]:
    """The database of the run; the recommendations whose cards the load opens."""
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_path=str(database),
        admin_ids=[ADMIN_ID],
        import_seeds_on_empty=False,
    )
    async with open_services(settings) as services:
        await services.importer.import_directory(CONTENT_DIR / "resolutions")
        now = dt.datetime.now(dt.UTC)
        iso = now.isoformat()
        # Digest readers joined yesterday: the resolutions imported just now are news to them.
        yesterday = (now - dt.timedelta(days=1)).isoformat()
        async with services.db.transaction():
            await services.db.executemany(
                "INSERT INTO users (id, first_name, region, org_kind, org_name, onboarded_at,"
                " created_at, updated_at) VALUES (?, ?, ?, 'ngo', 'НКО', ?, ?, ?)",
                [
                    (i, f"U{i}", REGION, iso, iso, iso)
                    for i in (
                        *range(FIRST_USER, FIRST_USER + users),
                        *range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients),
                    )
                ],
            )
            await services.db.executemany(
                "INSERT INTO users (id, first_name, region, org_kind, org_name, onboarded_at,"
                " created_at, updated_at, digest_frequency, next_digest_at, last_digest_at)"
                " VALUES (?, ?, ?, 'ngo', 'НКО', ?, ?, ?, 'daily', ?, ?)",
                [
                    (
                        i,
                        f"D{i}",
                        REGION,
                        yesterday,
                        yesterday,
                        yesterday,
                        (now + dt.timedelta(seconds=span * k / max(digest_users, 1))).isoformat(),
                        yesterday,
                    )
                    for k, i in enumerate(range(FIRST_DIGEST, FIRST_DIGEST + digest_users))
                ],
            )
            # Everyone here has consented already (as real users would have at sign-up).
            await services.db.executemany(
                "INSERT INTO consents (user_id, decision, version, decided_at)"
                " VALUES (?, 'given', ?, ?)",
                [
                    (i, current_policy().version, yesterday)
                    for i in (
                        *range(FIRST_USER, FIRST_USER + users),
                        *range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients),
                        *range(FIRST_DIGEST, FIRST_DIGEST + digest_users),
                    )
                ],
            )
            await services.db.executemany(
                "INSERT INTO subscriptions (user_id, region, created_at) VALUES (?, ?, ?)",
                [
                    (i, REGION, iso)
                    for i in (
                        *range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients),
                        *range(FIRST_DIGEST, FIRST_DIGEST + digest_users),
                    )
                ],
            )
        if recipients:
            draft = await services.announcements.create_draft(
                ADMIN_ID, REGION, Content(ANNOUNCEMENT)
            )
            await services.announcements.send(ADMIN_ID, draft.id)
        last = await services.db.fetchval("SELECT max(id) FROM recommendations")
    return sorted(random.Random(7).sample(range(1, last + 1), min(CARD_SAMPLE, last)))


def _rss_mb(pid: int, field: str = "VmRSS") -> float:
    """``VmRSS`` (resident now) or ``VmHWM`` (the highest so far) of a process, MB."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _browse(http: aiohttp.ClientSession, base: str, pages: list[str], stop: asyncio.Event):
    """The public page, a page a second in turn, until ``stop``: (requests, errors)."""
    requests = errors = 0
    while not stop.is_set():
        path = pages[requests % len(pages)]
        requests += 1
        try:
            async with http.get(base + path) as response:
                await response.read()
                errors += response.status != 200
        except aiohttp.ClientError:
            errors += 1
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1.0)
    return requests, errors


async def _wait(condition, deadline: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    while not await condition():
        if loop.time() > deadline:
            raise TimeoutError(f"soak: {what} did not happen in time")
        await asyncio.sleep(0.5)


async def _soak(
    workdir: Path,
    updates: int,
    users: int,
    rate: float,
    recipients: int,
    digest_users: int,
    corpus: Path | None,
    web: bool,
) -> dict:
    load_seconds = updates / rate
    database = workdir / "soak.sqlite3"
    if corpus is not None:
        shutil.copyfile(corpus, database)
    cards = await _prepare(database, users, recipients, digest_users, load_seconds)
    budget = load_seconds * 3 + 300  # the whole run, start-up and shutdown included
    loop = asyncio.get_running_loop()
    deadline = loop.time() + budget

    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.soak_server",
        "--token",
        TOKEN,
        "--lifetime",
        str(int(budget + 60)),
        cwd=str(PROJECT_DIR),
        stdout=asyncio.subprocess.PIPE,
    )
    bot = None
    log_path = workdir / "bot.log"
    try:
        assert server.stdout is not None  # stdout=PIPE
        line = (await asyncio.wait_for(server.stdout.readline(), 120)).decode()
        base = f"http://127.0.0.1:{line.split()[1]}"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
        env.update(
            BOT_TOKEN=TOKEN,
            TELEGRAM_API_URL=base,
            DATABASE_PATH=str(database),
            ADMIN_IDS=str(ADMIN_ID),
            IMPORT_SEEDS_ON_EMPTY="false",
            LOG_LEVEL="WARNING",
            BROADCAST_RATE="25",
            DIGEST_INTERVAL_SECONDS="5",
            BACKUP_ENABLED="false",
            METRICS_PORT="0",
            PYTHONUNBUFFERED="1",
            WEB_ENABLED=str(web).lower(),
        )
        web_base = ""
        if web:
            port = _free_port()
            web_base = f"http://127.0.0.1:{port}"
            env.update(WEB_HOST="127.0.0.1", WEB_PORT=str(port), PUBLIC_URL=web_base)
        with log_path.open("wb") as log:
            bot = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "bot", "run", cwd=str(PROJECT_DIR), env=env,
                stdin=asyncio.subprocess.DEVNULL, stdout=log, stderr=log,
            )  # fmt: skip
        async with aiohttp.ClientSession() as http:

            async def status() -> dict:
                async with http.get(base + "/_soak/status") as response:
                    return await response.json()

            async def polling() -> bool:
                if bot.returncode is not None:
                    raise RuntimeError(f"soak: the bot exited:\n{log_path.read_text()[-2000:]}")
                return (await status())["polls"] > 0

            await _wait(polling, deadline, "the bot's first poll")
            rss_start = _rss_mb(bot.pid)
            spec = {
                "first_user": FIRST_USER,
                "users": users,
                "updates": updates,
                "rate": rate,
                "texts": TEXTS,
                "cards": cards,
            }
            started = time.perf_counter()
            async with http.post(base + "/_soak/load", json=spec) as response:
                response.raise_for_status()
            stop_browsing = asyncio.Event()
            browsing = None
            if web_base:
                pages = [
                    page.format(region=quote(REGION), document=1, rec=cards[0])
                    for page in WEB_PAGES
                ]
                browsing = asyncio.create_task(_browse(http, web_base, pages, stop_browsing))

            async def load_done() -> bool:
                return (await status())["done"]

            await _wait(load_done, deadline, "the load")
            stop_browsing.set()
            web_requests, web_errors = await browsing if browsing is not None else (0, 0)
            # The last updates' replies: wait until the bot has answered or the budget is out.
            answered_at_end = 0

            async def replies_settled() -> bool:
                nonlocal answered_at_end
                async with http.get(base + "/_soak/result") as response:
                    result = await response.json()
                settled = (
                    result["unanswered"] == 0 or len(result["latencies_ms"]) == answered_at_end
                )
                answered_at_end = len(result["latencies_ms"])
                return settled

            await _wait(replies_settled, deadline, "the last replies")
            seconds = time.perf_counter() - started
            rss_end = _rss_mb(bot.pid)
            rss_peak = _rss_mb(bot.pid, "VmHWM")
            async with http.get(base + "/_soak/result") as response:
                result = await response.json()
        bot.send_signal(signal.SIGTERM)
        stop_code = await asyncio.wait_for(bot.wait(), 30)
    finally:
        for proc in (bot, server):
            if proc is not None and proc.returncode is None:
                proc.kill()
                await proc.wait()
    log_text = log_path.read_text(encoding="utf-8", errors="replace")
    error_lines = [line for line in log_text.splitlines() if " ERROR " in line]
    log_errors = len(error_lines) + log_text.count("Traceback")
    latencies = result["latencies_ms"]

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(len(latencies) * p))], 1)

    figures = await _outbox(database)
    return {
        "updates": updates,
        "users": users,
        "rate": rate,
        "seconds": round(seconds, 1),
        "p50_ms": pct(0.50) if latencies else None,
        "p95_ms": pct(0.95) if latencies else None,
        "p99_ms": pct(0.99) if latencies else None,
        "max_ms": round(latencies[-1], 1) if latencies else None,
        "rss_start_mb": round(rss_start, 1),
        "rss_end_mb": round(rss_end, 1),
        "rss_peak_mb": round(rss_peak, 1),
        "recommendations": figures.pop("recommendations"),
        "web": int(web),
        "card_views": result["card_presses"],
        "web_requests": web_requests,
        "errors": result["unanswered"] + result["api_errors"] + log_errors + web_errors,
        "unanswered": result["unanswered"],
        "api_errors": result["api_errors"],
        "log_errors": log_errors,
        "web_errors": web_errors,
        "log_error_lines": error_lines[:5],  # the log goes with the run's directory
        "stop_exit_code": stop_code,
        **figures,
    }


async def _outbox(database: Path) -> dict:
    import sqlite3

    conn = sqlite3.connect(database)
    try:
        rows = conn.execute("SELECT kind, status, count(*) FROM outbox GROUP BY kind, status")
        by = {f"{kind}_{status}": n for kind, status, n in rows}
        (recommendations,) = conn.execute("SELECT count(*) FROM recommendations").fetchone()
    finally:
        conn.close()
    return {
        "recommendations": recommendations,
        "broadcast_sent": by.get("announce_sent", 0),  # to recipients and digest readers
        "broadcast_left": by.get("announce_pending", 0) + by.get("announce_sending", 0),
        "digests_sent": by.get("digest_sent", 0),
    }


async def _run(recommendations: int, database: str, **kwargs) -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-soak-") as tmp:
        corpus = None
        build_seconds = 0.0
        if recommendations or database:
            corpus = Path(database) if database else Path(tmp) / "corpus.sqlite3"
            if not corpus.exists():
                started = time.perf_counter()
                await bench.query._prepare(
                    corpus, recommendations, max(1, recommendations // 20), seed=42
                )
                build_seconds = time.perf_counter() - started
        figures = await _soak(Path(tmp), corpus=corpus, **kwargs)
        return {**figures, "build_seconds": round(build_seconds, 1)}


def run(
    updates: int = 20_000,
    users: int = 5_000,
    rate: float = 80.0,
    recipients: int = 2_000,
    digest_users: int = 1_000,
    recommendations: int = 0,
    database: str = "",
    web: int = 0,
) -> dict:
    """``recommendations``: start from ``bench query``'s corpus of that size (``database``:
    keep it there and reuse it; the run works on a copy); ``web``: the public page on too."""
    return asyncio.run(
        _run(
            recommendations=recommendations,
            database=database,
            updates=updates,
            users=users,
            rate=rate,
            recipients=recipients,
            digest_users=digest_users,
            web=bool(web),
        )
    )


if __name__ == "__main__":
    print(json.dumps(run(updates=200, users=50, rate=20, recipients=50, digest_users=20)))
