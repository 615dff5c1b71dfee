"""The process-wide limit on what the bot sends to Telegram on its own initiative.

Telegram takes about 30 messages a second in all and one a second per chat, and answers 429
with ``retry_after`` past that.  One :class:`RateLimiter` per process is shared by the
delivery worker and by anything else that talks to Telegram in the background (progress
edits), so together they stay under the configured rate.

* In all: a token bucket filled at ``rate`` tokens a second holding at most ``burst`` (one
  second's worth by default) — the same model as Telegram's flood control.  Sends are spread
  evenly once the bucket is empty.
* ``pause(seconds)`` (a 429) stops every acquirer until then.  A short pause costs no
  throughput: the bucket fills during it as usual, and the tokens it held when the pause
  began are kept on top (a 429 often lands in the middle of a burst), so the sender catches
  up right after — by at most one second's worth beyond the burst.
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


class RateLimiter:
    def __init__(
        self,
        rate: float,
        *,
        chat_interval: float = 1.0,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.rate = rate  # tokens a second; 0 means no limit in all
        self.burst = burst if burst is not None else max(1.0, rate)
        self.chat_interval = chat_interval
        self._clock = clock
        self._tokens = self.burst
        self._stamp = clock()
        self._paused_until = 0.0
        self._carry = 0.0  # tokens held when a pause began, spent after it
        self._chat_free: dict[int, float] = {}  # chat -> when the next message may start
        self._busy: set[int] = set()

    # --- in all --------------------------------------------------------------------------

    @property
    def unlimited(self) -> bool:
        return self.rate <= 0

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends until ``seconds`` from now."""
        now = self._clock()
        if not self.unlimited and now >= self._paused_until:
            self._refill(now)
            self._carry, self._tokens = min(self._tokens, self.burst), 0.0
        self._paused_until = max(self._paused_until, now + max(seconds, 0.0))

    def _refill(self, now: float) -> None:
        if now > self._stamp:
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
        if self._carry and now >= self._paused_until:
            self._tokens += self._carry
            self._carry = 0.0

    def try_acquire(self) -> bool:
        """Take a token if one is there now (never waits)."""
        now = self._clock()
        if now < self._paused_until:
            return False
        if self.unlimited:
            return True
        self._refill(now)
        if self._tokens >= 1:
            self._tokens -= 1
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
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

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

    # --- per chat ------------------------------------------------------------------------

    def chat_wait(self, chat_id: int) -> float:
        """Seconds until this chat may get the next message; ``chat_interval`` while busy."""
        if chat_id in self._busy:
            return max(self.chat_interval, 0.001)
        free = self._chat_free.get(chat_id)
        return 0.0 if free is None else max(0.0, free - self._clock())

    def chat_begin(self, chat_id: int) -> None:
        self._busy.add(chat_id)

    def chat_end(self, chat_id: int, *, sent: bool = True) -> None:
        """The call to this chat returned; ``sent`` False if it was never made."""
        self._busy.discard(chat_id)
        if not sent:
            return
        now = self._clock()
        if len(self._chat_free) >= _PRUNE_AT:
            self._chat_free = {c: t for c, t in self._chat_free.items() if t > now}
        self._chat_free[chat_id] = now + self.chat_interval
