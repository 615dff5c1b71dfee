"""Start, stop and one instance: the real process against the fake Bot API server."""

from __future__ import annotations

import asyncio
import os
import socket
import sys
from pathlib import Path

import pytest

from bench.fakebotapi import FakeBotAPI
from bot.paths import PROJECT_DIR
from bot.privacy import current_policy
from storage import Database, apply_migrations
from tests.e2e.process import BotProcess
from tests.e2e.steps import expect
from tests.patience import patience

# Starts `python -m bot` as a separate process.
pytestmark = pytest.mark.slow

COORD = 8101
SLOWPARSE = Path(__file__).parent / "slowparse"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_second_instance_refuses_and_a_crash_is_taken_over(api, tmp_path):
    first = BotProcess(api, tmp_path, IMPORT_SEEDS_ON_EMPTY="false")
    await first.start()
    second = BotProcess(api, tmp_path / "second", IMPORT_SEEDS_ON_EMPTY="false")
    second.workdir.mkdir()
    second.env["DATABASE_PATH"] = str(first.database_path)
    await second._spawn()
    assert await asyncio.wait_for(second.proc.wait(), patience(60)) == 3
    second._log.close()
    log = second.log()
    assert "уже работает другой экземпляр бота" in log and "Traceback" not in log

    await first.kill()  # a crash: the kernel drops the lock with the process
    third = BotProcess(api, tmp_path, IMPORT_SEEDS_ON_EMPTY="false")
    await third.start()
    try:
        user = api.user(8102, "Анна")
        await user.send("/start")
        await expect(user, "Согласие на обработку")
    finally:
        assert await third.stop() == 0


async def test_unreachable_api_at_start_is_retried_until_it_answers(tmp_path):
    port = free_port()
    server = FakeBotAPI(token="123456:TEST-e2e", patience=patience(30))
    bot = BotProcess(server, tmp_path, IMPORT_SEEDS_ON_EMPTY="false", START_RETRY_MAX_SECONDS="2")
    bot.env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{port}"
    await bot._spawn()
    try:
        log = await bot.wait_log("Bot API server unreachable at start", count=3)
        assert "retrying in 1 s" in log and "retrying in 2 s" in log
        assert "Traceback" not in log
        await server.start(port=port)
        await server.wait_for_polling()
        assert bot.proc.returncode is None
        assert await bot.stop() == 0
    finally:
        if bot.proc.returncode is None:
            await bot.kill()
        await server.stop()


async def test_sigterm_during_unreachable_start_exits_cleanly(tmp_path):
    server = FakeBotAPI(token="123456:TEST-e2e", patience=patience(30))
    bot = BotProcess(server, tmp_path, IMPORT_SEEDS_ON_EMPTY="false")
    bot.env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{free_port()}"
    await bot._spawn()
    await bot.wait_log("Bot API server unreachable at start")
    assert await bot.stop(timeout=patience(10)) == 0
    assert "Traceback" not in bot.log()


async def seed_coordinator(path: Path) -> None:
    db = await Database.connect(path)
    try:
        await apply_migrations(db)
        now = "2026-03-01T00:00:00+00:00"
        await db.execute(
            "INSERT INTO users (id, first_name, region, org_kind, created_at, updated_at)"
            " VALUES (?, 'К', 'Амурская область', 'ngo', ?, ?)",
            (COORD, now, now),
        )
        await db.execute(
            "INSERT INTO coordinators (user_id, region, appointed_by, created_at)"
            " VALUES (?, 'Амурская область', 0, ?)",
            (COORD, now),
        )
        # Consented already, or the bot would ask that before taking the document.
        await db.execute(
            "INSERT INTO consents (user_id, decision, version, decided_at)"
            " VALUES (?, 'given', ?, ?)",
            (COORD, current_policy().version, now),
        )
    finally:
        await db.close()


