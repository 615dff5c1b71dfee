"""The public page: a region's resolutions, progress by addressee, each recommendation with its
status, deadline and history.  Read-only and without personal data: reports are shown by the
organization (``bot.views.author``), never by a person's name; officials are not listed.

Counts come from the coordinator's overview queries (``storage/progress.py``).  Plain data.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import quote
from zoneinfo import ZoneInfo

from bot.clock import Clock, to_iso
from bot.localtime import local_date, zone_for
from bot.matching import valid_region
from bot.progress import RECENT_DAYS, BodyProgress, Counts
from bot.settings import Settings
from bot.views import shown_state
from storage.documents import AddresseeRow, DocumentRepository, DocumentRow, RecommendationRow
from storage.progress import ProgressRepository
from storage.reporting import HistoryRow, ReportingRepository
from storage.web import Deadlines, PublicRepository

PAGE_SIZE = 20
HISTORY_SHOWN = 50


def _url(settings: Settings, path: str) -> str | None:
    """An address on the public site; None while the page is off."""
    if not settings.web_enabled or not settings.public_url:
        return None
    return settings.public_url + path


def public_region_url(settings: Settings, region: str) -> str | None:
    """The public page of a region, or None when the page is off (for /report's link)."""
    return _url(settings, f"/r/{quote(region, safe='')}")


def region_calendar_url(settings: Settings, region: str) -> str | None:
    return _url(settings, f"/calendar/region/{quote(region, safe='')}.ics")


def addressee_calendar_url(settings: Settings, addressee_id: int) -> str | None:
    return _url(settings, f"/calendar/addressee/{addressee_id}.ics")


def web_form_url(settings: Settings, token: str) -> str | None:
    return _url(settings, f"/o/{token}")


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    count: int  # pages in all, at least 1

    @classmethod
    def of(cls, requested: int, total: int, size: int = PAGE_SIZE) -> Page:
        count = max(1, math.ceil(total / size))
        return cls(min(max(1, requested), count), count)

    @property
    def offset(self) -> int:
        return (self.number - 1) * PAGE_SIZE


@dataclass(frozen=True)
class ResolutionSummary:
    document_id: int
    title: str
    adopted_on: str | None
    counts: Counts


@dataclass(frozen=True)
class RegionPage:
    region: str
    today: dt.date
    resolutions: list[ResolutionSummary]
    total: int
    page: Page


@dataclass(frozen=True)
class ResolutionPage:
    document: DocumentRow
    today: dt.date
    counts: Counts | None
    bodies: list[BodyProgress]
    items: list[RecommendationRow]
    addressees_of: dict[int, list[str]]
    total: int
    page: Page
    reported: frozenset[int] = frozenset()  # ids of the items someone reported on

    def shown(self, rec: RecommendationRow) -> str:
        """The badge of an item: «нет данных» while nobody reported on it."""
        return shown_state(rec.status, rec.id in self.reported)


@dataclass(frozen=True)
class RecommendationPage:
    recommendation: RecommendationRow
    document: DocumentRow
    addressees: list[AddresseeRow]
    history: list[HistoryRow]
    zone: ZoneInfo
    today: dt.date
    reported: bool = False  # someone reported on it

    @property
    def shown(self) -> str:
        """The badge: «нет данных» while nobody reported on it."""
        return shown_state(self.recommendation.status, self.reported)


class PublicService:
    def __init__(
        self,
        public: PublicRepository,
        progress: ProgressRepository,
        documents: DocumentRepository,
        reporting: ReportingRepository,
        clock: Clock,
        default_tz: str,
    ) -> None:
        self.public = public
        self.progress = progress
        self.documents = documents
        self.reporting = reporting
        self.clock = clock
        self.default_tz = default_tz

    def today(self, region: str | None) -> dt.date:
        return local_date(self.clock.now(), zone_for(region, self.default_tz))

    async def regions(self) -> list[tuple[str, int]]:
        return await self.public.regions()

    async def region(self, name: str, page: int = 1) -> RegionPage | None:
        """None for a region that is not known or has no resolutions."""
        region = valid_region(name)
        if region is None:
            return None
        total = await self.public.count_documents(region)
        if not total:
            return None
        today = self.today(region)
        at = Page.of(page, total)
        rows = await self.public.documents(region, today.isoformat(), PAGE_SIZE, at.offset)
        resolutions = [
            ResolutionSummary(r["id"], r["title"], r["adopted_on"], Counts.of(r)) for r in rows
        ]
        return RegionPage(region, today, resolutions, total, at)

    async def resolution(
        self, document_id: int, page: int = 1, addressee_id: int | None = None
    ) -> ResolutionPage | None:
        document = await self.documents.get(document_id)
        if document is None:
            return None
        today = self.today(document.region)
        since = to_iso(self.clock.now() - dt.timedelta(days=RECENT_DAYS))
        bodies = [
            BodyProgress(
                addressee_id=row["id"],
                name=row["canonical"],
                counts=Counts.of(row),
                officials=0,  # not shown in public
                last_report=row["last_report"],
                reported_recently=row["recent_reports"] > 0,
            )
            for row in await self.progress.addressees(
                document_id, today.isoformat(), since, self.clock.iso()
            )
        ]
        if addressee_id is not None and addressee_id not in {b.addressee_id for b in bodies}:
            return None
        first, total, reported = await self.progress.items(
            document_id, addressee_id, None, today.isoformat(), PAGE_SIZE, 0
        )
        at = Page.of(page, total)
        items = first
        if at.number > 1:
            items, total, reported = await self.progress.items(
                document_id, addressee_id, None, today.isoformat(), PAGE_SIZE, at.offset
            )
        row = await self.public.document_counts(document_id, today.isoformat())
        counts = Counts.of(row) if row is not None and row["total"] else None
        return ResolutionPage(
            document,
            today,
            counts,
            bodies,
            items,
            await self.public.addressee_names([r.id for r in items]),
            total,
            at,
            reported,
        )

    async def recommendation(self, recommendation_id: int) -> RecommendationPage | None:
        rec = await self.documents.get_recommendation(recommendation_id)
        if rec is None or rec.removed:
            return None
        document = await self.documents.get(rec.document_id)
        if document is None:
            return None
        addressees = await self.public.addressees_of(rec.id)
        zone = zone_for(document.region, self.default_tz)
        return RecommendationPage(
            rec,
            document,
            addressees,
            await self.reporting.history(rec.id, HISTORY_SHOWN),
            zone,
            local_date(self.clock.now(), zone),
            rec.id in await self.progress.reported([rec.id]),
        )

    async def addressee(self, addressee_id: int) -> tuple[AddresseeRow, DocumentRow] | None:
        addressee = await self.documents.get_addressee(addressee_id)
        if addressee is None:
            return None
        document = await self.documents.get(addressee.document_id)
        return (addressee, document) if document else None

    async def addressee_deadlines(self, addressee_id: int) -> Deadlines:
        """Items with a deadline, and when each one reported on was last reported on."""
        return await self.public.addressee_deadlines(addressee_id)

    async def reported(self, ids: list[int]) -> frozenset[int]:
        """The ids among ``ids`` someone has reported on (the others read «нет данных»)."""
        return await self.progress.reported(ids)

    async def region_deadlines(self, region: str) -> Deadlines:
        return await self.public.region_deadlines(region)
