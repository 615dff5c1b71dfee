"""Broadcasts end to end: the real bot process, the fake Bot API with injected faults.

Subscribers are written straight into the SQLite file before the process starts; the
coordinator composes and sends through the chat.  Then: the counts add up, nobody got a
message twice, nobody was lost — also when the process is SIGKILLed in the middle.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bench.fakebotapi import FakeBotAPI, FakeUser
from bot.privacy import current_policy
from storage import Database, apply_migrations
from tests.e2e.process import BotProcess
from tests.patience import patience

# Starts `python -m bot` as a separate process.
pytestmark = pytest.mark.slow

AMUR = "Амурская область"
COORD = 5500
FIRST = 70_001


async def seed(path: Path, recipients: int) -> list[int]:
    db = await Database.connect(path)
    try:
        await apply_migrations(db)
        now = "2026-03-01T00:00:00+00:00"
        ids = list(range(FIRST, FIRST + recipients))
        await db.executemany(
            "INSERT INTO users (id, first_name, region, org_kind, created_at, updated_at)"
            " VALUES (?, ?, ?, 'ngo', ?, ?)",
            [(i, f"U{i}", AMUR, now, now) for i in [COORD, *ids]],
        )
        await db.executemany(
            "INSERT INTO subscriptions (user_id, region, created_at) VALUES (?, ?, ?)",
            [(i, AMUR, now) for i in ids],
        )
        await db.execute(
            "INSERT INTO coordinators (user_id, region, appointed_by, created_at)"
            " VALUES (?, ?, 0, ?)",
            (COORD, AMUR, now),
        )
        # The coordinator consented to the processing of personal data, or the bot would
        # ask that first.
        await db.execute(
            "INSERT INTO consents (user_id, decision, version, decided_at)"
            " VALUES (?, 'given', ?, ?)",
            (COORD, current_policy().version, now),
        )
        return ids
    finally:
        await db.close()


async def wait_message(
    user: FakeUser, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20
) -> dict[str, Any]:
    """The next bot message (or edit) in the user's chat that matches."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + patience(timeout)
    while True:
        message = await user.next_message(timeout=max(deadline - loop.time(), 0.01))
        if predicate(message):
            return message


def text_of(message: dict[str, Any]) -> str:
    return message.get("text") or message.get("caption") or ""


async def announce_to_everyone(coordinator: FakeUser, recipients: int) -> None:
    await coordinator.send("/announce")
    await wait_message(coordinator, lambda m: "Пришлите текст анонса" in text_of(m))
    await coordinator.send("Форум НКО Приамурья: 14 марта, 10:00")
    menu = await wait_message(coordinator, lambda m: "Кому отправить" in text_of(m))
    await coordinator.click(menu, f"Всем подписчикам региона ({recipients})")
    control = await wait_message(coordinator, lambda m: "Получателей:" in text_of(m))
    assert f"Получателей: {recipients}" in text_of(control)
    await coordinator.click(control, "🚀 Отправить сейчас")


def deliveries(api: FakeBotAPI, ids: list[int]) -> dict[int, int]:
    return {chat: len(api.stats.send_times.get(chat, ())) for chat in ids}


async def in_flight(path: Path) -> set[int]:
    """Recipients of the rows claimed ('sending') whose outcome is not recorded."""
    db = await Database.connect(path)
    try:
        rows = await db.fetchall("SELECT recipient_id FROM outbox WHERE status = 'sending'")
        return {r[0] for r in rows}
    finally:
        await db.close()


async def outbox_figures(path: Path) -> dict[str, int]:
    db = await Database.connect(path)
    try:
        rows = await db.fetchall(
            "SELECT status, count(*) FROM outbox WHERE kind = 'announce' GROUP BY status"
        )
        return {r[0]: r[1] for r in rows}
    finally:
        await db.close()


def make_process(api: FakeBotAPI, workdir: Path, rate: int) -> BotProcess:
    return BotProcess(
        api,
        workdir,
        IMPORT_SEEDS_ON_EMPTY="false",
        BROADCAST_RATE=str(rate),
        DELIVERY_MAX_ATTEMPTS="3",
        DELIVERY_BACKOFF_SECONDS="0.2",
        ANNOUNCE_PROGRESS_SECONDS="0.5",
    )


