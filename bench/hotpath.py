"""Benchmark ``hotpath``: updates per second through the real Dispatcher, as ratios to bare aiogram.

One process, one event loop: a bare ``Dispatcher`` with a trivial handler (it answers «ok»)
and the bot's own Dispatcher (``bot.telegram.app.create_dispatcher``: middlewares, routers,
handlers, services, SQLite) are fed the same kind of updates through a session that answers
every Bot API call itself (no network; the answer is parsed by aiogram as a real one would be).
Four paths (bare, a card view, /my page 1, a free question) run in rounds, interleaved, so a
machine shared with other work slows them alike; the figure that holds is each path's rate as a
share of bare in the same round (median over rounds); ``<path>_cpu_ms`` is the process's CPU
time per update (database threads included) and ``<path>_cpu_ratio`` bare's over the path's,
steadier than the rates when other work shares the machine.  Measured at the shipped resolutions
alone, then again after ``--recommendations`` synthetic ones are added (as ``bench.query``
builds them).  ``<path>_trips`` counts the jobs handed to the database thread per update,
``<path>_loop_reads`` the short reads run in the event loop instead (``Database.read_short``).

The session here is a minimal local one: the fake Bot API of the tests is not imported.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.query import _build_corpus, _questions, _rss_mb

PATHS = ("bare", "card", "my", "ask")
BOT_ID = 42
MIN_SECONDS = 1.0  # per path and round


def _session_class() -> Any:
    from aiogram import Bot
    from aiogram.client.session.base import BaseSession
    from aiogram.methods import TelegramMethod

    class AnsweringSession(BaseSession):
        """Answers every call with a plausible result, parsed by aiogram like a real answer."""

        def __init__(self) -> None:
            super().__init__()
            self.ids = itertools.count(10_000)
            self.calls = 0

        async def close(self) -> None:
            return None

        async def stream_content(self, *args: Any, **kwargs: Any) -> Any:  # pragma: no cover
            raise NotImplementedError

        async def make_request(
            self,
            bot: Bot,
            method: TelegramMethod[Any],
            timeout: int | None = None,  # noqa: ASYNC109
        ) -> Any:
            self.calls += 1
            name = type(method).__name__
            result: Any = True
            if name in {"SendMessage", "EditMessageText"}:
                result = {
                    "message_id": getattr(method, "message_id", None) or next(self.ids),
                    "date": int(time.time()),
                    "chat": {"id": method.chat_id, "type": "private"},  # type: ignore[attr-defined]
                    "from": {"id": BOT_ID, "is_bot": True, "first_name": "Bot"},
                    "text": method.text,  # type: ignore[attr-defined]
                }
            body = json.dumps({"ok": True, "result": result})
            return self.check_response(bot, method, 200, body).result

    return AnsweringSession


def count_loop_reads(db: Any) -> list[int]:
    """Count the short reads run in the event loop itself (``Database.read_short``), which
    are no trip to a thread; zero for code that has none."""
    counter = [0]
    original = getattr(db, "read_short", None)
    if original is None:
        return counter

    async def counted(job: Any) -> Any:
        counter[0] += 1
        return await original(job)

    db.read_short = counted
    return counter


def count_trips(db: Any) -> list[int]:
    """Count every job handed to a connection's thread (aiosqlite's ``_execute``): the
    writing connection's and the snapshot reader's (``storage/db.py``)."""
    counter = [0]
    for conn in (db._conn, db._reader):
        if conn is not None:
            _count_on(conn, counter)
    return counter


def _count_on(conn: Any, counter: list[int]) -> None:
    original = conn._execute

    async def counted(fn: Any, *args: Any, **kwargs: Any) -> Any:
        counter[0] += 1
        return await original(fn, *args, **kwargs)

    conn._execute = counted


def _bare_dispatcher() -> Any:
    from aiogram import Dispatcher, Router
    from aiogram.types import Message

    router = Router()

    @router.message()
    async def trivial(message: Message) -> None:
        await message.answer("ok")

    dp = Dispatcher()
    dp.include_router(router)
    return dp


class _Updates:
    def __init__(self, users: list[int], rec_ids: list[int], questions: list[str]) -> None:
        self.users = itertools.cycle(users)
        self.rec_ids = rec_ids
        self.questions = itertools.cycle(questions)
        self.ids = itertools.count(1)
        self.rnd = random.Random(7)

    def _message(self, user_id: int, text: str) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self.ids),
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private", "first_name": "Анна"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Анна", "language_code": "ru"},
            "text": text,
        }
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return message

    def make(self, path: str) -> dict[str, Any]:
        from handlers.callbacks import CardCallback

        user_id = next(self.users)
        update: dict[str, Any] = {"update_id": next(self.ids)}
        if path == "bare":
            update["message"] = self._message(user_id, "привет")
        elif path == "my":
            update["message"] = self._message(user_id, "/my")
        elif path == "ask":
            update["message"] = self._message(user_id, next(self.questions))
        else:
            shown = self._message(BOT_ID, "…")
            shown["chat"] = {"id": user_id, "type": "private"}
            shown["from"] = {"id": BOT_ID, "is_bot": True, "first_name": "Bot"}
            update["callback_query"] = {
                "id": str(next(self.ids)),
                # As Telegram sends it: the same person as in their messages, language too.
                "from": {
                    "id": user_id,
                    "is_bot": False,
                    "first_name": "Анна",
                    "language_code": "ru",
                },
                "chat_instance": "ci",
                "message": shown,
                "data": CardCallback(rec_id=self.rnd.choice(self.rec_ids)).pack(),
            }
        return update


async def _rounds(
    bot: Any,
    dispatchers: dict[str, Any],
    updates: _Updates,
    trips: list[int],
    per_path: int,
    rounds: int,
    loop_reads: list[int] | None = None,
) -> dict[str, Any]:
    from aiogram.types import Update

    rates: dict[str, list[float]] = {p: [] for p in PATHS}
    cpu: dict[str, float] = dict.fromkeys(PATHS, 0.0)
    ratios: dict[str, list[float]] = {p: [] for p in PATHS}
    counted: dict[str, int] = dict.fromkeys(PATHS, 0)
    in_loop: dict[str, int] = dict.fromkeys(PATHS, 0)
    loop_reads = loop_reads if loop_reads is not None else [0]
    handled: dict[str, int] = dict.fromkeys(PATHS, 0)
    for path in PATHS:  # warm-up: imports, compiled filters, first reads
        for _ in range(3):
            raw = updates.make(path)
            await dispatchers[path].feed_update(bot, Update.model_validate(raw))
    for _ in range(rounds):
        for path in PATHS:
            # At least per_path updates and MIN_SECONDS: a fast path's batch is not over
            # before the machine's other work has had a say.
            before, reads_before, done, elapsed = trips[0], loop_reads[0], 0, 0.0
            while done < per_path or elapsed < MIN_SECONDS:
                batch = [updates.make(path) for _ in range(per_path)]
                started, cpu_started = time.perf_counter(), time.process_time()
                for raw in batch:
                    update = Update.model_validate(raw, context={"bot": bot})
                    await dispatchers[path].feed_update(bot, update)
                elapsed += time.perf_counter() - started
                cpu[path] += time.process_time() - cpu_started
                done += per_path
            rates[path].append(done / elapsed)
            await asyncio.sleep(0)  # let a reply's follow-up write (if any) be counted here
            counted[path] += trips[0] - before
            in_loop[path] += loop_reads[0] - reads_before
            handled[path] += done
        for path in PATHS:
            ratios[path].append(rates[path][-1] / rates["bare"][-1])
    out: dict[str, Any] = {}
    for path in PATHS:
        out[f"{path}_per_s"] = round(statistics.median(rates[path]), 1)
        if path != "bare":
            out[f"{path}_ratio"] = round(statistics.median(ratios[path]), 3)
        # CPU of the whole process (the database threads too) per update: steadier than the
        # rates on a loaded machine, and its share of bare's says the same thing.
        out[f"{path}_cpu_ms"] = round(cpu[path] / handled[path] * 1000, 3)
        if path != "bare":
            out[f"{path}_cpu_ratio"] = round(
                cpu["bare"] / handled["bare"] / (cpu[path] / handled[path]), 3
            )
        out[f"{path}_trips"] = round(counted[path] / handled[path], 2)
        out[f"{path}_loop_reads"] = round(in_loop[path] / handled[path], 2)
    return out


async def _users(services: Any, rnd: random.Random, count: int) -> list[int]:
    from bot.regions import all_regions
    from bot.vocabulary import KINDS

    regions = [r.name for r in all_regions()]
    kinds = [k for k in KINDS if k != "other"]
    privacy = services.privacy
    ids = list(range(5_000_001, 5_000_001 + count))
    for user_id in ids:
        await privacy.repo.record_consent(
            user_id, "given", privacy.policy.version, services.clock.iso()
        )
        await services.db.execute(
            "INSERT INTO users (id, first_name, language_code, created_at, updated_at)"
            " VALUES (?, 'Анна', 'ru', ?, ?)",
            (user_id, services.clock.iso(), services.clock.iso()),
        )
        await services.profiles.set_region(user_id, rnd.choice(regions))
        await services.profiles.set_kind(user_id, rnd.choice(kinds))
        await services.profiles.finish_onboarding(user_id)
    return ids


async def _run(
    recommendations: int, documents: int, seed: int, updates: int, rounds: int, users: int
) -> dict[str, Any]:
    from aiogram import Bot
    from aiogram.client.default import DefaultBotProperties
    from aiogram.enums import ParseMode

    from bot.clock import Clock
    from bot.container import build_services
    from bot.paths import CONTENT_DIR
    from bot.regions import all_regions
    from bot.settings import Settings
    from bot.telegram.app import create_dispatcher
    from storage import Database, apply_migrations

    rnd = random.Random(seed)
    figures: dict[str, Any] = {"updates_per_path": updates, "rounds": rounds, "users": users}
    with tempfile.TemporaryDirectory(prefix="bench-hotpath-") as tmp:
        settings = Settings(
            _env_file=None,
            bot_token=f"{BOT_ID}:BENCH",
            database_path=str(Path(tmp) / "bench.sqlite3"),
            import_seeds_on_empty=False,
            scheduler_enabled=False,
        )
        db = await Database.connect(settings.database_path)
        session = _session_class()()
        bot = Bot(
            settings.token(),
            session=session,
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        try:
            await apply_migrations(db)
            services = build_services(settings, db, Clock())
            await services.importer.import_directory(CONTENT_DIR / "resolutions")
            user_ids = await _users(services, rnd, users)
            regions = [r.name for r in all_regions()]
            dispatchers = {"bare": _bare_dispatcher()}
            app = create_dispatcher(services)
            dispatchers.update(card=app, my=app, ask=app)
            trips = count_trips(db)
            loop_reads = count_loop_reads(db)
            stages = [("seeds", 0)] + ([("large", recommendations)] if recommendations else [])
            for stage, size in stages:
                if size:
                    started = time.perf_counter()
                    offset = await db.fetchint("SELECT coalesce(max(id), 0) FROM documents")
                    await _shifted_corpus(db, rnd, size, documents, offset)
                    await services.search.rebuild()
                    await db.execute("ANALYZE")
                    figures["build_seconds"] = round(time.perf_counter() - started, 1)
                rec_ids = [r[0] for r in await db.fetchall("SELECT id FROM recommendations")]
                total = len(rec_ids)
                feed = _Updates(user_ids, rec_ids, _questions(rnd, regions, 200))
                result = await _rounds(bot, dispatchers, feed, trips, updates, rounds, loop_reads)
                figures[f"{stage}_recommendations"] = total
                figures.update({f"{stage}_{k}": v for k, v in result.items()})
        finally:
            await bot.session.close()
            await db.close()
    figures["peak_rss_mb"] = _rss_mb()
    return figures


async def _shifted_corpus(
    db: Any, rnd: random.Random, recommendations: int, documents: int, offset: int
) -> None:
    """``bench.query``'s corpus, in ids after the shipped resolutions'."""
    from storage import Database

    scratch = await Database.connect(":memory:")
    try:
        from storage import apply_migrations

        await apply_migrations(scratch)
        await _build_corpus(scratch, rnd, recommendations, max(1, min(documents, recommendations)))
        shift = {"documents": offset}
        shift["addressees"] = await db.fetchint("SELECT coalesce(max(id), 0) FROM addressees")
        shift["recommendations"] = await db.fetchint(
            "SELECT coalesce(max(id), 0) FROM recommendations"
        )
        tables = {
            "documents": "id, doc_key, source, content_hash, title, adopted_on, region,"
            " created_at, updated_at",
            "addressees": "id, document_id, position, name, canonical, kind, region",
            "recommendations": "id, document_id, position, number, text, deadline,"
            " deadline_precision, created_at, updated_at",
        }
        for table, columns in tables.items():
            rows = await scratch.fetchall(f"SELECT {columns} FROM {table}")
            shifted = []
            for row in rows:
                values = list(row)
                values[0] += shift[table]
                if table == "documents":
                    values[1] = f"bench-{values[1]}"
                    values[3] = f"bench-{values[3]}"
                else:
                    values[1] += shift["documents"]
                shifted.append(values)
            marks = ", ".join("?" * len(shifted[0]))
            await db.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", shifted)
        links = await scratch.fetchall(
            "SELECT recommendation_id, addressee_id FROM recommendation_addressees"
        )
        await db.executemany(
            "INSERT OR IGNORE INTO recommendation_addressees (recommendation_id, addressee_id)"
            " VALUES (?, ?)",
            [(r + shift["recommendations"], a + shift["addressees"]) for r, a in links],
        )
    finally:
        await scratch.close()


def run(
    recommendations: int = 200_000,
    documents: int = 10_000,
    seed: int = 42,
    updates: int = 150,
    rounds: int = 3,
    users: int = 40,
) -> dict[str, Any]:
    """Updates per second through the real Dispatcher vs bare aiogram (ratios), and DB trips."""
    return asyncio.run(_run(recommendations, documents, seed, updates, rounds, users))
