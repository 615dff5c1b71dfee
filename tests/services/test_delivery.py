"""The delivery worker against a scripted Bot session: rates, retries, blocks, crash recovery."""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod

from bench.fakebotapi.session import LocalSession
from bot.buttons import (
    Button,
    OpenCard,
    ReportStatus,
    SetDigestFrequency,
    SnoozeNudge,
    StopAnnouncement,
)
from bot.clock import Clock
from bot.container import Services, build_services
from bot.ratelimit import RateLimiter
from bot.telegram.delivery import DeliveryWorker, backoff_seconds
from bot.users import TelegramIdentity
from tests.harness import BOT_TOKEN

# A safety net, not a speed check: drain() returns as soon as the outbox is empty.
DRAIN_PATIENCE = 120


@dataclass
class Sent:
    method: str
    chat_id: int
    params: dict[str, Any]
    at: float  # time.monotonic() when answered
    started: float = 0.0  # when the call was made


class ScriptedSession(LocalSession):
    """Answers like Telegram would; ``script[chat_id]`` lists errors for the next calls:
    an HTTP status (429, 403, 400, 500) or "network"; ``hang`` chats never answer."""

    def __init__(self) -> None:
        super().__init__(bot_id=42, first_name="Bot", username="tracker_bot", first_message_id=500)
        self.calls: list[Sent] = []
        self.script: dict[int, list[int | str]] = {}
        self.hang: set[int] = set()
        self.latency = 0.0
        self.hanging = asyncio.Event()
        self.called = asyncio.Event()

    async def make_request(self, bot: Bot, method: TelegramMethod, timeout: int | None = None):
        name, params, _ = await self.prepare(bot, method)
        chat_id = params.get("chat_id")
        started = time.monotonic()
        if chat_id in self.hang:
            self.hanging.set()
            await asyncio.Event().wait()
        if self.latency:
            await asyncio.sleep(self.latency)
        planned = self.script.get(chat_id) or []
        fault = planned.pop(0) if planned else None
        self.calls.append(Sent(name, chat_id, params, time.monotonic(), started))
        self.called.set()
        if fault == "network":
            raise TelegramNetworkError(method=method, message="ClientConnectorError: refused")
        if fault is not None:
            body: dict[str, Any] = {"ok": False, "error_code": fault, "description": f"E{fault}"}
            if fault == 429:
                body["parameters"] = {"retry_after": 1}
                body["description"] = "Too Many Requests: retry after 1"
            if fault == 403:
                body["description"] = "Forbidden: bot was blocked by the user"
            return self.check_response(bot, method, fault, json.dumps(body)).result
        result = self.answer(name, params, {})
        response = self.check_response(bot, method, 200, json.dumps({"ok": True, "result": result}))
        return response.result

    def to(self, chat_id: int) -> list[Sent]:
        return [c for c in self.calls if c.chat_id == chat_id]


@pytest.fixture
def fast_settings(settings):
    return settings.model_copy(
        update={
            "broadcast_rate": 0.0,
            "delivery_chat_interval": 0.3,
            "delivery_max_attempts": 3,
            "delivery_backoff_seconds": 0.1,
        }
    )


@pytest.fixture
def live(fast_settings, db) -> Services:
    # The worker compares not_before with the wall clock: these tests run in real time.
    return build_services(fast_settings, db, Clock())


@pytest.fixture
async def session() -> AsyncIterator[ScriptedSession]:
    yield ScriptedSession()


@pytest.fixture
async def bot(session) -> AsyncIterator[Bot]:
    bot = Bot(BOT_TOKEN, session=session)
    yield bot
    await bot.session.close()


async def start_worker(services: Services, bot: Bot, **kwargs) -> DeliveryWorker:
    worker = DeliveryWorker(services, bot, max_idle=0.2, **kwargs)
    await worker.start()
    return worker


async def queue(services: Services, recipient: int, key: str, text: str = "Привет", **kw) -> None:
    assert await services.outbox.enqueue(recipient, "test", key, text, **kw)


async def statuses(services: Services) -> dict[str, str]:
    rows = await services.db.fetchall("SELECT dedup_key, status FROM outbox")
    return {r[0]: r[1] for r in rows}


async def row(services: Services, key: str):
    return await services.db.fetchone("SELECT * FROM outbox WHERE dedup_key = ?", (key,))


async def test_sends_due_rows_and_records_the_message_id(live, bot, session):
    for chat in (1, 2, 3):
        await queue(live, chat, f"k{chat}", text=f"<b>Сообщение</b> {chat}")
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    assert await statuses(live) == {"k1": "sent", "k2": "sent", "k3": "sent"}
    assert sorted(c.chat_id for c in session.calls) == [1, 2, 3]
    assert session.calls[0].params["parse_mode"] == "HTML"
    sent = await row(live, "k2")
    assert sent["message_id"] >= 500 and sent["attempts"] == 1 and sent["sent_at"]


