"""Forum announcements: a coordinator composes one, picks an audience in the region, previews
it, and sends it now or at a local time; the delivery worker does the sending.

The announcement keeps the author's message as Telegram gave it (text or caption with its
entities, a photo's or document's file_id), so bold, links and the like arrive unchanged.
Sending creates one outbox row per recipient (``announce:{id}:{user_id}``) in one
transaction; figures are counted from those rows, and cancelling turns the pending ones into
'cancelled'.  Every method that reads or changes an announcement checks
``Action.ANNOUNCE`` on its region: coordinators of the region and admins.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.access import AccessService, Action, Role, Roles
from bot.buttons import Button, Keyboard, StopAnnouncement
from bot.clock import Clock, from_iso, to_iso
from bot.deadline_input import read_deadline
from bot.errors import InvalidInput, NotFound, PermissionDenied, Stale
from bot.formatting import shorten
from bot.outbox import OutboxService
from bot.regions import region_by_name
from bot.texts import CAPTION_LIMIT, MESSAGE_LIMIT, Html, Texts
from bot.vocabulary import KINDS
from storage.announcements import OUTBOX_KIND, AnnouncementRepository, AnnouncementRow
from storage.db import Database
from storage.documents import DocumentRepository, DocumentRow

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

REPORT_KIND = "announce_report"
STALE_DRAFT_DAYS = 7
MAX_AHEAD_DAYS = 366
TIME_RE = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.(\d{4})\s+(\d{1,2})[:.](\d{2})\s*$")
# «… в 10», «… 9:30», «… в 18.00»: the time of day at the end of what was typed.
_CLOCK_RE = re.compile(r"(?:^|\s)(?:в\s+)?(\d{1,2})(?:[:.](\d{2}))?(?:\s*ч(?:ас(?:а|ов)?)?\.?)?$")
_DAY_WORDS = {"": 0, "сегодня": 0, "завтра": 1, "послезавтра": 2}


@dataclass(frozen=True)
class Content:
    """The message as the author wrote it: text (or caption) with Telegram's entities."""

    text: str
    entities: list[dict[str, Any]] = field(default_factory=list)
    photo: str | None = None  # file_id
    document: str | None = None  # file_id

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text, "entities": self.entities}
        if self.photo:
            data["photo"] = self.photo
        if self.document:
            data["document"] = self.document
        return data


# Room kept in every announcement for the line that says who sent it.
SIGNATURE_ROOM = 100


def outbox_payload(content: dict[str, Any], signature: str | None = None) -> dict[str, Any]:
    """The delivery payload: entities instead of HTML, so parse_mode is None explicitly.

    ``signature`` ("📣 Анонс координатора …") opens the message in italics; the author's
    entities move past it.
    """
    text, entities = content.get("text") or "", content.get("entities") or []
    if signature:
        head = signature + ("\n\n" if text else "")
        shift = utf16_len(head)
        entities = [{"type": "italic", "offset": 0, "length": utf16_len(signature)}] + [
            {**e, "offset": e["offset"] + shift} for e in entities
        ]
        text = head + text
    media = {k: content[k] for k in ("photo", "document") if content.get(k)}
    if media:
        payload: dict[str, Any] = {**media, "parse_mode": None}
        if text:
            payload["caption"] = text
        if entities:
            payload["caption_entities"] = entities
        return payload
    payload = {"text": text, "parse_mode": None}
    if entities:
        payload["entities"] = entities
    return payload


