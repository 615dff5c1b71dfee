"""The delivery worker: one per process, it drains the outbox into Telegram.

Everything the bot sends on its own initiative (announcements, digests, nudges, notices) is
a row in the outbox; this worker is the only code that sends those rows, so they all share
one rate limit (:mod:`bot.ratelimit`) and one retry policy.

How it runs:

* A dispatcher task reads due rows in ``(not_before, id)`` order, a batch at a time.  For each
  row it skips users who blocked the bot (status 'blocked', no call), postpones a row whose
  chat is not free yet (``not_before`` moves, so the rows behind it are not held up), takes a
  token from the limiter and a sending slot, and claims the row ('sending', one more
  attempt).  Claiming is ``… WHERE status = 'pending'``: a row cancelled meanwhile is dropped.
* Each claimed row is sent by its own task, at most ``delivery_concurrency`` at once — enough
  for well over 1,000 messages a second when the rate limit is off.
* A recorder task writes outcomes as they come, many in one transaction when they come fast
  (group commit): the gap between Telegram accepting a message and the row saying 'sent' —
  the window in which a crash makes a duplicate — stays one write long.

Outcomes: 429 → the limiter cuts its rate and recovers it gradually (:mod:`bot.ratelimit`),
the chat waits ``retry_after`` and the row returns to pending then (not counted as an
attempt); 403 → 'blocked' and the user is marked inactive,
their other rows are skipped; 5xx, network errors and timeouts → pending again after an
exponential backoff, 'failed' after ``delivery_max_attempts``; 400 and other API errors →
'failed' at once.  Logs carry row ids and Telegram's error description, never a text.

Crash semantics: rows left 'sending' by a crash go back to pending at start-up and are sent
again, so only the messages in flight at the crash can be duplicated.  A clean stop lets the
calls in flight finish (for a few seconds), records them, and returns the rest to pending.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    ClientDecodeError,
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import SendDocument, SendMessage, SendPhoto, TelegramMethod
from aiogram.types import InlineKeyboardMarkup, MessageEntity
from aiohttp import ClientError
from pydantic import ValidationError

from bot.buttons import from_json
from bot.clock import from_iso
from bot.ratelimit import RateLimiter
from bot.telegram.progress import ProgressReporter
from handlers.keyboards import to_markup
from storage.delivery import DeliveryRepository, DueRow, Outcome

if TYPE_CHECKING:
    from bot.container import Services

log = logging.getLogger(__name__)

MAX_IDLE_SECONDS = 5.0  # an idle worker still looks at the outbox this often
MAX_BATCH = 500
LAUNCH_BATCH = 50  # rows claimed in one statement when tokens are plentiful
BACKOFF_CAP_SECONDS = 3600.0
STOP_GRACE_SECONDS = 5.0

_TRANSIENT = (
    TelegramServerError,
    TelegramNetworkError,
    ClientError,
    TimeoutError,
    ClientDecodeError,  # e.g. an HTML error page from a proxy in front of the Bot API
)


def iso_ms(value: dt.datetime) -> str:
    """UTC ISO time with milliseconds: retries and per-chat waits are shorter than a second.

    Compares correctly with the outbox's second-precision times as text.
    """
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds")


def build_method(chat_id: int, payload: dict[str, Any]) -> TelegramMethod[Any]:
    """The Bot API call for an outbox payload; previews use it too, so they look the same.

    A payload with ``entities`` keeps the author's own formatting: parse_mode must then be
    None, which the payload says explicitly (the Bot's default is HTML).
    """
    extra: dict[str, Any] = {}
    if "parse_mode" in payload:
        extra["parse_mode"] = payload["parse_mode"]
    if payload.get("buttons"):
        extra["reply_markup"] = to_markup(from_json(payload["buttons"]))
    elif payload.get("reply_markup"):  # rows queued before buttons were stored as actions
        extra["reply_markup"] = InlineKeyboardMarkup.model_validate(payload["reply_markup"])
    if payload.get("photo") or payload.get("document"):
        if payload.get("caption_entities"):
            extra["caption_entities"] = [
                MessageEntity.model_validate(e) for e in payload["caption_entities"]
            ]
        if payload.get("photo"):
            return SendPhoto(
                chat_id=chat_id, photo=payload["photo"], caption=payload.get("caption"), **extra
            )
        return SendDocument(
            chat_id=chat_id, document=payload["document"], caption=payload.get("caption"), **extra
        )
    if payload.get("entities"):
        extra["entities"] = [MessageEntity.model_validate(e) for e in payload["entities"]]
    return SendMessage(chat_id=chat_id, text=payload["text"], **extra)


def backoff_seconds(base: float, attempts: int) -> float:
    """base, 2·base, 4·base … after the 1st, 2nd, 3rd failed attempt; at most an hour."""
    return min(base * 2.0 ** max(attempts - 1, 0), BACKOFF_CAP_SECONDS)


class DeliveryWorker:
    def __init__(
        self,
        services: Services,
        bot: Bot,
        *,
        limiter: RateLimiter | None = None,
        max_idle: float = MAX_IDLE_SECONDS,
    ) -> None:
        settings = services.settings
        self.services = services
        self.bot = bot
        self.clock = services.clock
        self.repo = DeliveryRepository(services.db)
        self.limiter = limiter or RateLimiter(
            settings.broadcast_rate, chat_interval=settings.delivery_chat_interval
        )
        self.max_attempts = settings.delivery_max_attempts
        self.backoff_base = settings.delivery_backoff_seconds
        self.max_idle = max_idle
        self.concurrency = settings.delivery_concurrency
        self._slots = asyncio.Semaphore(self.concurrency)
        self._wake = asyncio.Event()
        self._results: asyncio.Queue[Outcome | None] = asyncio.Queue()
        self._sends: set[asyncio.Task[None]] = set()
        self._inactive: set[int] = set()  # 403 answered, not yet recorded in users
        self._stopping = False
        self._tasks: list[asyncio.Task[None]] = []
        self._recorder: asyncio.Task[None] | None = None
        self._periodic: list[tuple[float, Callable[[], Awaitable[Any]]]] = []
        self._unrecorded = 0  # claimed rows whose outcome is not written yet
        self.sent = 0  # counters for logs and benchmarks

    # --- lifecycle -----------------------------------------------------------------------

    def every(self, seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
        """Run ``job`` every ``seconds`` while the worker runs (before :meth:`start`)."""
        self._periodic.append((seconds, job))

    async def start(self) -> None:
        recovered = await self.repo.recover()
        if recovered:
            log.warning("delivery: %d message(s) in flight at a crash go out again", recovered)
        self._stopping = False
        self._recorder = asyncio.create_task(self._record_loop(), name="delivery-recorder")
        self._tasks = [asyncio.create_task(self._dispatch_loop(), name="delivery-dispatcher")]
        self._tasks += [
            asyncio.create_task(self._periodic_loop(seconds, job), name="delivery-periodic")
            for seconds, job in self._periodic
        ]
        self.services.outbox.wakeup = self.wake
        log.info(
            "delivery worker started: %s msg/s, %d at once",
            self.limiter.rate or "unlimited",
            self.concurrency,
        )

    def wake(self) -> None:
        """Something was queued: look at the outbox now instead of at the next timeout."""
        self._wake.set()

    async def stop(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop claiming rows; let calls in flight finish (up to ``grace``), record them, and
        return whatever was abandoned to pending."""
        if self._stopping:
            return
        self._stopping = True
        self.wake()
        if self.services.outbox.wakeup == self.wake:
            self.services.outbox.wakeup = None
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._sends:
            _, late = await asyncio.wait(set(self._sends), timeout=grace)
            for task in late:
                task.cancel()
            await asyncio.gather(*late, return_exceptions=True)
        if self._recorder is not None:
            self._results.put_nowait(None)
            await self._recorder
        abandoned = await self.repo.recover()
        log.info(
            "delivery worker stopped: %d sent; %d left for the next start", self.sent, abandoned
        )

    async def drain(self, within: float = 30, horizon: float = 60) -> None:
        """Wait until nothing is in flight and nothing is due in the next ``horizon`` seconds
        (retries included) — for tests and benchmarks."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + within
        while True:
            if not self._unrecorded:
                next_due = await self.repo.next_due()
                soon = self.clock.now() + dt.timedelta(seconds=horizon)
                # Checked again after the read: a row claimed meanwhile is no longer pending,
                # so the read alone would miss it while its send is still in flight.
                quiet = not self._unrecorded
                if quiet and (next_due is None or from_iso(next_due) > soon):
                    return
            if loop.time() > deadline:
                raise TimeoutError("the outbox did not drain in time")
            await asyncio.sleep(0.02)

    # --- dispatching ---------------------------------------------------------------------

    def _batch_size(self) -> int:
        if self.limiter.unlimited:
            return MAX_BATCH
        # A few seconds' worth: rows read long before they are sent would miss newer ones.
        return int(min(MAX_BATCH, max(20, self.limiter.rate * 2)))

    async def _dispatch_loop(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                progressed = await self._dispatch_batch()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery: dispatching failed; retrying shortly")
                progressed = False
                await asyncio.sleep(1)
            if not progressed and not self._stopping:
                await self._idle()

    async def _idle(self) -> None:
        delay = self.max_idle
        next_due = await self.repo.next_due()
        if next_due is not None:
            delay = (from_iso(next_due) - self.clock.now()).total_seconds()
            delay = min(max(delay, 0.01), self.max_idle)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), delay)

    async def _dispatch_batch(self) -> bool:
        now = self.clock.now()
        rows = await self.repo.due(iso_ms(now), self._batch_size())
        if not rows:
            return False
        ready: list[DueRow] = []
        deferred: list[tuple[str, int]] = []
        skipped: list[int] = []
        chat_later: dict[int, dt.datetime] = {}
        chat_last: dict[int, DueRow] = {}  # the last row of each chat deferred in this batch
        launched = 0
        for row in rows:
            if self._stopping:
                break
            chat = row.recipient_id
            if not row.recipient_active or chat in self._inactive:
                skipped.append(row.id)
                continue
            wait = self.limiter.chat_wait(chat)
            if wait > 0:
                later = self.clock.now() + dt.timedelta(seconds=wait)
                # A chat's rows keep their order: each waits at least a millisecond longer than
                # the one before it (two clocks could otherwise round them the other way round).
                if chat in chat_later:
                    later = max(later, chat_later[chat] + dt.timedelta(milliseconds=1))
                chat_later[chat] = later
                chat_last[chat] = row
                deferred.append((iso_ms(later), row.id))
                continue
            if self._slots.locked() and ready:
                launched += await self._launch(ready)
                ready = []
            await self._slots.acquire()
            if not self.limiter.try_acquire():
                if ready:
                    launched += await self._launch(ready)
                    ready = []
                try:
                    await self.limiter.acquire()
                except BaseException:
                    self._slots.release()
                    raise
            # Busy from now on: a second row to this chat in the same batch waits its turn.
            self.limiter.chat_begin(chat)
            ready.append(row)
            if len(ready) >= LAUNCH_BATCH:
                launched += await self._launch(ready)
                ready = []
        if ready:
            launched += await self._launch(ready)
        for chat, last in chat_last.items():
            # The chat's rows this batch did not read (not due yet, or past its end) stay
            # behind the deferred ones: a row deferred again, because the previous send took
            # longer than the guess, could otherwise move past the row queued after it.
            later = chat_later[chat]
            for outbox_id in await self.repo.queued_after(
                chat, last.not_before, last.id, iso_ms(later)
            ):
                later += dt.timedelta(milliseconds=1)
                deferred.append((iso_ms(later), outbox_id))
        await self.repo.skip_inactive(skipped)
        await self.repo.defer(deferred)
        return bool(launched or skipped)

    async def _launch(self, ready: list[DueRow]) -> int:
        # Counted as in flight before the claim commits: between the commit and this task
        # resuming, drain() would otherwise find the rows neither pending nor in flight and
        # report the outbox empty while they were never sent.
        self._unrecorded += len(ready)
        try:
            claimed = await self.repo.claim([row.id for row in ready])
        except BaseException:
            self._unrecorded -= len(ready)
            for row in ready:
                self._release(row, sent=False)
            raise
        for row in ready:
            if row.id not in claimed:  # cancelled since it was read
                self._unrecorded -= 1
                self._release(row, sent=False)
                self.limiter.refund()
                continue
            task = asyncio.create_task(self._send(row))
            self._sends.add(task)
            task.add_done_callback(self._sends.discard)
        return len(claimed)

    def _release(self, row: DueRow, *, sent: bool, wait: float = 0.0) -> None:
        self.limiter.chat_end(row.recipient_id, sent=sent, wait=wait)
        self._slots.release()

    # --- sending -------------------------------------------------------------------------

    async def _send(self, row: DueRow) -> None:
        attempts = row.attempts + 1
        outcome: Outcome | None = None
        chat_wait = 0.0  # beyond the usual interval: a 429's retry_after
        try:
            method = build_method(row.recipient_id, row.payload)
            message = await self.bot(method)
            outcome = Outcome(
                row.id,
                row.recipient_id,
                "sent",
                message_id=message.message_id,
                recommendation_ids=tuple(row.payload.get("recommendation_ids") or ()),
            )
        except TelegramRetryAfter as exc:
            # This chat waits as Telegram asks; the others go on at a lower rate for a while.
            chat_wait = float(exc.retry_after)
            self.limiter.throttled(chat_wait)
            log.warning(
                "delivery: 429 (retry after %s s); now %.1f msg/s",
                exc.retry_after,
                self.limiter.current,
            )
            outcome = Outcome(
                row.id,
                row.recipient_id,
                "pending",
                error="429",
                not_before=iso_ms(self.clock.now() + dt.timedelta(seconds=chat_wait)),
                uncount_attempt=True,
            )
        except TelegramForbiddenError as exc:
            self._inactive.add(row.recipient_id)
            outcome = Outcome(row.id, row.recipient_id, "blocked", error=_short(exc))
        except TelegramBadRequest as exc:
            log.warning("delivery: outbox row %d (%s) rejected: %s", row.id, row.kind, exc.message)
            outcome = Outcome(row.id, row.recipient_id, "failed", error=_short(exc))
        except _TRANSIENT as exc:
            outcome = self._transient(row, attempts, exc)
        except TelegramAPIError as exc:  # 401, 404, 409, migrate-to-chat: retrying won't help
            log.warning("delivery: outbox row %d (%s) failed: %s", row.id, row.kind, exc.message)
            outcome = Outcome(row.id, row.recipient_id, "failed", error=_short(exc))
        except (ValidationError, KeyError, TypeError, ValueError) as exc:
            log.error("delivery: outbox row %d has a malformed payload (%s)", row.id, type(exc))
            outcome = Outcome(row.id, row.recipient_id, "failed", error="malformed payload")
        except Exception as exc:
            # A bug, not Telegram: fail the row rather than leave it 'sending' for ever (a
            # retry could repeat a message that did go out).
            log.exception("delivery: outbox row %d: unexpected error", row.id)
            outcome = Outcome(row.id, row.recipient_id, "failed", error=type(exc).__name__)
        finally:
            # Cancelled (a stop past its grace): no outcome; the row stays 'sending' and the
            # stop returns it to pending, since nobody knows whether it arrived.
            self._release(row, sent=True, wait=chat_wait)
            if outcome is not None:
                self.services.metrics.delivery(outcome.status, outcome.error)
                self._results.put_nowait(outcome)
            else:
                self._unrecorded -= 1

    def _transient(self, row: DueRow, attempts: int, exc: BaseException) -> Outcome:
        error = _short(exc)
        if attempts >= self.max_attempts:
            log.warning(
                "delivery: outbox row %d (%s) failed after %d attempts: %s",
                row.id,
                row.kind,
                attempts,
                error,
            )
            return Outcome(row.id, row.recipient_id, "failed", error=error)
        delay = backoff_seconds(self.backoff_base, attempts)
        log.info("delivery: outbox row %d: %s; retry in %.1f s", row.id, error, delay)
        later = self.clock.now() + dt.timedelta(seconds=delay)
        return Outcome(row.id, row.recipient_id, "pending", error=error, not_before=iso_ms(later))

    # --- recording -----------------------------------------------------------------------

    async def _record_loop(self) -> None:
        done = False
        while not done:
            first = await self._results.get()
            batch: list[Outcome] = []
            if first is None:
                done = True
            else:
                batch.append(first)
            while not self._results.empty():
                item = self._results.get_nowait()
                if item is None:
                    done = True
                else:
                    batch.append(item)
            if batch:
                await self._record(batch)

    async def _record(self, batch: list[Outcome]) -> None:
        services = self.services
        sent = [o for o in batch if o.status == "sent"]
        try:
            async with services.db.transaction():
                await self.repo.record(batch, iso_ms(self.clock.now()))
                for outcome in batch:
                    if outcome.status == "blocked":
                        await services.users.mark_blocked(outcome.recipient_id)
                    if outcome.recommendation_ids and outcome.message_id:
                        # A reply to a nudge or digest is recorded against its recommendations.
                        await services.reporting.remember_message(
                            outcome.recipient_id,
                            outcome.message_id,
                            list(outcome.recommendation_ids),
                        )
        except Exception:
            # The rows stay 'sending' and go out again after a restart: a duplicate rather
            # than a loss.
            log.exception("delivery: could not record %d outcome(s)", len(batch))
        else:
            self.sent += len(sent)
            # Recorded: the users table speaks for them from now on (and says so again when
            # they come back and write to the bot).
            for outcome in batch:
                if outcome.status == "blocked":
                    self._inactive.discard(outcome.recipient_id)
            if any(o.status == "pending" for o in batch):
                # A retry is pending again: the dispatcher may be asleep until later.
                self.wake()
        finally:
            self._unrecorded -= len(batch)

    # --- periodic jobs -------------------------------------------------------------------

    async def _periodic_loop(self, seconds: float, job: Callable[[], Awaitable[Any]]) -> None:
        while not self._stopping:
            try:
                await job()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("delivery: a periodic job failed")
            await asyncio.sleep(seconds)


def _short(exc: BaseException) -> str:
    """Telegram's description (never the message text), trimmed for the error column."""
    message = getattr(exc, "message", None) or type(exc).__name__
    return str(message)[:200]


# --- wiring into the Dispatcher (polling and webhook alike) ---------------------------------

WORKER_KEY = "delivery_worker"


async def start_delivery(bot: Bot, dispatcher: Dispatcher, services: Services) -> None:
    """Dispatcher startup hook: one worker per process, with the announcements' progress."""
    worker = DeliveryWorker(services, bot)
    reporter = ProgressReporter(services, bot, worker.limiter)
    worker.every(services.settings.announce_progress_seconds, reporter.tick)
    dispatcher[WORKER_KEY] = worker
    await worker.start()


async def stop_delivery(dispatcher: Dispatcher) -> None:
    worker: DeliveryWorker | None = dispatcher.workflow_data.pop(WORKER_KEY, None)
    if worker is not None:
        await worker.stop()