async def test_a_row_not_due_yet_waits(live, bot, session):
    import datetime as dt

    later = live.clock.now() + dt.timedelta(hours=1)
    await queue(live, 1, "later", not_before=later)
    await queue(live, 2, "now")
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    assert await statuses(live) == {"later": "pending", "now": "sent"}


async def test_drain_waits_for_a_row_whose_claim_has_committed(live, bot, session):
    """Between the claim's commit and the dispatcher resuming, the row is neither pending nor
    counted in flight; drain() returned there, and a stop then left the row unsent."""
    await queue(live, 1, "only")
    worker = DeliveryWorker(live, bot, max_idle=0.2)
    claimed, go_on = asyncio.Event(), asyncio.Event()
    claim = worker.repo.claim

    async def held_claim(ids: list[int]) -> set[int]:
        result = await claim(ids)
        claimed.set()
        await go_on.wait()  # committed; the dispatcher has not resumed yet
        return result

    worker.repo.claim = held_claim  # type: ignore[method-assign]
    await worker.start()
    try:
        await asyncio.wait_for(claimed.wait(), DRAIN_PATIENCE)
        drained = asyncio.create_task(worker.drain(DRAIN_PATIENCE))
        # Not a speed check: a drain that wrongly finishes does so at once; a right one
        # cannot finish before the claim is let go.
        early, _ = await asyncio.wait({drained}, timeout=1)
        go_on.set()
        await drained
    finally:
        await worker.stop()
    assert not early
    assert [c.chat_id for c in session.calls] == [1]
    assert (await row(live, "only"))["status"] == "sent"


async def test_wakes_up_at_once_when_something_is_queued(live, bot, session):
    # Idle for an hour unless woken: a send within the safety net can only come from the wake-up.
    worker = DeliveryWorker(live, bot, max_idle=3600)
    await worker.start()
    try:
        await asyncio.sleep(0.05)  # let it go idle
        await queue(live, 7, "wake")
        await asyncio.wait_for(session.called.wait(), DRAIN_PATIENCE)
    finally:
        await worker.stop()


async def test_429_slows_the_sender_the_chat_waits_and_it_is_not_an_attempt(live, bot, session):
    session.script[1] = [429]
    session.latency = 0.005
    for chat in range(1, 11):
        await queue(live, chat, f"k{chat}")
    refusals: list[float] = []

    class Recording(RateLimiter):
        def throttled(self, retry_after: float) -> None:
            refusals.append(retry_after)
            super().throttled(retry_after)

    limiter = Recording(50, chat_interval=0.3)
    worker = await start_worker(live, bot, limiter=limiter)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    assert set((await statuses(live)).values()) == {"sent"}
    first_429 = session.calls[0]
    assert first_429.chat_id == 1
    # The others were not held up for the second Telegram asked chat 1 to wait …
    others = [c for c in session.calls[1:] if c.chat_id != 1]
    assert len(others) == 9 and min(c.started for c in others) - first_429.at < 0.5
    # … but the limiter was told to slow down; chat 1 got its message once the second passed.
    assert refusals == [1.0]
    retry = session.to(1)[1]
    assert retry.started - first_429.at >= 1.0
    assert len(session.to(1)) == 2
    assert (await row(live, "k1"))["attempts"] == 1  # the 429 did not count


async def test_403_marks_the_user_inactive_and_skips_their_other_rows(live, bot, session):
    await live.users.touch(TelegramIdentity(id=10, first_name="Анна"))
    session.script[10] = [403]
    await queue(live, 10, "a")
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
        await queue(live, 10, "b")
        await queue(live, 10, "c")
        await queue(live, 11, "other")
        await worker.drain(DRAIN_PATIENCE)
        assert await statuses(live) == {
            "a": "blocked",
            "b": "blocked",
            "c": "blocked",
            "other": "sent",
        }
        assert len(session.to(10)) == 1  # the skipped rows never reached Telegram
        assert not (await live.users.get(10)).is_active
        # Writing to the bot again makes the user active, and they get messages again.
        await live.users.touch(TelegramIdentity(id=10, first_name="Анна"))
        await queue(live, 10, "back")
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    assert (await row(live, "back"))["status"] == "sent"
    assert len(session.to(10)) == 2


