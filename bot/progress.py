"""The coordinator's overview (/progress): where each resolution of a region stands.

Per resolution: counts by status, keeping "no report yet" apart from "not started"; per
addressee the same, whether the body has an official, when it last reported, and whether it
has been silent for the last 30 days.  Plain data; the permission check is here.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass, field

from bot.access import AccessService, Roles
from bot.clock import Clock, to_iso
from bot.errors import NotFound, PermissionDenied
from bot.localtime import local_date, zone_for
from bot.matching import valid_region
from bot.views import shown_state
from storage.documents import RecommendationRow
from storage.progress import ProgressRepository
from storage.statuses import Status

RECENT_DAYS = 30
# The order states are shown in: the statuses' own, then 'no_data' ("нет данных": nobody
# reported yet) and 'overdue' (any open status past its deadline).
STATES: tuple[str, ...] = (*Status, "no_data", "overdue")
# What a list behind a line can be: a state, or every item.
ITEM_FILTERS = frozenset(STATES) | {"all"}


@dataclass(frozen=True)
class Counts:
    total: int
    by_state: dict[str, int]  # every key of STATES, overdue included

    @classmethod
    def of(cls, row: sqlite3.Row) -> Counts:
        return cls(total=row["total"], by_state={s: row[s] for s in STATES})

    @property
    def reported(self) -> int:
        """Items with any report: «нет данных» is not «не начато»."""
        return self.total - self.by_state["no_data"]

    @property
    def percent_done(self) -> int | None:
        """The share done, in whole percent of the items with reports («нет данных» is not
        «не выполнено»); None while nothing was reported.  The one figure the public page,
        the exports' summary and the chart all show."""
        if self.reported <= 0:
            return None
        return round(100 * self.by_state["done"] / self.reported)


@dataclass(frozen=True)
class AddresseeSummary:
    name: str
    counts: Counts


@dataclass(frozen=True)
class Summary:
    """Progress by addressee over a region, a resolution or one body; ``whole`` counts each
    item once (an item addressed to two bodies is in two lines)."""

    bodies: list[AddresseeSummary]
    whole: Counts


async def addressee_summary(
    repo: ProgressRepository,
    region: str,
    today: dt.date,
    document_id: int | None = None,
    addressee: str | None = None,
) -> Summary:
    """The per-addressee summary of reports (and of the public page): no permission check —
    the data is public; callers that act for a person check first."""
    rows, whole = await repo.summary(region, today.isoformat(), document_id, addressee)
    return Summary([AddresseeSummary(r["canonical"], Counts.of(r)) for r in rows], Counts.of(whole))


@dataclass(frozen=True)
class BodyProgress:
    addressee_id: int
    name: str
    counts: Counts
    officials: int  # in Telegram, and open web-form links
    last_report: str | None  # ISO UTC of the last status or comment on its items
    reported_recently: bool
    # Its latest letter the coordinator entered (the letter's ISO date): the body answered,
    # through the coordinator, without an official of its own.
    last_letter_date: str | None = None
    # ISO UTC of its latest report not by letter (its official's, or a spreadsheet's).
    last_direct_report: str | None = None

    @property
    def silent(self) -> bool:
        """Has an official, but no report in the last RECENT_DAYS days."""
        return self.officials > 0 and not self.reported_recently


@dataclass(frozen=True)
class ResolutionProgress:
    document_id: int
    title: str
    adopted_on: str | None
    counts: Counts
    bodies: list[BodyProgress] = field(default_factory=list)

    @property
    def without_official(self) -> list[BodyProgress]:
        return [b for b in self.bodies if b.officials == 0]

    @property
    def reported(self) -> list[BodyProgress]:
        return [b for b in self.bodies if b.reported_recently]

    @property
    def silent(self) -> list[BodyProgress]:
        return [b for b in self.bodies if b.silent]


@dataclass(frozen=True)
class RegionProgress:
    region: str
    today: dt.date
    resolutions: list[ResolutionProgress]
    default_tz: str = "Europe/Moscow"  # for a region unknown to the zone table


