"""Broadcast benchmark: an announcement to N subscribers through the real delivery worker.

Everything is real except Telegram: the migrations, the AnnouncementService queueing one
outbox row per recipient, the DeliveryWorker with its rate limiter, aiogram over HTTP, and
the fake Bot API server (``bench/fakebotapi``) on 127.0.0.1 in a process of its own
(``python -m`` the package :func:`fake_server_package` names, configured through its /_test/
control API), so the server's work does not slow the worker down.  1% of the recipients have
blocked the bot (403) and 1% of them answer 429 with retry_after=1 to their first send, seeded.

* ``achieved_rate``: deliveries a second as the server saw them (first to last delivery);
  ``achieved_share`` = achieved / configured.
* ``duplicates``: deliveries of the same message to the same chat beyond the first.
* ``lost``: recipients who did not block the bot and got nothing.
* ``ceiling_rate``: the same broadcast with the rate limit off and no faults;
  ``ceiling_rate_inline``: with the server in this process instead (``--inline-ceiling 1``),
  measured in the same run for comparison.
* ``enqueue_ms``: queueing the announcement for every recipient (one transaction).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import random
import socket
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.announcements import Content
from bot.container import open_services
from bot.settings import Settings
from bot.telegram.delivery import DeliveryWorker

TOKEN = "123456:BENCH-broadcast"
ADMIN_ID = 1
REGION = "Амурская область"
FIRST_RECIPIENT = 100_000
TEXT = (
    "Форум некоммерческих организаций Приамурья — 14 марта, 10:00, Благовещенск."
    " Регистрация открыта."
)


def fake_server_package() -> str:
    """The fake Bot API's package, started as ``python -m`` in a process of its own."""
    return "bench.fakebotapi"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _ServerProcess:
    """The fake server as a child process, driven over HTTP like a person with curl."""

    def __init__(self, base_url: str, http: aiohttp.ClientSession) -> None:
        self.base_url = base_url
        self.http = http

    async def control(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(method, f"{self.base_url}/_test/{path}", json=body) as r:
            r.raise_for_status()
            return await r.json()


@contextlib.asynccontextmanager
async def _server_process() -> AsyncIterator[_ServerProcess]:
    port = _free_port()
    child = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", fake_server_package(), "--port", str(port), "--token", TOKEN),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.DEVNULL,
    )
    try:
        assert child.stdout is not None
        # Its first line says it is listening.
        line = (await child.stdout.readline()).decode()
        if "fake Bot API on" not in line:
            raise RuntimeError(f"the fake Bot API did not start: {line!r}")
        async with aiohttp.ClientSession() as http:
            yield _ServerProcess(f"http://127.0.0.1:{port}", http)
    finally:
        if child.returncode is None:
            child.terminate()
        await child.wait()


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


async def _broadcast(
    workdir: Path, recipients: int, rate: float, seed: int, faults: bool, inline: bool = False
) -> dict[str, Any]:
    settings = Settings(
        _env_file=None,
        bot_token=TOKEN,
        database_path=str(workdir / f"broadcast-{rate:g}-{inline}.sqlite3"),
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
        return {"enqueue_ms": enqueue_ms} | await _measured(
            services, ids, recipients, rate, seed, faults, inline
        )


async def _measured(
    services, ids: list[int], recipients: int, rate: float, seed: int, faults: bool, inline: bool
) -> dict[str, Any]:
    if inline:
        # The way it was measured before: the server shares this process and its loop.
        from bench.fakebotapi import FakeBotAPI

        async with FakeBotAPI(token=TOKEN, record_requests=False) as server:
            assert server.base_url is not None
            figures = await _deliver(services, server.base_url, recipients, rate)
            stats = server.stats
            figures["achieved_rate"] = stats.achieved_rate() or 0.0
            figures["duplicates"] = stats.duplicates()
            figures["lost"] = recipients - (stats.sent - stats.duplicates())
            return figures
    async with _server_process() as process:
        blocked: set[int] = set()
        if faults:
            rng = random.Random(seed)
            share = max(1, recipients // 100)
            blocked = set(rng.sample(ids, share))
            for chat_id in blocked:
                await process.control("POST", "block", {"chat_id": chat_id})
            # A 429 (retry after a second) for 1% of the others' first send.
            throttled = rng.sample(sorted(set(ids) - blocked), share)
            for chat_id in throttled:
                await process.control(
                    "POST",
                    "fail",
                    {"chat_id": chat_id, "status": 429, "retry_after": 1, "times": 1},
                )
        figures = await _deliver(services, process.base_url, recipients, rate)
        stats = await process.control("GET", "stats")
        delivered = stats["sent"] - stats["duplicates"]
        figures.update(
            achieved_rate=stats["achieved_rate"] or 0.0,
            duplicates=stats["duplicates"],
            lost=recipients - len(blocked) - delivered,
            injected=stats["injected"],
            min_chat_interval=stats["min_chat_interval"],
        )
        return figures


async def _deliver(services, base_url: str, recipients: int, rate: float) -> dict[str, Any]:
    bot = Bot(TOKEN, session=AiohttpSession(api=TelegramAPIServer.from_base(base_url)))
    worker = DeliveryWorker(services, bot)
    # What was built so far lives on: keep it out of the collector's full passes, as a
    # long-running bot would.
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
    rows = await services.db.fetchall(
        "SELECT status, count(*) FROM outbox WHERE kind = 'announce' GROUP BY status"
    )
    return {"seconds": seconds, "statuses": {status: n for status, n in rows}}


async def _run(recipients: int, rate: float, seed: int, inline_ceiling: int) -> dict:
    # The worker logs each injected 429; the figures are what matters here.
    logging.getLogger("bot.telegram.delivery").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-broadcast-") as tmp:
        limited = await _broadcast(Path(tmp), recipients, rate, seed, faults=True)
        ceiling = await _broadcast(Path(tmp), recipients, 0, seed, faults=False)
        inline = None
        if inline_ceiling:
            inline = await _broadcast(Path(tmp), recipients, 0, seed, faults=False, inline=True)
    achieved = limited["achieved_rate"]
    figures = {
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
        "min_chat_interval": limited["min_chat_interval"],
    }
    if inline is not None:
        figures["ceiling_rate_inline"] = round(inline["achieved_rate"], 1)
    return figures


def run(recipients: int = 3000, rate: float = 30, seed: int = 42, inline_ceiling: int = 0) -> dict:
    return asyncio.run(_run(recipients, rate, seed, inline_ceiling))
