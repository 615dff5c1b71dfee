"""An official's tasks: the recommendations of their bodies, grouped by urgency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from bot.clock import Clock
from bot.localtime import local_date, zone_for
from bot.occurrence import current_row
from storage.documents import RecommendationQueries, RecommendationRow
from storage.reporting import ReportingRepository
from storage.statuses import STARTED_STATUSES, is_closed

GROUPS = ("overdue", "due_soon", "in_progress", "not_started", "done")
DUE_SOON_DAYS = 30


@dataclass
class Tasks:
    groups: dict[str, list[RecommendationRow]] = field(
        default_factory=lambda: {g: [] for g in GROUPS}
    )

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.groups.values())


def group_of(rec: RecommendationRow, today: dt.date) -> str:
    if is_closed(rec.status):
        return "done"
    rec = current_row(rec, today)  # a recurring term: the occurrence due now
    if rec.deadline:
        deadline = dt.date.fromisoformat(rec.deadline)
        if deadline < today:
            return "overdue"
        if deadline <= today + dt.timedelta(days=DUE_SOON_DAYS):
            return "due_soon"
    return "in_progress" if rec.status in STARTED_STATUSES else "not_started"


class TaskService:
    def __init__(
        self,
        reporting: ReportingRepository,
        queries: RecommendationQueries,
        clock: Clock,
        default_tz: str,
    ) -> None:
        self.reporting = reporting
        self.queries = queries
        self.clock = clock
        self.default_tz = default_tz

    async def tasks(self, user_id: int, region: str | None) -> Tasks:
        addressees = sorted(await self.reporting.official_addressees(user_id))
        today = local_date(self.clock.now(), zone_for(region, self.default_tz))
        tasks = Tasks()
        for rec in await self.queries.for_addressees(addressees):
            rec = current_row(rec, today)
            tasks.groups[group_of(rec, today)].append(rec)
        return tasks