@dataclass(frozen=True)
class ItemList:
    region: str
    document_id: int
    title: str
    addressee: str | None  # None: the whole resolution
    addressee_id: int | None
    state: str  # one of ITEM_FILTERS
    items: list[RecommendationRow]
    total: int
    officials: list[str] = field(default_factory=list)  # names, for one addressee
    web_links: int = 0  # its open web-form links: officials without a name in Telegram
    reported: frozenset[int] = frozenset()  # ids of the items someone reported on

    def shown(self, item: RecommendationRow) -> str:
        """The state an item reads as: «нет данных» while nobody reported on it."""
        return shown_state(item.status, item.id in self.reported)


class ProgressService:
    def __init__(
        self, repo: ProgressRepository, access: AccessService, clock: Clock, default_tz: str
    ) -> None:
        self.repo = repo
        self.access = access
        self.clock = clock
        self.default_tz = default_tz

    async def _coordinator(self, actor_id: int) -> Roles:
        """/progress is a coordinator's: anyone else is refused before anything is read."""
        roles = await self.access.roles(actor_id)
        if not roles.is_coordinator:
            raise PermissionDenied("access.coordinators_only")
        return roles

    async def regions(self, actor_id: int) -> list[str]:
        """Regions this person may see: a coordinator's own; for an admin every region
        that has documents."""
        roles = await self._coordinator(actor_id)
        if roles.is_admin:
            return sorted(set(await self.repo.regions()) | roles.coordinator_regions)
        return sorted(roles.coordinator_regions)

    async def _require(self, actor_id: int, region: str | None) -> str:
        roles = await self._coordinator(actor_id)
        name = valid_region(region)
        if name is None or not roles.coordinates(name):
            raise PermissionDenied("access.region_coordinators_only", region=region or "")
        return name

    def _today(self, region: str) -> dt.date:
        return local_date(self.clock.now(), zone_for(region, self.default_tz))

    async def overview(self, actor_id: int, region: str) -> RegionProgress:
        region = await self._require(actor_id, region)
        today = self._today(region)
        since = to_iso(self.clock.now() - dt.timedelta(days=RECENT_DAYS))
        resolutions = []
        for doc in await self.repo.documents(region, today.isoformat()):
            bodies = [
                BodyProgress(
                    addressee_id=row["id"],
                    name=row["canonical"],
                    counts=Counts.of(row),
                    officials=row["officials"] + row["web_links"],
                    last_report=row["last_report"],
                    reported_recently=row["recent_reports"] > 0,
                    last_letter_date=row["last_letter_date"],
                    last_direct_report=row["last_direct_report"],
                )
                for row in await self.repo.addressees(
                    doc["id"], today.isoformat(), since, self.clock.iso()
                )
            ]
            resolutions.append(
                ResolutionProgress(
                    doc["id"], doc["title"], doc["adopted_on"], Counts.of(doc), bodies
                )
            )
        return RegionProgress(region, today, resolutions, self.default_tz)

    async def items(
        self,
        actor_id: int,
        document_id: int,
        state: str,
        addressee_id: int | None = None,
        limit: int = 5,
        offset: int = 0,
    ) -> ItemList:
        """The list behind a line: a resolution's (or one body's) items in one state."""
        if state not in ITEM_FILTERS:
            raise ValueError(f"unknown state {state!r}")
        await self._coordinator(actor_id)  # the role before the lookup
        doc = await self.repo.document(document_id)
        if doc is None:
            raise NotFound("fallback.stale_button")
        addressee = None
        if addressee_id is not None:
            addressee = await self.repo.addressee(addressee_id)
            if addressee is None or addressee["document_id"] != document_id:
                raise NotFound("fallback.stale_button")
        region = await self._require(actor_id, doc["region"])
        rows, total, reported = await self.repo.items(
            document_id,
            addressee_id,
            None if state == "all" else state,
            self._today(region).isoformat(),
            limit,
            offset,
        )
        officials: list[str] = []
        web_links = 0
        if addressee_id is not None:
            officials = [
                r["first_name"] or str(r["id"]) for r in await self.repo.officials(addressee_id)
            ]
            web_links = await self.repo.web_links(addressee_id, self.clock.iso())
        return ItemList(
            region=region,
            document_id=document_id,
            title=doc["title"],
            addressee=addressee["canonical"] if addressee else None,
            addressee_id=addressee_id,
            state=state,
            items=rows,
            total=total,
            officials=officials,
            web_links=web_links,
            reported=reported,
        )