async def test_sigterm_during_a_parse_stops_within_ten_seconds(api, tmp_path):
    mark = tmp_path / "parse.pid"
    await seed_coordinator(tmp_path / "bot.sqlite3")
    bot = BotProcess(
        api,
        tmp_path,
        IMPORT_SEEDS_ON_EMPTY="false",
        PYTHONPATH=os.pathsep.join([str(SLOWPARSE), str(PROJECT_DIR)]),
        SLOW_PARSE_MARK=str(mark),
    )
    await bot.start()
    coord = api.user(COORD, "Ольга")
    await coord.send_document("1. Рекомендовать.".encode(), "резолюция.txt", "text/plain")
    await _wait_for_file(mark)
    child = int(_read(mark))
    # The bot's own shutdown deadline is the 10 s; the wait allows for a busy machine.
    assert await bot.stop(timeout=patience(10)) == 0
    assert not _alive(child)  # the parsing child went with it
    assert "Traceback" not in bot.log()


async def _wait_for_file(path: Path, timeout: float = 60) -> None:
    # Another process writes it: no event to wait on, so look again until the safety net.
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience(timeout)
    while not _read(path):
        assert loop.time() < deadline, f"{path} never appeared"
        await asyncio.sleep(0.05)


def _read(path: Path) -> str:
    return path.read_text() if path.exists() else ""


def _alive(pid: int) -> bool:
    return Path(f"/proc/{pid}").exists()


def test_slowparse_double_leaves_other_processes_alone():
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(SLOWPARSE), "SLOW_PARSE_MARK": "/nonexistent/x"}
    out = subprocess.run(
        [sys.executable, "-c", "print('ok')"], env=env, capture_output=True, timeout=60
    )
    assert out.stdout.strip() == b"ok"


async def _get(url: str) -> tuple[int, str]:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return response.status, await response.text()


async def test_health_and_metrics_endpoint_of_the_real_process(tmp_path):
    api_port, metrics_port = free_port(), free_port()
    server = FakeBotAPI(token="123456:TEST-e2e", patience=patience(30))
    bot = BotProcess(
        server,
        tmp_path,
        IMPORT_SEEDS_ON_EMPTY="false",
        START_RETRY_MAX_SECONDS="1",
        METRICS_PORT=str(metrics_port),
    )
    bot.env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{api_port}"
    base = f"http://127.0.0.1:{metrics_port}"
    await bot._spawn()
    try:
        await bot.wait_log("health and metrics on")
        await bot.wait_log("Bot API server unreachable at start")
        status, body = await _get(base + "/healthz")
        assert status == 503 and '"seconds_since_contact": null' in body
        await server.start(port=api_port)
        await server.wait_for_polling()
        user = server.user(8103, "Анна")
        await user.send("/start")
        await expect(user, "Согласие на обработку")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + patience(30)
        while (await _get(base + "/healthz"))[0] != 200:
            assert loop.time() < deadline, "never healthy after polling started"
            await asyncio.sleep(0.1)
        status, text = await _get(base + "/metrics")
        assert status == 200
        assert 'bot_updates_total{type="message"} 1.0' in text
        assert 'bot_job_seconds_count{job="digests"}' in text
        assert 'bot_outbox_rows{status="pending"}' in text
        assert await bot.stop() == 0
    finally:
        if bot.proc.returncode is None:
            await bot.kill()
        await server.stop()


async def test_sigterm_mid_broadcast_stops_within_ten_seconds_and_keeps_the_rest(api, tmp_path):
    from tests.e2e.test_broadcast import COORD as BROADCASTER
    from tests.e2e.test_broadcast import (
        announce_to_everyone,
        deliveries,
        make_process,
        outbox_figures,
        seed,
        shutdown,
    )

    recipients = 200
    process = make_process(api, tmp_path, rate=20)
    ids = await seed(process.database_path, recipients)
    try:
        await process.start()
        await announce_to_everyone(api.user(BROADCASTER, "Ольга"), recipients)
        await api.wait_until(
            lambda: sum(deliveries(api, ids).values()) >= 20, what="the broadcast's start"
        )
        # The bot's own shutdown deadline is the 10 s; the wait allows for a busy machine.
        assert await process.stop(timeout=patience(10)) == 0
    finally:
        await shutdown(process)
    figures = await outbox_figures(process.database_path)
    assert "sending" not in figures  # nothing left in flight
    assert figures["sent"] == sum(deliveries(api, ids).values()) < recipients
    assert figures["sent"] + figures["pending"] == recipients  # the rest waits for the next start