async def test_server_errors_back_off_then_fail(live, bot, session):
    session.script[1] = [500, 502, 500, 500]  # more failures than attempts allowed
    session.script[2] = [500, "network"]  # recovers on the third attempt
    await queue(live, 1, "doomed")
    await queue(live, 2, "lucky")
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    doomed, lucky = await row(live, "doomed"), await row(live, "lucky")
    assert doomed["status"] == "failed" and doomed["attempts"] == 3 and doomed["error"]
    assert lucky["status"] == "sent" and lucky["attempts"] == 3
    times = [c.at for c in session.to(1)]
    assert len(times) == 3
    # Exponential: 0.1 s, then 0.2 s (not_before has millisecond precision).
    assert times[1] - times[0] >= 0.09 and times[2] - times[1] >= 0.19
    assert backoff_seconds(5, 1) == 5 and backoff_seconds(5, 3) == 20
    assert backoff_seconds(5, 30) == 3600


async def test_bad_request_fails_at_once(live, bot, session, caplog):
    session.script[1] = [400]
    await queue(live, 1, "bad", text="секретный текст")
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    bad = await row(live, "bad")
    assert bad["status"] == "failed" and bad["attempts"] == 1 and "E400" in bad["error"]
    assert len(session.calls) == 1
    assert "E400" in caplog.text and "секретный" not in caplog.text


async def test_one_message_per_interval_to_a_chat_without_holding_up_others(live, bot, session):
    for n in range(3):
        await queue(live, 1, f"one-{n}")
    for chat in range(2, 6):
        await queue(live, chat, f"other-{chat}")
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    times = [c.at for c in session.to(1)]
    assert len(times) == 3
    assert all(b - a >= 0.3 for a, b in itertools.pairwise(times))
    # In order, and the other chats did not wait behind chat 1.
    assert [c.params["text"] for c in session.to(1)] == ["Привет"] * 3
    ids = [r[0] for r in await live.db.fetchall(
        "SELECT dedup_key FROM outbox WHERE recipient_id = 1 ORDER BY sent_at, id")]  # fmt: skip
    assert ids == ["one-0", "one-1", "one-2"]
    others = [c.at for c in session.calls if c.chat_id != 1]
    assert max(others) < times[1]


async def test_the_rate_limit_holds_in_all(live, bot, session):
    limiter = RateLimiter(20, chat_interval=0.3)
    for chat in range(1, 41):
        await queue(live, chat, f"k{chat}")
    started = time.monotonic()
    worker = await start_worker(live, bot, limiter=limiter)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    elapsed = time.monotonic() - started
    # A full bucket (one second's worth) goes at once, the other 20 at 20 a second.
    assert elapsed >= 0.9
    times = sorted(c.at for c in session.calls)
    assert len(times) == 40
    steady = times[20:]
    assert (steady[-1] - steady[0]) / (len(steady) - 1) >= 0.045


async def test_rows_left_sending_by_a_crash_are_sent_again(live, bot, session):
    await queue(live, 1, "in-flight")
    await queue(live, 2, "done")
    await live.db.execute(
        "UPDATE outbox SET status = 'sending', attempts = 1 WHERE dedup_key = 'in-flight'"
    )
    await live.db.execute("UPDATE outbox SET status = 'sent' WHERE dedup_key = 'done'")
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    assert [c.chat_id for c in session.calls] == [1]
    resent = await row(live, "in-flight")
    assert resent["status"] == "sent" and resent["attempts"] == 2


async def test_cancelled_rows_are_not_sent(live, bot, session):
    await queue(live, 1, "k1", ref_id=5)
    await queue(live, 2, "k2", ref_id=5)
    assert await live.outbox.repo.cancel("test", 5) == 2
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    assert not session.calls


async def test_a_stop_abandons_a_hanging_call_without_losing_its_row(live, bot, session):
    session.hang.add(1)
    await queue(live, 1, "hangs")
    worker = await start_worker(live, bot)
    await asyncio.wait_for(session.hanging.wait(), 5)
    await worker.stop(grace=0.1)
    assert (await row(live, "hangs"))["status"] == "pending"


async def test_payload_kinds_keep_the_authors_formatting(live, bot, session):
    bold = [{"type": "bold", "offset": 0, "length": 5}]
    markup = {"inline_keyboard": [[{"text": "Открыть", "callback_data": "card:1"}]]}
    await queue(live, 1, "text", text="Форум в субботу", extra={"parse_mode": None,
                "entities": bold, "reply_markup": markup})  # fmt: skip
    await live.outbox.repo.enqueue(
        "photo", 2, "test", {"photo": "PHOTO-ID", "caption": "Афиша", "caption_entities": bold,
                             "parse_mode": None}, not_before=live.clock.iso(), now=live.clock.iso()
    )  # fmt: skip
    await live.outbox.repo.enqueue(
        "doc", 3, "test", {"document": "DOC-ID", "caption": "Программа"},
        not_before=live.clock.iso(), now=live.clock.iso(),
    )  # fmt: skip
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    text, photo, doc = session.to(1)[0], session.to(2)[0], session.to(3)[0]
    assert text.method == "sendMessage" and text.params["entities"] == bold
    assert "parse_mode" not in text.params  # None: the entities say it all
    assert text.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "card:1"
    assert photo.method == "sendPhoto" and photo.params["photo"] == "PHOTO-ID"
    assert photo.params["caption_entities"] == bold
    assert doc.method == "sendDocument" and doc.params["document"] == "DOC-ID"