async def shutdown(process: BotProcess) -> None:
    if process.proc is not None and process.proc.returncode is None:
        with contextlib.suppress(Exception):
            await process.stop(signal.SIGTERM, timeout=patience(15))
        if process.proc.returncode is None:
            await process.kill()


async def test_broadcast_with_faults_adds_up(api, tmp_path):
    recipients = 150
    process = make_process(api, tmp_path, rate=200)
    ids = await seed(process.database_path, recipients)
    blocked = ids[10:13]
    for chat_id in blocked:
        api.block(chat_id)
    flaky, doomed, throttled = ids[20], ids[21], ids[22]
    api.fail("sendMessage", chat_id=flaky, status=500, times=2)  # third attempt lands
    api.fail("sendMessage", chat_id=doomed, status=502, times=10)  # 3 attempts, then failed
    api.fail("sendMessage", chat_id=throttled, status=429, retry_after=1, times=1)
    api.fail("sendMessage", chat_id=ids[23], status=400, description="Bad Request: odd")

    coordinator = api.user(COORD, "Ольга")
    try:
        await process.start()
        await announce_to_everyone(coordinator, recipients)
        report = await wait_message(
            coordinator, lambda m: "завершена: доставлено" in text_of(m), timeout=40
        )
        assert f"доставлено {recipients - 5} из {recipients}" in text_of(report)
        progress = [m for m in coordinator.messages if "рассылка завершена" in text_of(m)]
        assert progress, "the progress message shows the final figures"
        final = text_of(progress[-1])
        assert f"Доставлено: {recipients - 5} из {recipients}" in final
        assert "Не доставлено: 2 · заблокировали бота: 3" in final
        assert await process.stop() == 0
    finally:
        await shutdown(process)

    got = deliveries(api, ids)
    assert all(got[chat] == 0 for chat in [*blocked, doomed, ids[23]])
    assert all(n == 1 for chat, n in got.items() if chat not in {*blocked, doomed, ids[23]})
    assert api.stats.duplicates() == 0
    assert await outbox_figures(process.database_path) == {
        "sent": recipients - 5,
        "blocked": 3,
        "failed": 2,
    }
    assert len(api.requests_for("sendMessage", chat_id=flaky)) == 3
    assert len(api.requests_for("sendMessage", chat_id=doomed)) == 3
    assert len(api.requests_for("sendMessage", chat_id=throttled)) == 2
    db = await Database.connect(process.database_path)
    try:
        inactive = await db.fetchall("SELECT id FROM users WHERE is_active = 0 ORDER BY id")
        assert [r[0] for r in inactive] == blocked
    finally:
        await db.close()
    assert "Traceback" not in process.log()
    assert "Форум НКО" not in process.log()  # no message texts in the log


async def test_sigkill_mid_broadcast_resumes_without_losses(api, tmp_path):
    recipients = 300
    process = make_process(api, tmp_path, rate=60)
    ids = await seed(process.database_path, recipients)
    coordinator = api.user(COORD, "Ольга")
    try:
        await process.start()
        await announce_to_everyone(coordinator, recipients)
        await api.wait_until(
            lambda: sum(deliveries(api, ids).values()) >= 80, what="the broadcast's start"
        )
        await process.kill()
        before = sum(deliveries(api, ids).values())
        assert before < recipients, "the crash must come in the middle"
        # What was in flight at the crash: sent or not, nobody recorded it.  How many that
        # is depends on the machine's speed (the outcomes are recorded in batches), which
        # messages may repeat does not.
        unrecorded = await in_flight(process.database_path)

        await process.start()
        await wait_message(coordinator, lambda m: "завершена: доставлено" in text_of(m), 40)
        assert await process.stop() == 0
    finally:
        await shutdown(process)

    got = deliveries(api, ids)
    assert min(got.values()) == 1, "nobody is skipped"
    assert max(got.values()) <= 2, "a message is repeated at most once"
    repeated = {chat for chat, n in got.items() if n > 1}
    assert repeated <= unrecorded, "only a message in flight at the crash is repeated"
    assert await outbox_figures(process.database_path) == {"sent": recipients}
    # A repeated message still kept a recipient's chat at one message a second.
    gaps = [b - a for chat in ids for a, b in itertools.pairwise(api.stats.send_times[chat])]
    assert all(gap >= 1 for gap in gaps)
