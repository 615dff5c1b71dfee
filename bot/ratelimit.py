"""The process-wide limit on what the bot sends to Telegram on its own initiative.

Telegram takes about 30 messages a second in all and one a second per chat, and answers 429
with ``retry_after`` past that.  One :class:`RateLimiter` per process is shared by the
delivery worker and by anything else that talks to Telegram in the background (progress
edits), so together they stay under the configured rate.

* In all: a token bucket filled at the current rate, one token at the start and at most
  ``burst`` (by default what ``LATENESS`` of sending is worth, at least one): sends are
  spread evenly, a timer that wakes a little late loses nothing, and no window holds more
  than ``rate × (window + LATENESS) + 1`` sends — never a second's worth at once.
* A 429 (:meth:`throttled`) cuts the current rate (× ``CUT``, not below ``FLOOR`` of the
  configured rate), at most once per ``retry_after`` (the 429s of one overload count once);
  from then on the rate recovers gradually (``RECOVERY`` of the configured rate a second) back
  to the configured rate, never above it.  Only when a good share of recent sends is refused
  (``FLOOD_SHARE`` of the sends since the cut, counted as at least a second's worth: a few
  refusals close together among many sends are single chats, not Telegram turning the whole
  bot away) does everyone pause for ``retry_after``.  The chat of the refused message waits
  ``retry_after`` (see :meth:`chat_end`).  ``pause(seconds)`` stops every acquirer until then.
* Per chat: a chat with a call in flight is busy, and the next message may start only
  ``chat_interval`` after the previous call to that chat returned.  Counting from the answer
  rather than from the request keeps the gap on Telegram's side too, whatever the latency.

Times are ``time.monotonic()`` seconds, unaffected by changes of the wall clock.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

# Above this many remembered chats, forget those that are free again (memory stays bounded).
_PRUNE_AT = 10_000
_WHOLE = 1 - 1e-9  # a token, whatever the rounding of the refills that made it


LATENESS = 0.05  # seconds of sending a late wake-up may catch up on (a busy machine's lag)
CUT = 0.85  # the current rate after a 429, as a share of what it was
FLOOR = 0.1  # never cut below this share of the configured rate
RECOVERY = 0.25  # share of the configured rate regained a second after a cut
FLOOD_SHARE = 0.1  # 429s above this share of the sends since the last cut: pause everyone
FLOOD_MIN = 3  # and at least this many


class RateLimiter:
    def __init__(
        self,
        rate: float,
        *,
        chat_interval: float = 1.0,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate  # the configured rate, tokens a second; 0 means no limit in all
        self.current = rate  # the rate allowed now: lower for a while after a 429
        self.burst = max(1.0, burst if burst is not None else 1.0 + rate * LATENESS)
        self.chat_interval = chat_interval
        self._clock = clock
        self._tokens = 1.0
        self._stamp = clock()
        self._paused_until = 0.0
        self._hold_until = 0.0  # no second cut before this
        self._recover_from = 0.0  # the rate climbs back from this moment
        self._sent_since_cut = 0
        self._refused_since_cut = 0
        self._chat_free: dict[int, float] = {}  # chat -> when the next message may start
        self._busy: set[int] = set()

    # --- in all --------------------------------------------------------------------------

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    def pause(self, seconds: float) -> None:
        """Nobody sends until ``seconds`` from now."""
        now = self._clock()
        self._refill(now)
        self._paused_until = max(self._paused_until, now + max(seconds, 0.0))

    def throttled(self, retry_after: float) -> None:
        """Telegram answered 429: cut the rate (once per ``retry_after``), recover later."""
        if self.unlimited:
            # No rate to cut: all that can be done is to wait as asked.
            self.pause(retry_after)
            return
        now = self._clock()
        self._refill(now)
        self._refused_since_cut += 1
        if now >= self._hold_until:
            self.current = max(self.rate * FLOOR, self.current * CUT)
            self._hold_until = now + max(retry_after, 1.0)
            self._recover_from = now
            self._sent_since_cut = 0
            self._refused_since_cut = 1
        elif self._refused_since_cut >= max(
            FLOOD_MIN, FLOOD_SHARE * max(self._sent_since_cut, self.rate)
        ):
            # Refusals keep coming at the lower rate: the whole bot is over the limit.  (Their
            # share of at least a second's worth of sends: 3 of the first 20 after a cut are,
            # at 1 % refused, bad luck once a minute, and the pause cost seconds of sending.)
            self.current = self.rate * FLOOR
            self._paused_until = max(self._paused_until, now + retry_after)
            self._hold_until = max(self._hold_until, now + retry_after)
            self._recover_from = self._paused_until

    def _refill(self, now: float) -> None:
        if now <= self._stamp:
            return
        start = max(self._stamp, self._paused_until) if now > self._paused_until else now
        if start < now:
            # Tokens at the current rate; the rate itself recovers linearly after the hold.
            recovering_from = max(start, self._recover_from)
            if self.current < self.rate and now > recovering_from:
                flat = max(0.0, recovering_from - start) * self.current
                span = now - recovering_from
                grown = min(self.rate, self.current + self.rate * RECOVERY * span)
                self._tokens += flat + span * (self.current + grown) / 2
                self.current = grown
            else:
                self._tokens += (now - start) * self.current
            self._tokens = min(self.burst, self._tokens)
        self._stamp = now

    def try_acquire(self) -> bool:
        """Take a token if one is there now (never waits)."""
        now = self._clock()
        if now < self._paused_until:
            return False
        if self.unlimited:
            return True
        self._refill(now)
        if self._tokens >= _WHOLE:
            self._tokens -= 1
            self._sent_since_cut += 1
            return True
        return False

    def wait_time(self) -> float:
        """Seconds until a token is available (0 if one is there now)."""
        now = self._clock()
        if now < self._paused_until:
            return self._paused_until - now
        if self.unlimited:
            return 0.0
        self._refill(now)
        return 0.0 if self._tokens >= _WHOLE else (1 - self._tokens) / self.current

    async def acquire(self) -> None:
        """Wait for a token (and for the end of a pause)."""
        while True:
            if self.try_acquire():
                return
            # Sleeping in a loop rather than once: a 429 may extend the pause meanwhile.
            await asyncio.sleep(max(self.wait_time(), 0.001))

    def refund(self) -> None:
        """A token taken for a message that was not sent after all."""
        if not self.unlimited:
            self._tokens = min(self.burst, self._tokens + 1)
            self._sent_since_cut = max(0, self._sent_since_cut - 1)

    # --- per chat ------------------------------------------------------------------------

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may get the next message; ``chat_interval`` while busy."""
        if chat_id in self._busy:
            return max(self.chat_interval, 0.001)
        free = self._chat_free.get(chat_id)
        return 0.0 if free is None else max(0.0, free - self._clock())

    def chat_begin(self, chat_id: int) -> None:
        self._busy.add(chat_id)

    def chat_end(self, chat_id: int, *, sent: bool = True, wait: float = 0.0) -> None:
        """The call to this chat returned; ``sent`` False if it was never made; ``wait``: the
        chat's ``retry_after`` when Telegram answered 429."""
        self._busy.discard(chat_id)
        if not sent:
            return
        now = self._clock()
        if len(self._chat_free) >= _PRUNE_AT:
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
        self._chat_free[chat_id] = now + max(self.chat_interval, wait)