def utf16_len(text: str) -> int:
    """Telegram counts lengths (and entity offsets) in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def region_zone(region: str, default: str) -> ZoneInfo:
    info = region_by_name(region)
    return ZoneInfo(info.tz if info else default)


def zone_label(moment: dt.datetime) -> str:
    """``UTC+9`` for a local time."""
    offset = moment.utcoffset() or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def parse_local_time(text: str, zone: ZoneInfo, now: dt.datetime) -> dt.datetime:
    """A moment typed in the region's time; returns aware UTC.

    «ДД.ММ.ГГГГ ЧЧ:ММ», and as people write it: «завтра в 10», «8 марта 12:00», «08.03 9:30»,
    «в 18:00» (today). A day without a year is the next such day (the deadline reader's rule).
    """
    match = TIME_RE.match(text or "")
    if match:
        day, month, year, hour, minute = (int(g) for g in match.groups())
        try:
            local = dt.datetime(year, month, day, hour, minute, tzinfo=zone)
        except ValueError:
            raise InvalidInput("announce.bad_time") from None
        return local.astimezone(dt.UTC)
    typed = " ".join((text or "").lower().replace("ё", "е").split()).rstrip(".!")
    clock = _CLOCK_RE.search(typed)
    if not clock:
        raise InvalidInput("announce.bad_time")
    hour, minute = int(clock.group(1)), int(clock.group(2) or 0)
    if hour > 23 or minute > 59:
        raise InvalidInput("announce.bad_time")
    today = now.astimezone(zone).date()
    day_part = typed[: clock.start()].strip()
    if day_part in _DAY_WORDS:
        date = today + dt.timedelta(days=_DAY_WORDS[day_part])
    else:
        typed_day = read_deadline(day_part, today)
        if typed_day is None or typed_day.day is None:
            raise InvalidInput("announce.bad_time")
        date = typed_day.day
    return dt.datetime.combine(date, dt.time(hour, minute), zone).astimezone(dt.UTC)


def left_of(counts: dict[str, int]) -> int:
    return counts.get("pending", 0) + counts.get("sending", 0)


class AnnouncementService:
    def __init__(
        self,
        db: Database,
        repo: AnnouncementRepository,
        documents: DocumentRepository,
        access: AccessService,
        outbox: OutboxService,
        texts: Texts,
        clock: Clock,
        default_timezone: str,
    ) -> None:
        self.db = db
        self.repo = repo
        self.documents = documents
        self.access = access
        self.outbox = outbox
        self.texts = texts
        self.clock = clock
        self.default_timezone = default_timezone
        # The handler (right after sending) and the progress job edit the same message;
        # one lock per announcement keeps an older figure from overwriting a newer one.
        self._locks: defaultdict[int, asyncio.Lock] = defaultdict(asyncio.Lock)

    def lock(self, announcement_id: int) -> asyncio.Lock:
        return self._locks[announcement_id]

    def zone(self, region: str) -> ZoneInfo:
        return region_zone(region, self.default_timezone)

    # --- composing -----------------------------------------------------------------------

    async def regions_for(self, user_id: int) -> tuple[Roles, list[str]]:
        """Regions this user may announce to (an admin: any; offered are those with
        subscribers)."""
        roles = await self.access.roles(user_id)
        regions = sorted(roles.coordinator_regions)
        if roles.is_admin:
            regions += [r for r in await self.repo.regions_with_subscribers(20) if r not in regions]
        return roles, regions

    async def create_draft(self, actor_id: int, region: str, content: Content) -> AnnouncementRow:
        known = region_by_name(region)
        if known is None:
            raise InvalidInput("announce.region_not_found", query=region)
        await self.access.require(actor_id, Action.ANNOUNCE, region=known.name)
        self._validate(content)
        now = self.clock.now()
        await self.repo.delete_stale_drafts(
            actor_id, to_iso(now - dt.timedelta(days=STALE_DRAFT_DAYS))
        )
        new_id = await self.repo.create(actor_id, known.name, content.as_dict(), to_iso(now))
        return await self._row(new_id)

    @staticmethod
    def _validate(content: Content) -> None:
        if content.photo or content.document:
            if utf16_len(content.text) > CAPTION_LIMIT - SIGNATURE_ROOM:
                raise InvalidInput(
                    "announce.caption_too_long", limit=CAPTION_LIMIT - SIGNATURE_ROOM
                )
            return
        if not content.text.strip():
            raise InvalidInput("announce.empty")
        if utf16_len(content.text) > MESSAGE_LIMIT - SIGNATURE_ROOM:
            raise InvalidInput("announce.text_too_long", limit=MESSAGE_LIMIT - SIGNATURE_ROOM)

    async def signature(self, announcement: AnnouncementRow) -> str:
        """The line that tells recipients who sent the announcement (plain text): the role and
        region, not the person's name, which would outlive a /forget in messages to others."""
        roles = await self.access.roles(announcement.author_id)
        role = Role.COORDINATOR if announcement.region in roles.coordinator_regions else Role.ADMIN
        return shorten(
            self.texts.plain(f"announce.signature_{role}", region=announcement.region),
            SIGNATURE_ROOM - 2,
        )

    async def get(self, actor_id: int, announcement_id: int) -> AnnouncementRow:
        await self.access.require_role(actor_id, Action.ANNOUNCE)  # before the lookup
        announcement = await self.repo.get(announcement_id)
        if announcement is None:
            raise NotFound("announce.not_found")
        await self.access.require(actor_id, Action.ANNOUNCE, region=announcement.region)
        return announcement

    async def draft(self, actor_id: int, announcement_id: int) -> AnnouncementRow:
        announcement = await self.get(actor_id, announcement_id)
        if announcement.status != "draft":
            raise Stale("announce.already_sent")
        return announcement

    async def set_audience(
        self,
        actor_id: int,
        announcement_id: int,
        *,
        kinds: list[str] | None = None,
        document_id: int | None = None,
    ) -> AnnouncementRow:
        announcement = await self.draft(actor_id, announcement_id)
        kinds = [k for k in KINDS if k in set(kinds or ())]  # known ones, in vocabulary order
        if document_id is not None:
            document = await self.documents.get(document_id)
            if document is None or document.region != announcement.region:
                raise InvalidInput("announce.bad_document")
        audience: dict[str, Any] = {}
        if kinds:
            audience["kinds"] = kinds
        if document_id is not None:
            audience["document_id"] = document_id
        if not await self.repo.set_audience(announcement_id, audience):
            raise Stale("announce.already_sent")
        return await self._row(announcement_id)

    async def toggle_kind(self, actor_id: int, announcement_id: int, kind: str) -> AnnouncementRow:
        announcement = await self.draft(actor_id, announcement_id)
        kinds = set(announcement.audience.get("kinds") or ())
        kinds ^= {kind}
        return await self.set_audience(actor_id, announcement_id, kinds=sorted(kinds))

    async def count_recipients(self, announcement: AnnouncementRow) -> int:
        audience = announcement.audience
        return await self.repo.count_recipients(
            announcement.region, audience.get("kinds"), audience.get("document_id")
        )

    async def count_everyone(self, announcement: AnnouncementRow) -> int:
        """Everyone the announcement could reach in its region (the «всем» choice)."""
        return await self.repo.count_recipients(announcement.region, None, None)

    async def region_documents(self, actor_id: int, announcement_id: int) -> list[DocumentRow]:
        announcement = await self.draft(actor_id, announcement_id)
        return await self.documents.list_documents(announcement.region)

    async def audience_document(self, announcement: AnnouncementRow) -> DocumentRow | None:
        document_id = announcement.audience.get("document_id")
        return await self.documents.get(document_id) if document_id else None

    # --- sending -------------------------------------------------------------------------

    async def send(
        self,
        actor_id: int,
        announcement_id: int,
        *,
        at: dt.datetime | None = None,
        progress: tuple[int, int] | None = None,
    ) -> AnnouncementRow:
        """Queue the announcement for every recipient, now or at ``at`` (aware).

        ``progress`` is the (chat, message) the coordinator watches; it is stored in the same
        transaction, so the progress job can never miss it.
        """
        announcement = await self.draft(actor_id, announcement_id)
        now = self.clock.now()
        if at is not None:
            if at <= now:
                raise InvalidInput("announce.time_in_past")
            if at > now + dt.timedelta(days=MAX_AHEAD_DAYS):
                raise InvalidInput("announce.time_too_far")
        audience = announcement.audience
        recipients = await self.repo.recipients(
            announcement.region, audience.get("kinds"), audience.get("document_id")
        )
        if not recipients:
            raise InvalidInput("announce.no_recipients")
        send_at, now_iso = to_iso(at or now), to_iso(now)
        signed = outbox_payload(announcement.content, await self.signature(announcement))
        payload = json.dumps(signed, ensure_ascii=False)
        rows = [
            (f"announce:{announcement_id}:{uid}", uid, OUTBOX_KIND, announcement_id, payload,
             send_at, now_iso)
            for uid in recipients
        ]  # fmt: skip
        async with self.db.transaction():
            queued = await self.repo.mark_queued(
                announcement_id,
                send_at=send_at,
                recipients=len(recipients),
                now=now_iso,
                progress=progress,
            )
            if not queued:
                raise Stale("announce.already_sent")
            await self.outbox.repo.enqueue_many(rows)
        log.info(
            "announcement %d queued for %d recipient(s), due %s",
            announcement_id,
            len(recipients),
            send_at,
        )
        if self.outbox.wakeup is not None:
            self.outbox.wakeup()
        return await self._row(announcement_id)

    async def show_progress_in(
        self, announcement_id: int, chat_id: int | None, message_id: int | None, text: str | None
    ) -> None:
        """The message that shows the figures (None: it is gone) and the text it shows."""
        await self.repo.set_progress_message(announcement_id, chat_id, message_id)
        if text is not None:
            await self.repo.set_progress_text(announcement_id, text)

    async def progress_shown(self, announcement_id: int, text: str) -> None:
        await self.repo.set_progress_text(announcement_id, text)

    async def cancel(self, actor_id: int, announcement_id: int) -> tuple[AnnouncementRow, int]:
        """Stop it: pending rows become 'cancelled' (the messages in flight still land).

        Returns the announcement and how many messages were cancelled.
        """
        announcement = await self.get(actor_id, announcement_id)
        if announcement.status in ("done", "cancelled") or announcement.finished_at:
            raise Stale("announce.already_finished")
        now = to_iso(self.clock.now())
        async with self.db.transaction():
            if not await self.repo.mark_cancelled(announcement_id, now):
                raise Stale("announce.already_finished")
            cancelled = await self.outbox.repo.cancel(OUTBOX_KIND, announcement_id)
            counts = (await self.repo.counts([announcement_id]))[announcement_id]
            if not counts.get("sending"):
                # Nothing in flight: it is over now (a scheduled one may be far from due).
                await self.repo.mark_finished(announcement_id, now)
        log.info("announcement %d cancelled: %d message(s) not sent", announcement_id, cancelled)
        return await self._row(announcement_id), cancelled

    async def _row(self, announcement_id: int) -> AnnouncementRow:
        """An announcement just written (only stale drafts are ever deleted)."""
        row = await self.repo.get(announcement_id)
        assert row is not None
        return row

    async def counts(self, announcement_id: int) -> dict[str, int]:
        return (await self.repo.counts([announcement_id]))[announcement_id]

    async def listing(
        self, actor_id: int, page: int, per_page: int
    ) -> tuple[list[AnnouncementRow], dict[int, dict[str, int]], int]:
        roles = await self.access.roles(actor_id)
        if not roles.is_coordinator:
            raise PermissionDenied("access.coordinators_only")
        regions = None if roles.is_admin else sorted(roles.coordinator_regions)
        rows, total = await self.repo.page(regions, max(page, 0) * per_page, per_page)
        return rows, await self.repo.counts([r.id for r in rows]), total

    async def open_due(self) -> list[AnnouncementRow]:
        return await self.repo.open_due(to_iso(self.clock.now()))


# --- how it looks ---------------------------------------------------------------------------


def local_time(announcement: AnnouncementRow, service: AnnouncementService) -> dt.datetime | None:
    if not announcement.send_at:
        return None
    return from_iso(announcement.send_at).astimezone(service.zone(announcement.region))


def progress_view(
    texts: Texts,
    service: AnnouncementService,
    announcement: AnnouncementRow,
    counts: dict[str, int],
) -> tuple[Html, Keyboard | None]:
    """The coordinator's progress message: scheduled, sending, stopping or the final figures."""
    figures = {
        "id": announcement.id,
        "total": announcement.recipients,
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0),
        "blocked": counts.get("blocked", 0),
        "cancelled": counts.get("cancelled", 0),
        "left": left_of(counts),
    }
    if announcement.status == "cancelled":
        key = "announce.stopping" if figures["left"] else "announce.stopped"
        return texts(key, **figures), None
    if not figures["left"] or announcement.finished_at:
        return texts("announce.finished", **figures), None
    when = local_time(announcement, service)
    if when is not None and when > service.clock.now():
        cancel = Button(
            texts("announce.cancel_scheduled_button"), StopAnnouncement(announcement.id)
        )
        return (
            texts(
                "announce.scheduled",
                when=when.strftime("%d.%m.%Y %H:%M"),
                zone=f"{announcement.region}, {zone_label(when)}",
                **figures,
            ),
            [[cancel]],
        )
    stop = Button(texts("announce.stop_button"), StopAnnouncement(announcement.id))
    return texts("announce.progress", **figures), [[stop]]


def snippet(announcement: AnnouncementRow, limit: int = 60) -> str:
    content = announcement.content
    text = content.get("text") or ""
    if not text:
        return "📎" if content.get("document") else "🖼"
    return shorten(text, limit)
