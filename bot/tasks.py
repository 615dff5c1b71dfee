"""An official's tasks: the recommendations of their bodies, grouped by urgency."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from bot.clock import Clock
from bot.localtime import local_date, zone_for
from bot.occurrence import current_row
from storage.documents import RecommendationQueries, RecommendationRow
from storage.reporting import ReportingRepository
from storage.statuses import STARTED_STATUSES, Status, is_closed


class TaskGroup(StrEnum):
    """The groups of /tasks, most urgent first: the order they are counted and offered in."""

    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    IN_PROGRESS = Status.IN_PROGRESS.value  # started (in progress or partly done), no deadline near
    NOT_STARTED = Status.NOT_STARTED.value
    DONE = Status.DONE.value
    WONT_DO = Status.WONT_DO.value  # closed, but not completed: refused, with a reason


GROUPS: tuple[TaskGroup, ...] = tuple(TaskGroup)
DUE_SOON_DAYS = 30


@dataclass
class Tasks:
    groups: dict[TaskGroup, list[RecommendationRow]] = field(
        default_factory=lambda: {g: [] for g in GROUPS}
    )
    reported: frozenset[int] = frozenset()  # ids of the items someone reported on

    @property
    def total(self) -> int:
        return sum(len(v) for v in self.groups.values())


def group_of(rec: RecommendationRow, today: dt.date) -> TaskGroup:
    if is_closed(rec.status):
        return TaskGroup(rec.status)  # closed: done, or refused (not completed)
    rec = current_row(rec, today)  # a recurring term: the occurrence due now
    if rec.deadline:
        deadline = dt.date.fromisoformat(rec.deadline)
        if deadline < today:
            return TaskGroup.OVERDUE
        if deadline <= today + dt.timedelta(days=DUE_SOON_DAYS):
            return TaskGroup.DUE_SOON
    return TaskGroup.IN_PROGRESS if rec.status in STARTED_STATUSES else TaskGroup.NOT_STARTED


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
        recs, reported = await self.queries.for_addressees(addressees)
        tasks = Tasks(reported=reported)
        for rec in recs:
            rec = current_row(rec, today)
            tasks.groups[group_of(rec, today)].append(rec)
        return tasks