async def test_queued_buttons_arrive_as_the_callback_data_handlers_read(live, bot, session):
    """Services queue plain actions; Telegram gets the callback data the handlers parse (the
    same strings as before actions were stored, so buttons in old messages keep working)."""
    keyboard = [
        [Button("1", OpenCard(7)), Button("2", ReportStatus(7, "done"))],
        [Button("3", SnoozeNudge(7)), Button("4", SetDigestFrequency("off"))],
        [Button("5", StopAnnouncement(9))],
    ]
    await queue(live, 1, "buttons", keyboard=keyboard)
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    rows = session.to(1)[0].params["reply_markup"]["inline_keyboard"]
    pressed = [[(b["text"], b["callback_data"]) for b in row] for row in rows]
    assert pressed == [
        [("1", "card:7"), ("2", "st:7:done")],
        [("3", "snz:7"), ("4", "dg:off")],
        [("5", "an:stop:9:0")],
    ]


async def test_a_sent_nudge_is_remembered_for_replies(live, bot, session, seeded):
    rec_id = seeded["001"].recommendation_ids[0]
    await queue(live, 1, "nudge", recommendation_ids=[rec_id])
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    message_id = (await row(live, "nudge"))["message_id"]
    assert await live.reporting.recommendations_of_message(1, message_id) == [rec_id]


async def test_unlimited_rate_sends_everything_without_waiting_for_tokens(live, bot, session):
    rows = [
        (f"k{i}", 1000 + i, "test", None, json.dumps({"text": "x"}), live.clock.iso(),
         live.clock.iso())
        for i in range(2000)
    ]  # fmt: skip
    await live.outbox.repo.enqueue_many(rows)
    worker = await start_worker(live, bot)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    # How fast is the broadcast bench's business (its ceiling); here: all sent, once each.
    assert len(session.calls) == 2000
    assert len({c.chat_id for c in session.calls}) == 2000


def test_rate_limiter_pause_and_chat_spacing():
    now = [100.0]
    limiter = RateLimiter(10, chat_interval=1.0, clock=lambda: now[0])
    assert sum(limiter.try_acquire() for _ in range(12)) == 1  # no burst at the start
    assert limiter.wait_time() == pytest.approx(0.1)
    now[0] += 0.5
    assert sum(limiter.try_acquire() for _ in range(10)) == 1  # a late wake-up: a little
    limiter.pause(1)
    assert not limiter.try_acquire() and limiter.wait_time() == pytest.approx(1)
    now[0] += 1.1
    assert limiter.try_acquire()
    limiter.refund()
    assert limiter.try_acquire()

    assert limiter.chat_wait(7) == 0
    limiter.chat_begin(7)
    assert limiter.chat_wait(7) == 1.0  # busy while the call is in flight
    now[0] += 0.3
    limiter.chat_end(7)
    now[0] += 0.4
    assert limiter.chat_wait(7) == pytest.approx(0.6)  # counted from the answer
    limiter.chat_begin(8)
    limiter.chat_end(8, sent=False)  # never called: no wait
    assert limiter.chat_wait(8) == 0
    assert RateLimiter(0).try_acquire() and RateLimiter(0).unlimited


async def test_a_chats_deferred_rows_keep_their_order(live, bot, session):
    """Rows waiting for a busy chat go in their queue order even when the waits computed for
    them come out shorter for a later row (two clocks, rounding, a loaded machine)."""
    limiter = RateLimiter(0, chat_interval=0.3)
    real_wait = limiter.chat_wait
    waits = iter([0.0, 0.5, 0.3])  # one-0 goes; then one-1 would wait longer than one-2

    def chat_wait(chat: int) -> float:
        return next(waits, None) or real_wait(chat)

    limiter.chat_wait = chat_wait  # type: ignore[method-assign]
    for n in range(3):
        await queue(live, 1, f"one-{n}")
    worker = await start_worker(live, bot, limiter=limiter)
    try:
        await worker.drain(DRAIN_PATIENCE)
    finally:
        await worker.stop()
    ids = [r[0] for r in await live.db.fetchall(
        "SELECT dedup_key FROM outbox WHERE recipient_id = 1 ORDER BY sent_at, id")]  # fmt: skip
    assert ids == ["one-0", "one-1", "one-2"]
