"""Broadcast benchmark: an announcement to N subscribers through the real delivery worker.

Everything is real except Telegram: the migrations, the AnnouncementService queueing one
outbox row per recipient, the DeliveryWorker with its rate limiter, aiogram over HTTP, and
the fake Bot API server from ``tests/fakebotapi`` on 127.0.0.1 (in this process, requests
not recorded).  1% of the recipients have blocked the bot (403) and 1% of sends answer 429
with retry_after=1, seeded.

* ``achieved_rate``: deliveries a second as the server saw them (first to last delivery);
  ``achieved_share`` = achieved / configured.
* ``duplicates``: deliveries of the same message to the same chat beyond the first.
* ``lost``: recipients who did not block the bot and got nothing.
* ``ceiling_rate``: the same broadcast with the rate limit off and no faults.
* ``enqueue_ms``: queueing the announcement for every recipient (one transaction).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import random
import tempfile
import time
from pathlib import Path

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.announcements import Content
from bot.container import open_services
from bot.settings import Settings
from bot.telegram.delivery import DeliveryWorker
from tests.fakebotapi import FakeBotAPI

TOKEN = "123456:BENCH-broadcast"
ADMIN_ID = 1
REGION = "Амурская область"
FIRST_RECIPIENT = 100_000
TEXT = (
    "Форум некоммерческих организаций Приамурья — 14 марта, 10:00, Благовещенск."
    " Регистрация открыта."
)


async def _seed(services, recipients: int) -> list[int]:
    now = services.clock.iso()
    ids = list(range(FIRST_RECIPIENT, FIRST_RECIPIENT + recipients))
    async with services.db.transaction():
        await services.db.executemany(
            "INSERT INTO users (id, first_name, region, org_kind, created_at, updated_at)"
            " VALUES (?, ?, ?, 'ngo', ?, ?)",
            [(i, f"User{i}", REGION, now, now) for i in ids],
        )
        await services.db.executemany(
            "INSERT INTO subscriptions (user_id, region, created_at) VALUES (?, ?, ?)",
            [(i, REGION, now) for i in ids],
        )
    return ids


async def _broadcast(workdir: Path, recipients: int, rate: float, seed: int, faults: bool):
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_path=str(workdir / f"broadcast-{rate:g}.sqlite3"),
        admin_ids=[ADMIN_ID],
        import_seeds_on_empty=False,
        broadcast_rate=rate,
    )
    async with open_services(settings) as services:
        ids = await _seed(services, recipients)
        bold = [{"type": "bold", "offset": 0, "length": 5}]
        draft = await services.announcements.create_draft(
            ADMIN_ID, REGION, Content(TEXT, entities=bold)
        )
        started = time.perf_counter()
        await services.announcements.send(ADMIN_ID, draft.id)
        enqueue_ms = (time.perf_counter() - started) * 1000

        async with FakeBotAPI(token=TOKEN, record_requests=False) as server:
            blocked: set[int] = set()
            if faults:
                rng = random.Random(seed)
                blocked = set(rng.sample(ids, max(1, recipients // 100)))
                for chat_id in blocked:
                    server.block(chat_id)
                server.fail_randomly(0.01, 429, retry_after=1, seed=seed)
            bot = Bot(
                TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
            )
            worker = DeliveryWorker(services, bot)
            # What was built so far lives on: keep it out of the collector's full passes, as
            # a long-running bot would (the fake server's stored messages are the bulk).
            gc.collect()
            gc.freeze()
            started = time.perf_counter()
            try:
                await worker.start()
                budget = recipients / rate * 2 + 60 if rate else 120
                await worker.drain(within=budget)
            finally:
                await worker.stop()
                await bot.session.close()
                gc.unfreeze()
            seconds = time.perf_counter() - started
            stats = server.stats
            delivered = {chat for chat, times in stats.send_times.items() if times}
            rows = await services.db.fetchall(
                "SELECT status, count(*) FROM outbox WHERE kind = 'announce' GROUP BY status"
            )
            return {
                "achieved_rate": stats.achieved_rate() or 0.0,
                "duplicates": stats.duplicates(),
                "lost": len(set(ids) - blocked - delivered),
                "seconds": seconds,
                "enqueue_ms": enqueue_ms,
                "statuses": {status: n for status, n in rows},
                "injected": dict(stats.injected),
                "chat_rate_violations": stats.chat_rate_violations(),
            }


async def _run(recipients: int, rate: float, seed: int) -> dict:
    # The worker logs each injected 429; the figures are what matters here.
    logging.getLogger("bot.telegram.delivery").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        limited = await _broadcast(Path(tmp), recipients, rate, seed, faults=True)
        ceiling = await _broadcast(Path(tmp), recipients, 0, seed, faults=False)
    achieved = limited["achieved_rate"]
    return {
        "recipients": recipients,
        "configured_rate": rate,
        "achieved_rate": round(achieved, 2),
        "achieved_share": round(achieved / rate, 3) if rate else None,
        "duplicates": limited["duplicates"],
        "lost": limited["lost"],
        "ceiling_rate": round(ceiling["achieved_rate"], 1),
        "ceiling_duplicates": ceiling["duplicates"],
        "ceiling_lost": ceiling["lost"],
        "seconds": round(limited["seconds"], 2),
        "enqueue_ms": round(limited["enqueue_ms"], 1),
        "statuses": limited["statuses"],
        "injected": limited["injected"],
        "chat_rate_violations": limited["chat_rate_violations"],
    }


def run(recipients: int = 3000, rate: float = 30, seed: int = 42) -> dict:
    return asyncio.run(_run(recipients, rate, seed))
