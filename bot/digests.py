"""Digests: what is new for each user, at their local hour, once per period.

Each run takes the users whose ``next_digest_at`` has passed, composes their digest from the
activity loaded once for the whole run, queues it in the outbox under the ledger key
``digest:{user}:{local date of the slot}`` and moves ``next_digest_at`` to the next slot after
*now*.  So a crash between queueing and rescheduling repeats nothing (the key is taken), and
after days of downtime a user gets one catch-up digest covering everything since the last one.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.buttons import Button, Keyboard, OpenCard, SetDigestFrequency
from bot.clock import Clock, from_iso, to_iso
from bot.formatting import human_deadline, shorten
from bot.localtime import local_date, next_digest_slot, zone_for
from bot.occurrence import current_deadline
from bot.outbox import OutboxService, Outgoing
from bot.texts import Html, Texts, join_within
from bot.titles import readable_title
from bot.views import status_label
from storage.digests import PARTICIPANTS, ActivityRow, DigestRepository, kinds_of
from storage.users import UserRecord

WINDOW_CAP = dt.timedelta(days=31)
HORIZON_DAYS = 14
SECTION_LINES = 6
CARD_BUTTONS = 10
BATCH = 1000
ENQUEUE_SLICE = 100  # digests queued in one statement
CACHE_LIMIT = 4000  # rendered bodies, sections or button rows kept for reuse in one run
LINE_CACHE_LIMIT = 40_000  # rendered lines (plain strings: small, and nothing for the GC)
# Planning gives the event loop back at least this often (seconds of work between yields).
SLICE_SECONDS = 0.01

_ByRegionKind = dict[tuple[str, str], list[ActivityRow]]


@dataclass
class Activity:
    """Everything that happened since the earliest ``since`` among the due users."""

    since: str
    new_docs: list[ActivityRow] = field(default_factory=list)
    new_recs: _ByRegionKind = field(default_factory=lambda: defaultdict(list))
    events: _ByRegionKind = field(default_factory=lambda: defaultdict(list))
    events_by_rec: dict[int, list[ActivityRow]] = field(default_factory=lambda: defaultdict(list))
    deadlines: _ByRegionKind = field(default_factory=lambda: defaultdict(list))
    deadlines_by_rec: dict[int, ActivityRow] = field(default_factory=dict)
    titles: dict[int, str] = field(default_factory=dict)
    actors: set[int] = field(default_factory=set)  # who made the events
    # Rendered once per run and shared by every user it fits (the run owns them: a new run,
    # a new Activity, empty caches).
    bodies: dict[tuple[Any, ...], _Body | None] = field(default_factory=dict)
    # Sections and lines are kept as plain strings in tuples of plain values: the garbage
    # collector stops tracking those, so a full collection during the run stays short.
    sections: dict[tuple[Any, ...], tuple[str, tuple[int, ...]]] = field(default_factory=dict)
    lines: dict[tuple[Any, ...], str] = field(default_factory=dict)
    number_rows: dict[tuple[int, ...], list[Button]] = field(default_factory=dict)
    number_buttons: dict[tuple[int, int], Button] = field(default_factory=dict)
    _new_doc_ids: dict[str, frozenset[int]] = field(default_factory=dict)

    def new_doc_ids(self, since_iso: str) -> frozenset[int]:
        """Documents published after ``since_iso`` (the same for everyone with that window)."""
        found = self._new_doc_ids.get(since_iso)
        if found is None:
            found = frozenset(d["id"] for d in self.new_docs if d["created_at"] > since_iso)
            self._new_doc_ids[since_iso] = found
        return found


@dataclass(frozen=True)
class _Body:
    """A digest without its addressee: the same for users with the same regions and kinds."""

    text: Html
    keyboard: Keyboard
    recommendation_ids: list[int]


def _remember(cache: dict[Any, Any], key: Any, value: Any, lines: bool = False) -> None:
    """Keep a rendered part for the users after this one; memory stays bounded: past
    ``CACHE_LIMIT`` parts (``LINE_CACHE_LIMIT`` for lines) a cache starts afresh (users alike
    come early, as most users are alike)."""
    if len(cache) >= (LINE_CACHE_LIMIT if lines else CACHE_LIMIT):
        cache.clear()
    cache[key] = value


class _Slicer:
    """Gives the event loop back once a slice of CPU-bound work has run for long enough."""

    def __init__(self) -> None:
        self.seconds = SLICE_SECONDS
        self._since = time.perf_counter()

    async def pause(self) -> None:
        if time.perf_counter() - self._since >= self.seconds:
            await asyncio.sleep(0)
            self._since = time.perf_counter()


@dataclass
class Digest:
    user_id: int
    period: str
    text: Html
    keyboard: Keyboard
    recommendation_ids: list[int]


async def _index(
    rows: list[ActivityRow],
    by_region_kind: _ByRegionKind,
    slicer: _Slicer,
    by_rec: dict[int, Any] | None = None,  # rows by recommendation: lists, or one (many=False)
    many: bool = True,
) -> None:
    for count, row in enumerate(rows):
        if count % 500 == 0:
            await slicer.pause()
        for kind in kinds_of(row["kinds"]):
            by_region_kind[(row["region"], kind)].append(row)
        if by_rec is not None:
            if many:
                by_rec[row["recommendation_id"]].append(row)
            else:
                by_rec[row["id"]] = row


@dataclass
class DigestPlanner:
    repo: DigestRepository
    outbox: OutboxService
    texts: Texts
    clock: Clock
    default_tz: str
    _settings_rows: dict[str, list[Button]] = field(default_factory=dict, init=False, repr=False)

    # scheduling
    def next_slot(self, user: UserRecord, after: dt.datetime) -> dt.datetime | None:
        zone = zone_for(user.region, self.default_tz)
        return next_digest_slot(
            after, zone, user.digest_frequency, user.digest_weekday, user.digest_hour
        )

    async def schedule_new_users(self, now: dt.datetime) -> int:
        """Users without a next digest time get one (first digest at their next slot)."""
        count, after_id = 0, 0
        while users := await self.repo.unscheduled_users(after_id, BATCH):
            rows: list[tuple[str | None, str | None, int]] = []
            for user in users:
                slot = self.next_slot(user, now)
                rows.append((to_iso(slot) if slot else None, None, user.id))
            await self.repo.set_schedules(rows)
            count += len(users)
            after_id = users[-1].id
        return count

    def since_for(self, user: UserRecord, now: dt.datetime) -> dt.datetime:
        since = from_iso(user.last_digest_at or user.created_at)
        return max(since, now - WINDOW_CAP)

    # the run
    async def batches(
        self, now: dt.datetime
    ) -> AsyncIterator[tuple[list[UserRecord], list[Digest]]]:
        """Due users in batches, each with the digests composed for them (None: nothing new)."""
        earliest = await self.repo.earliest_since(to_iso(now))
        if earliest is None:
            return
        # One window for the whole run: from the earliest "since" among the due users.
        activity = await self.load_activity(max(from_iso(earliest), now - WINDOW_CAP), now)
        after_id = 0
        while users := await self.repo.due_users(to_iso(now), after_id, BATCH):
            after_id = users[-1].id
            yield users, await self.compose_batch(users, activity, now)

    async def due(self, now: dt.datetime) -> list[Digest]:
        """What a run at ``now`` would queue, without queueing (``python -m bot due``)."""
        return [d async for _, digests in self.batches(now) for d in digests]

    async def run(self, now: dt.datetime | None = None) -> dict[str, int]:
        now = now or self.clock.now()
        await self.schedule_new_users(now)
        stats = {"due": 0, "queued": 0, "empty": 0}
        async for users, digests in self.batches(now):
            slicer = _Slicer()
            for start in range(0, len(digests), ENQUEUE_SLICE):
                # Encoding a slice is a short step: the event loop is given back in between.
                await slicer.pause()
                await self.outbox.enqueue_many(
                    [
                        Outgoing(
                            d.user_id,
                            "digest",
                            f"digest:{d.user_id}:{d.period}",
                            d.text,
                            d.keyboard,
                            d.recommendation_ids,
                        )
                        for d in digests[start : start + ENQUEUE_SLICE]
                    ]
                )
            # Rescheduling after queueing: a crash in between repeats nothing (keys are taken).
            schedules: list[tuple[str | None, str | None, int]] = []
            for user in users:
                await slicer.pause()
                slot = self.next_slot(user, now)
                schedules.append((to_iso(slot) if slot else None, to_iso(now), user.id))
            await self.repo.set_schedules(schedules)
            stats["due"] += len(users)
            stats["queued"] += len(digests)
            stats["empty"] += len(users) - len(digests)
        return stats

    async def load_activity(self, since: dt.datetime, now: dt.datetime) -> Activity:
        since_iso = to_iso(since)
        activity = Activity(since=since_iso)
        slicer = _Slicer()
        activity.new_docs = await self.repo.new_documents(since_iso)
        await _index(await self.repo.new_recommendations(since_iso), activity.new_recs, slicer)
        events = await self.repo.events(since_iso)
        await _index(events, activity.events, slicer, activity.events_by_rec)
        activity.actors = {e["actor_id"] for e in events}
        first = (since.date() - dt.timedelta(days=1)).isoformat()
        last = (now.date() + dt.timedelta(days=HORIZON_DAYS + 2)).isoformat()
        await _index(
            await self.repo.deadlines_between(first, last),
            activity.deadlines,
            slicer,
            activity.deadlines_by_rec,
            many=False,
        )
        doc_ids = {d["id"] for d in activity.new_docs}
        for rows in (activity.new_recs, activity.events, activity.deadlines):
            doc_ids |= {r["document_id"] for group in rows.values() for r in group}
        activity.titles = await self.repo.document_titles(doc_ids)
        return activity

    async def compose_batch(
        self, users: list[UserRecord], activity: Activity, now: dt.datetime
    ) -> list[Digest]:
        ids = [u.id for u in users]
        subscriptions = await self.repo.subscriptions_of(ids)
        follows = await self.repo.follows_of(ids)
        digests = []
        slicer = _Slicer()
        for user in users:
            await slicer.pause()
            regions = subscriptions.get(user.id) or ([user.region] if user.region else [])
            digest = self.compose(user, regions, follows.get(user.id, set()), activity, now)
            if digest is not None:
                digests.append(digest)
        return digests

    def compose(
        self,
        user: UserRecord,
        regions: list[str],
        follows: set[int],
        activity: Activity,
        now: dt.datetime,
    ) -> Digest | None:
        """The digest for one user, or None when nothing is new for them."""
        zone = zone_for(user.region, self.default_tz)
        since = self.since_for(user, now)
        kinds = {user.org_kind, PARTICIPANTS} if user.org_kind else {PARTICIPANTS}
        body: _Body | None
        if follows or user.id in activity.actors:
            # Followed items and one's own events make the digest this user's alone.
            body = self._body(user, regions, kinds, follows, since, zone, activity, now)
        else:
            # The same regions, kinds, window and local day: the same digest, composed once.
            # Sorted tuples rather than frozensets: plain values, untracked by the collector.
            shared = (
                tuple(sorted(set(regions))),
                tuple(sorted(kinds)),
                to_iso(since),
                local_date(now, zone),
                local_date(since, zone),
                user.digest_frequency,
            )
            if shared in activity.bodies:
                body = activity.bodies[shared]
            else:
                body = self._body(user, regions, kinds, follows, since, zone, activity, now)
                _remember(activity.bodies, shared, body)
        if body is None:
            return None
        slot = from_iso(user.next_digest_at) if user.next_digest_at else now
        return Digest(
            user_id=user.id,
            period=local_date(min(slot, now), zone).isoformat(),
            text=body.text,
            keyboard=body.keyboard,
            recommendation_ids=body.recommendation_ids,
        )

    def _body(
        self,
        user: UserRecord,
        regions: list[str],
        kinds: set[str],
        follows: set[int],
        since: dt.datetime,
        zone: ZoneInfo,
        activity: Activity,
        now: dt.datetime,
    ) -> _Body | None:
        since_iso = to_iso(since)
        today = local_date(now, zone)
        keys = [(region, kind) for region in regions for kind in kinds]

        def concerning(index: _ByRegionKind) -> dict[int, ActivityRow]:
            found: dict[int, ActivityRow] = {}
            for key in keys:
                for row in index.get(key, ()):
                    found[row["id"]] = row
            return found

        new_recs = [
            r for r in concerning(activity.new_recs).values() if r["created_at"] > since_iso
        ]
        event_rows = dict(concerning(activity.events))
        for rec_id in follows:
            for event in activity.events_by_rec.get(rec_id, ()):
                event_rows[event["id"]] = event
        events = sorted(
            (
                e
                for e in event_rows.values()
                if e["created_at"] > since_iso and e["actor_id"] != user.id
            ),
            key=lambda e: e["id"],
        )
        deadline_rows = dict(concerning(activity.deadlines))
        for rec_id in follows:
            if rec_id in activity.deadlines_by_rec:
                deadline_rows[rec_id] = activity.deadlines_by_rec[rec_id]
        horizon = today + dt.timedelta(days=HORIZON_DAYS)
        since_day = local_date(since, zone)
        soon: list[ActivityRow] = []
        overdue: list[ActivityRow] = []
        row: ActivityRow
        for row in deadline_rows.values():
            # A recurring term counts at its occurrence due now: never missed, shown as such.
            rolled = current_deadline(row["deadline"], row["deadline_kind"],
                                      row["deadline_period"], today)  # fmt: skip
            if rolled != row["deadline"]:
                row = {**dict(row), "deadline": rolled}
            deadline = dt.date.fromisoformat(row["deadline"])
            if today <= deadline <= horizon:
                soon.append(row)
            elif since_day <= deadline < today:
                overdue.append(row)
        if not (new_recs or events or soon or overdue):
            return None
        return self._render(
            user.digest_frequency, activity.new_doc_ids(since_iso), new_recs, events, soon,
            overdue, activity,
        )  # fmt: skip

    def _render(
        self,
        frequency: str,
        new_doc_ids: frozenset[int],
        new_recs: list[ActivityRow],
        events: list[ActivityRow],
        soon: list[ActivityRow],
        overdue: list[ActivityRow],
        activity: Activity,
    ) -> _Body:
        texts = self.texts
        numbered: list[int] = []
        per_doc: dict[int, int] = defaultdict(int)
        for rec in new_recs:
            per_doc[rec["document_id"]] += 1
        lines_cache = activity.lines

        def number(rec_id: int) -> int:
            if rec_id not in numbered:
                numbered.append(rec_id)
            return numbered.index(rec_id) + 1

        def cached(key: tuple[Any, ...], render: Callable[[], Html]) -> str:
            """A line rendered once per run for everyone whose digest holds it."""
            line = lines_cache.get(key)
            if line is None:
                line = str(render())
                _remember(lines_cache, key, line, lines=True)
            return line

        def title_line(key: str, doc_id: int) -> str:
            new = key == "new" and doc_id in new_doc_ids

            def render() -> Html:
                title = shorten(readable_title(activity.titles.get(doc_id, "")), 100)
                if new:
                    return texts("digest.new_document", title=title, n=per_doc[doc_id])
                return texts("digest.document", title=title)

            return cached(("new", doc_id, per_doc[doc_id]) if new else ("document", doc_id), render)

        def section(key: str, rows: list[ActivityRow], line: Callable[[ActivityRow], str]) -> str:
            """Lines grouped under their resolution's title, so a title is said once.

            A section is rendered once per run for the same rows at the same positions."""
            shown = rows[:SECTION_LINES]
            docs = list(dict.fromkeys(row["document_id"] for row in shown))
            if key == "new":
                extra: tuple[Any, ...] = tuple((d, d in new_doc_ids, per_doc[d]) for d in docs)
            elif key in ("soon", "overdue"):
                extra = tuple(row["deadline"] for row in shown)
            else:
                extra = ()
            cache_key = (key, tuple(row["id"] for row in shown), len(rows), tuple(numbered), extra)
            cached = activity.sections.get(cache_key)
            if cached is not None:
                numbered[:] = cached[1]
                return cached[0]
            lines: list[str] = []
            current = None
            for row in shown:
                if row["document_id"] != current:
                    current = row["document_id"]
                    lines.append(title_line(key, current))
                lines.append(line(row))
            if len(rows) > SECTION_LINES:
                lines.append(texts("digest.more", n=len(rows) - SECTION_LINES))
            text = str(texts(f"digest.section_{key}", lines=Html("\n".join(lines))))
            _remember(activity.sections, cache_key, (text, tuple(numbered)))
            return text

        def item(row: ActivityRow) -> str:
            position = number(row["id"])
            return cached(
                ("item", row["id"], position),
                lambda: texts(
                    "digest.item",
                    position=position,
                    number=row["number"],
                    text=shorten(row["text"], 110),
                ),
            )

        def deadline_item(row: ActivityRow) -> str:
            position = number(row["id"])
            return cached(
                ("deadline", row["id"], position, row["deadline"]),
                lambda: texts(
                    "digest.deadline_item",
                    position=position,
                    number=row["number"],
                    text=shorten(row["text"], 90),
                    deadline=human_deadline(row["deadline"], row["deadline_precision"]),
                ),
            )

        def event_line(event: ActivityRow) -> str:
            position = number(event["recommendation_id"])
            return cached(
                ("event", event["id"], position), lambda: self._event_line(event, position)
            )

        parts: list[str] = [texts(f"digest.head_{frequency}")]
        if new_recs:
            parts.append(
                section("new", sorted(new_recs, key=lambda r: (r["document_id"], r["id"])), item)
            )
        if events:
            recent = sorted(events[-SECTION_LINES:], key=lambda e: (e["document_id"], e["id"]))
            parts.append(section("events", recent, event_line))
        for key, rows in (("soon", soon), ("overdue", overdue)):
            if rows:
                ordered = sorted(rows, key=lambda r: (r["document_id"], r["deadline"], r["id"]))
                parts.append(section(key, ordered, deadline_item))
        parts.append(texts("digest.footer"))
        return _Body(
            text=join_within(parts),
            keyboard=self._keyboard(numbered[:CARD_BUTTONS], frequency, activity),
            recommendation_ids=numbered,
        )

    def _event_line(self, event: ActivityRow, position: int) -> Html:
        texts = self.texts
        if event["event"] == "status":
            what = texts("digest.event_status", status=status_label(texts, event["new_status"]))
        elif event["event"] == "assessment":
            what = texts(f"history.assessment_{event['verdict']}")
        elif event["event"] == "deadline":
            what = texts("digest.event_deadline")
        else:
            what = texts("digest.event_comment")
        return texts("digest.event", position=position, number=event["number"], what=what)

    def _keyboard(self, rec_ids: list[int], frequency: str, activity: Activity) -> Keyboard:
        """Numbers that open the cards, five a row, then the frequency choices."""
        rows: Keyboard = []
        for start in range(0, len(rec_ids), 5):
            # A row is known by its first number and its cards: built once per run.
            key = (start, *rec_ids[start : start + 5])
            row = activity.number_rows.get(key)
            if row is None:
                row = [
                    self._number_button(i, rec_id, activity)
                    for i, rec_id in enumerate(rec_ids[start : start + 5], start=start + 1)
                ]
                _remember(activity.number_rows, key, row)
            rows.append(row)
        rows.append(self._settings_row(frequency))
        return rows

    @staticmethod
    def _number_button(number: int, rec_id: int, activity: Activity) -> Button:
        """The button «number» that opens a card: one per run for every row that has it
        (fewer objects for the garbage collector to walk)."""
        button = activity.number_buttons.get((number, rec_id))
        if button is None:
            button = Button(str(number), OpenCard(rec_id))
            _remember(activity.number_buttons, (number, rec_id), button)
        return button

    def _settings_row(self, frequency: str) -> list[Button]:
        if frequency in self._settings_rows:
            return self._settings_rows[frequency]
        choices = [f for f in ("daily", "weekly") if f != frequency] + ["off"]
        self._settings_rows[frequency] = [
            Button(self.texts(f"digest.button_{choice}"), SetDigestFrequency(choice))
            for choice in choices
        ]
        return self._settings_rows[frequency]

    async def preview(self, user: UserRecord, at: dt.datetime) -> Digest | None:
        """The digest this user would get at ``at`` (for ``python -m bot digest``)."""
        activity = await self.load_activity(self.since_for(user, at), at)
        regions = (await self.repo.subscriptions_of([user.id])).get(user.id) or (
            [user.region] if user.region else []
        )
        follows = (await self.repo.follows_of([user.id])).get(user.id, set())
        return self.compose(user, regions, follows, activity, at)
