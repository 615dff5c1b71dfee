"""Nudges to officials: before a deadline, on the day, weekly while overdue; escalations and
check-ins.

Every nudge has a ledger key in the outbox (``nudge:{user}:{rec}:{stage}``), so it is queued
once.  Only the *current* stage is ever queued: after downtime an official gets today's
reminder, not the stale ones it missed.  Nothing is queued in quiet hours (21:00–09:00 local).
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import defaultdict
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.buttons import Button, Keyboard, OpenCard, ReportStatus, SnoozeNudge, in_rows
from bot.clock import Clock, from_iso, to_iso
from bot.formatting import human_deadline, shorten
from bot.localtime import QUIET_FROM, QUIET_TILL, is_quiet, local_date, zone_for
from bot.occurrence import current_deadline
from bot.outbox import OutboxService
from bot.texts import Html, Texts, join_within
from bot.views import status_label
from storage.digests import NudgeRepository
from storage.statuses import REPORTED_STATUSES

BEFORE_STAGES = (14, 3, 1)  # days before the deadline
CHECK_IN_DAYS = 60
ESCALATE_AFTER = 2  # overdue nudges without a report
SNOOZE_DAYS = 7


def stage_for(deadline: dt.date, today: dt.date) -> str | None:
    """The reminder due today: "d14", "d3", "d1", "d0", then "o1", "o2"… weekly overdue."""
    days_left = (deadline - today).days
    if days_left > BEFORE_STAGES[0]:
        return None
    if days_left > 0:
        # Each stage owns the days up to the next one: 14…4 days → d14, 3…2 → d3, 1 → d1.
        return f"d{min(d for d in BEFORE_STAGES if d >= days_left)}"
    if days_left == 0:
        return "d0"
    weeks = (-days_left) // 7
    return f"o{weeks}" if weeks >= 1 else None


def deadline_day_slot(now: dt.datetime, deadline: dt.date, zone: ZoneInfo) -> dt.datetime:
    """On the deadline day, at the local time of ``now`` moved out of quiet hours (UTC)."""
    local = now.astimezone(zone).time().replace(second=0, microsecond=0)
    if not QUIET_TILL <= local.hour < QUIET_FROM:
        local = dt.time(QUIET_TILL)
    return dt.datetime.combine(deadline, local, zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class Snooze:
    until: dt.datetime
    deadline_day: dt.date | None = None  # set when the deadline cut the week short


# An open recommendation as read, or a copy with its recurring term rolled forward.
_Row = sqlite3.Row | dict[str, Any]


def current_occurrence(rec: sqlite3.Row, today: dt.date) -> tuple[_Row, bool]:
    """(the row, rolled): a recurring term whose day has passed is due at its next
    occurrence ("ежегодно до 1 марта" → next 1 March), never overdue."""
    current = current_deadline(rec["deadline"], rec["deadline_kind"], rec["deadline_period"], today)
    if current == rec["deadline"]:
        return rec, False
    return {**dict(rec), "deadline": current}, True


@dataclass
class Planned:
    recipient_id: int
    kind: str
    key: str
    text: str
    keyboard: Keyboard
    rec_ids: list[int]
    ends_snooze: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "recipient_id": self.recipient_id,
            "kind": self.kind,
            "key": self.key,
            "recommendation_ids": self.rec_ids,
        }


@dataclass
class NudgePlanner:
    repo: NudgeRepository
    outbox: OutboxService
    texts: Texts
    clock: Clock
    default_tz: str

    async def due(self, now: dt.datetime) -> list[Planned]:
        """Everything to queue now (nothing is queued here: ``run`` does that)."""
        planned: list[Planned] = []
        escalate: dict[tuple[str, int], list[_Row]] = defaultdict(list)  # (region, addressee)
        for user, addressee_ids in await self.repo.officials():
            zone = zone_for(user.region, self.default_tz)
            if is_quiet(now, zone):
                continue
            paused = user.nudges_paused_until and from_iso(user.nudges_paused_until) > now
            today = local_date(now, zone)
            sent = await self.repo.keys_with_prefix(f"nudge:{user.id}:")
            snoozes = await self.repo.snoozes(user.id)
            for stored in await self.repo.open_recommendations(addressee_ids):
                rec, rolled = current_occurrence(stored, today)
                stage = self._stage(rec, today, now)
                if rolled and stage is not None:
                    stage = f"{stage}@{rec['deadline']}"  # this occurrence's own reminders
                if stage is not None and self._needs_escalation(user.id, rec, stage, sent):
                    for addressee in await self.repo.addressees_of(rec["id"], addressee_ids):
                        escalate[(rec["region"], addressee)].append(rec)
                snoozed_until = snoozes.get(rec["id"])
                if snoozed_until:
                    if from_iso(snoozed_until) > now:
                        continue
                    # The snooze is up: one more reminder, then the ordinary stages again.
                    # Today's ordinary reminder (e.g. the deadline day's) counts as that one.
                    if stage is None or f"nudge:{user.id}:{rec['id']}:{stage}" in sent:
                        stage = f"s{snoozed_until[:10]}"
                if paused or stage is None:
                    continue
                key = f"nudge:{user.id}:{rec['id']}:{stage}"
                if key not in sent:
                    nudge = self._nudge(user.id, key, rec, stage, today)
                    nudge.ends_snooze = bool(snoozed_until)
                    planned.append(nudge)
        planned += await self._escalations(escalate, now)
        return planned

    @staticmethod
    def _needs_escalation(user_id: int, rec: _Row, stage: str, sent: set[str]) -> bool:
        """Two weekly overdue nudges went out and nobody reported since the deadline."""
        if not stage.startswith("o") or int(stage[1:]) < ESCALATE_AFTER:
            return False
        if f"nudge:{user_id}:{rec['id']}:o{ESCALATE_AFTER}" not in sent:
            return False
        last = rec["last_report_at"]
        return not (last and last[:10] > rec["deadline"])

    def _stage(self, rec: _Row, today: dt.date, now: dt.datetime) -> str | None:
        if rec["deadline"]:
            return stage_for(dt.date.fromisoformat(rec["deadline"]), today)
        last = from_iso(rec["last_report_at"] or rec["created_at"])
        periods = (now - last).days // CHECK_IN_DAYS
        return f"c{periods}" if periods >= 1 else None

    def _nudge(self, user_id: int, key: str, rec: _Row, stage: str, today: dt.date) -> Planned:
        texts = self.texts
        if stage.startswith("c"):
            lead = texts("nudge.check_in", days=CHECK_IN_DAYS)
        elif stage.startswith("s"):
            lead = texts("nudge.snoozed")
        else:
            days = (dt.date.fromisoformat(rec["deadline"]) - today).days
            if days > 0:
                lead = texts("nudge.before", n=days)
            elif days == 0:
                lead = texts("nudge.today")
            else:
                lead = texts("nudge.overdue", n=-days)
        deadline = (
            human_deadline(rec["deadline"], rec["deadline_precision"])
            if rec["deadline"]
            else texts("card.no_deadline")
        )
        text = join_within(
            [
                texts(
                    "nudge.body",
                    lead=lead,
                    number=rec["number"],
                    text=shorten(rec["text"], 600),
                    title=shorten(rec["title"], 120),
                    deadline=deadline,
                    status=status_label(texts, rec["status"]),
                ),
                texts("nudge.hint"),
            ]
        )
        buttons = [
            Button(status_label(texts, status), ReportStatus(rec["id"], status))
            for status in REPORTED_STATUSES
        ]
        buttons.append(Button(texts("nudge.snooze_button"), SnoozeNudge(rec["id"])))
        buttons.append(Button(texts("card.open_button"), OpenCard(rec["id"])))
        keyboard = in_rows(buttons, 2, 2, 1, 1)
        return Planned(user_id, "nudge", key, text, keyboard, [rec["id"]])

    async def _escalations(
        self, escalate: dict[tuple[str, int], list[_Row]], now: dt.datetime
    ) -> list[Planned]:
        planned: list[Planned] = []
        names = await self.repo.addressee_names(sorted({a for _, a in escalate}))
        for (region, addressee_id), recs in sorted(escalate.items()):
            unique = {r["id"]: r for r in recs}
            week = now.strftime("%G-W%V")
            for coordinator in await self.repo.coordinators_of(region):
                zone = zone_for(region, self.default_tz)
                if is_quiet(now, zone):
                    continue
                key = f"escalation:{coordinator}:{addressee_id}:{week}"
                lines = [
                    self.texts(
                        "escalation.line",
                        number=r["number"],
                        text=shorten(r["text"], 120),
                        deadline=human_deadline(r["deadline"], r["deadline_precision"]),
                    )
                    for r in sorted(unique.values(), key=lambda r: r["deadline"])[:10]
                ]
                text = join_within(
                    [
                        self.texts(
                            "escalation.head",
                            addressee=names.get(addressee_id, ""),
                            n=len(unique),
                        ),
                        Html("\n".join(lines)),
                        self.texts("escalation.hint"),
                    ]
                )
                numbers = [
                    Button(str(i), OpenCard(rec_id))
                    for i, rec_id in enumerate(list(unique)[:10], start=1)
                ]
                planned.append(
                    Planned(coordinator, "escalation", key, text, in_rows(numbers, 5), list(unique))
                )
        return planned

    async def run(self, now: dt.datetime | None = None) -> int:
        now = now or self.clock.now()
        queued = 0
        for item in await self.due(now):
            if await self.outbox.enqueue(
                item.recipient_id,
                item.kind,
                item.key,
                item.text,
                keyboard=item.keyboard,
                recommendation_ids=item.rec_ids,
            ):
                queued += 1
            if item.ends_snooze:
                await self.repo.drop_snooze(item.recipient_id, item.rec_ids[0])
        return queued

    async def snooze(self, user_id: int, recommendation_id: int) -> Snooze:
        """A week's quiet, but never past the deadline day: then it ends on that day."""
        now = self.clock.now()
        snooze = Snooze(now + dt.timedelta(days=SNOOZE_DAYS))
        deadline, region = await self.repo.deadline_and_region(user_id, recommendation_id)
        if deadline:
            day = dt.date.fromisoformat(deadline)
            slot = deadline_day_slot(now, day, zone_for(region, self.default_tz))
            if now < slot < snooze.until:  # once overdue, the ordinary week
                snooze = Snooze(slot, deadline_day=day)
        await self.repo.snooze(user_id, recommendation_id, to_iso(snooze.until))
        return snooze
