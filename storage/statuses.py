"""The statuses of a recommendation and which of them close it: the one definition.

The order of ``Status`` is the order everywhere a person sees statuses: the buttons that set
one (in pairs: «В работе», «Выполнено», then «Выполнено частично», «Не будет выполнено»), the
lines of /progress, the search filters. The values are what the database stores and the
buttons carry.

«Выполнено частично» is still open: it stays in its deadline group and keeps its reminders.
Only «Выполнено» and «Не будет выполнено» close a recommendation.
"""

from __future__ import annotations

from enum import StrEnum


class Status(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    PARTIALLY_DONE = "partially_done"
    WONT_DO = "wont_do"


STATUSES: tuple[Status, ...] = tuple(Status)
CLOSED_STATUSES: frozenset[Status] = frozenset({Status.DONE, Status.WONT_DO})
OPEN_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s not in CLOSED_STATUSES)
STARTED_STATUSES: frozenset[Status] = frozenset({Status.IN_PROGRESS, Status.PARTIALLY_DONE})
# What a report sets: every status but the one nothing has been done yet.
REPORTED_STATUSES: tuple[Status, ...] = tuple(s for s in Status if s is not Status.NOT_STARTED)

# For SQL: a constant list built from the definition above (never from input).
CLOSED_SQL = ", ".join(f"'{s}'" for s in sorted(CLOSED_STATUSES))
# Whether anyone ever reported on the recommendation ``r`` (a status or comment in its
# history): without it a stored «не начато» is only the default and reads «нет данных».
REPORTED_SQL = (
    "EXISTS (SELECT 1 FROM history h"
    " WHERE h.recommendation_id = r.id AND h.event IN ('status', 'comment'))"
)


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES
