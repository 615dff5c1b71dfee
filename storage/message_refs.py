"""Which recommendations a message the bot sent is about (``message_refs``): a reply to that
message is then a comment on them.

Every card shown adds a row, and nobody reads it until someone replies, so rows of cards are
kept in memory and written together a moment later (``FLUSH_DELAY`` seconds after the first
one waiting, or at once when ``FLUSH_ROWS`` wait): one write for many cards instead of one
per card.  ``MessageRefs`` is the one owner of the table while the bot runs: its lookup sees
the rows still waiting, and whoever reads or deletes the table otherwise (a person's data
exported or forgotten) calls ``flush`` first.  The dispatcher's shutdown and the services'
closing flush too.

What a crash can lose: the rows of the cards shown in the last ``FLUSH_DELAY`` seconds.  A
reply to such a card is then read as a question instead of a comment on it; the card itself,
its buttons and everything reported stay as they were.
"""

from __future__ import annotations

import asyncio
import logging

from storage.db import Database

log = logging.getLogger(__name__)

FLUSH_DELAY = 1.0  # seconds
FLUSH_ROWS = 200

INSERT = (
    "INSERT OR IGNORE INTO message_refs (chat_id, message_id, recommendation_id) VALUES (?, ?, ?)"
)


class MessageRefs:
    def __init__(self, db: Database, delay: float = FLUSH_DELAY) -> None:
        self.db = db
        self.delay = delay
        self._waiting: dict[tuple[int, int], tuple[int, ...]] = {}
        self._timer: asyncio.TimerHandle | None = None
        self._flushing: asyncio.Task[None] | None = None

    async def remember(self, chat_id: int, message_id: int, rec_ids: list[int]) -> None:
        """Write now (inside the caller's transaction, if it holds one)."""
        await self.db.executemany(INSERT, [(chat_id, message_id, r) for r in rec_ids])

    def remember_soon(self, chat_id: int, message_id: int, rec_ids: list[int]) -> None:
        """Keep the row and write it with the others shortly (see the module's note)."""
        self._waiting[(chat_id, message_id)] = tuple(rec_ids)
        if len(self._waiting) >= FLUSH_ROWS:
            self._start_flush()
        elif self._timer is None:
            self._timer = asyncio.get_running_loop().call_later(self.delay, self._start_flush)

    @property
    def waiting(self) -> int:
        return len(self._waiting)

    async def recommendations_of(self, chat_id: int, message_id: int) -> list[int]:
        waiting = self._waiting.get((chat_id, message_id))
        if waiting is not None:
            return sorted(set(waiting))
        rows = await self.db.fetchall(
            "SELECT recommendation_id FROM message_refs WHERE chat_id = ? AND message_id = ?"
            " ORDER BY recommendation_id",
            (chat_id, message_id),
        )
        return [r[0] for r in rows]

    def _start_flush(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._flushing is None or self._flushing.done():
            self._flushing = asyncio.get_running_loop().create_task(self._flush_logged())

    async def _flush_logged(self) -> None:
        try:
            await self.flush()
        except Exception:
            log.exception("message refs: could not write %d row(s); kept for later", self.waiting)

    async def flush(self) -> None:
        """Write every waiting row now; on failure they stay waiting (and are tried again)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        while self._waiting:
            batch, self._waiting = self._waiting, {}
            rows = [(c, m, r) for (c, m), rec_ids in batch.items() for r in rec_ids]
            try:
                await self.db.executemany(INSERT, rows)
            except BaseException:
                # Tried again with the next card shown, or by the next explicit flush.
                self._waiting = batch | self._waiting
                raise
