"""Queueing messages for the delivery worker: the one path all bot-initiated traffic takes."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.buttons import Keyboard, to_json
from bot.clock import Clock, to_iso
from storage.outbox import OutboxRepository


def build_payload(
    text: str,
    keyboard: Keyboard | None = None,
    recommendation_ids: list[int] | None = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the outbox stores: HTML text, buttons as plain actions (:mod:`bot.buttons`; the
    sender makes them a channel's buttons) and the recommendations a reply is about."""
    payload: dict[str, Any] = {"text": text, "parse_mode": "HTML"}
    if keyboard:
        payload["buttons"] = to_json(keyboard)
    if recommendation_ids:
        # Lets a reply to this message be recorded against the right recommendation.
        payload["recommendation_ids"] = recommendation_ids
    if extra:
        payload.update(extra)
    return payload


@dataclass(frozen=True)
class Outgoing:
    """One message for ``enqueue_many``."""

    recipient_id: int
    kind: str
    dedup_key: str
    text: str
    keyboard: Keyboard | None = None
    recommendation_ids: list[int] | None = None


class OutboxService:
    def __init__(self, repo: OutboxRepository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock
        # Set by the delivery worker: a callable that wakes it early.
        self.wakeup: Callable[[], None] | None = None

    async def enqueue(
        self,
        recipient_id: int,
        kind: str,
        dedup_key: str,
        text: str,
        *,
        keyboard: Keyboard | None = None,
        not_before: dt.datetime | None = None,
        ref_id: int | None = None,
        recommendation_ids: list[int] | None = None,
        extra: dict[str, Any] | None = None,
    ) -> bool:
        """Queue an HTML message; False if this ledger key was queued before."""
        payload = build_payload(text, keyboard, recommendation_ids, extra)
        now = self.clock.now()
        queued = await self.repo.enqueue(
            dedup_key,
            recipient_id,
            kind,
            payload,
            not_before=to_iso(not_before or now),
            now=to_iso(now),
            ref_id=ref_id,
        )
        if queued and self.wakeup is not None:
            self.wakeup()
        return queued

    async def enqueue_many(
        self, items: list[Outgoing], not_before: dt.datetime | None = None
    ) -> None:
        """Queue many messages in one statement; keys already in the ledger are skipped."""
        if not items:
            return
        now = to_iso(self.clock.now())
        start = to_iso(not_before) if not_before else now
        # Digests for users alike share their text, buttons and ids: encoded once.  The items
        # keep those objects alive during the call, so their ids stay unique.
        encoded: dict[tuple[int, int, int], str] = {}
        rows: list[tuple[str, int, str, int | None, str, str, str]] = []
        for item in items:
            same = (id(item.text), id(item.keyboard), id(item.recommendation_ids))
            payload = encoded.get(same)
            if payload is None:
                payload = encoded[same] = json.dumps(
                    build_payload(item.text, item.keyboard, item.recommendation_ids),
                    ensure_ascii=False,
                )
            rows.append((item.dedup_key, item.recipient_id, item.kind, None, payload, start, now))
        await self.repo.enqueue_many(rows)
        if self.wakeup is not None:
            self.wakeup()
