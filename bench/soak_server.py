"""The fake Bot API for ``bench soak``, in a process of its own, with a load driver.

``python -m bench.soak_server`` prints ``PORT <n>`` once listening on 127.0.0.1.  Besides the
Bot API and the ``/_test/`` control routes it serves:

* ``GET /_soak/status`` — polls started by the bot, updates injected so far, done or not;
* ``POST /_soak/load`` ``{"first_user", "users", "updates", "rate", "texts", "cards"}`` —
  inject the updates at a steady rate, user after user, so one user's next update comes only
  ``users / rate`` seconds after the previous one; the text ``"card"`` is a press of a
  card's button (``card:<id>``, the ids taken in turn from ``cards``) under the bot's latest
  message in that chat (``/my`` instead while the bot has not written there yet);
* ``GET /_soak/result`` — for each update, the time to the bot's first message in that chat
  after it (ms, sorted), how many got none, and how many were presses of a card's button.

The process stops by itself after ``--lifetime`` seconds whatever happens.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import time
from typing import Any

from aiohttp import web

from bench.fakebotapi import FakeBotAPI, FakeUser

CARD = "card"  # a text of the load that stands for a press of a card's button


class SoakServer(FakeBotAPI):
    def __init__(self, token: str) -> None:
        super().__init__(token=token, record_requests=False)
        self.injected: list[tuple[int, float]] = []  # (chat, monotonic time)
        self.planned = 0
        self.card_presses = 0
        self.load_done = asyncio.Event()
        self._load: asyncio.Task[None] | None = None

    def make_app(self, *, control_api: bool = True) -> web.Application:
        app = super().make_app(control_api=control_api)
        app.router.add_get("/_soak/status", self._status)
        app.router.add_post("/_soak/load", self._start_load)
        app.router.add_get("/_soak/result", self._result)
        return app

    async def _status(self, _: web.Request) -> web.Response:
        return web.json_response(
            {
                "polls": self._polls_started,
                "injected": len(self.injected),
                "planned": self.planned,
                "done": self.load_done.is_set(),
                "bot_messages": self.stats.sent,
            }
        )

    async def _start_load(self, request: web.Request) -> web.Response:
        spec = await request.json()
        if self._load is not None:
            raise web.HTTPConflict(text="a load is already running")
        self.planned = int(spec["updates"])
        self._load = asyncio.create_task(self._drive(spec))
        return web.json_response({"ok": True})

    async def _drive(self, spec: dict[str, Any]) -> None:
        first, users = int(spec["first_user"]), int(spec["users"])
        rate, texts = float(spec["rate"]), list(spec["texts"])
        cards = [int(c) for c in spec.get("cards") or ()]
        loop = asyncio.get_running_loop()
        start = loop.time()
        try:
            for i in range(self.planned):
                # A steady rate by the schedule, not by sleeping a fixed step: no drift.
                delay = start + i / rate - loop.time()
                if delay > 0:
                    await asyncio.sleep(delay)
                chat = first + i % users
                text = texts[(i // users + chat) % len(texts)]
                self.injected.append((chat, time.monotonic()))
                user = self.user(chat, f"U{chat}")
                if text == CARD and cards and self._press_card(user, cards[i % len(cards)]):
                    continue
                await user.send("/my" if text == CARD else text)
        finally:
            self.load_done.set()

    def _press_card(self, user: FakeUser, rec_id: int) -> bool:
        """A press of the card button ``card:<rec_id>`` under the bot's latest message to
        ``user`` (False when there is none yet)."""
        chat = self._chats.get(user.id)
        if chat is None:
            return False
        latest = [chat.messages[i] for i in reversed(chat.bot_message_ids) if i in chat.messages]
        if not latest:
            return False
        query_id = self._next_query_id("soak")
        self._queries[query_id] = {"answered": False, "user_id": user.id}
        self.push_update(
            "callback_query",
            {
                "id": query_id,
                "from": user.as_dict(),
                "chat_instance": chat.instance,
                "message": latest[0],
                "data": f"card:{rec_id}",
            },
        )
        self.card_presses += 1
        return True

    async def _result(self, _: web.Request) -> web.Response:
        latencies: list[float] = []
        unanswered = 0
        for chat, at in self.injected:
            times = self.stats.send_times.get(chat, [])
            k = bisect.bisect_left(times, at)
            if k < len(times):
                latencies.append((times[k] - at) * 1000)
            else:
                unanswered += 1
        latencies.sort()
        return web.json_response(
            {
                "latencies_ms": [round(x, 2) for x in latencies],
                "unanswered": unanswered,
                "card_presses": self.card_presses,
                "api_errors": sum(self.stats.errors.values()),
                "requests": dict(self.stats.requests),
            }
        )


async def _serve(token: str, lifetime: float) -> None:
    server = SoakServer(token)
    base = await server.start("127.0.0.1", 0)
    print(f"PORT {base.rsplit(':', 1)[1]}", flush=True)
    try:
        await asyncio.sleep(lifetime)  # bounded: the bench kills us earlier when all is well
    finally:
        await server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.soak_server")
    parser.add_argument("--token", required=True)
    parser.add_argument("--lifetime", type=float, default=1800)
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.token, args.lifetime))


if __name__ == "__main__":
    main()
