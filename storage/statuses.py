"""The statuses of a recommendation and which of them close it: the one definition.

«Выполнено частично» is still open: it stays in its deadline group and keeps its reminders.
Only «Выполнено» and «Не будет выполнено» close a recommendation.
"""

from __future__ import annotations

STATUSES = ("not_started", "in_progress", "done", "partially_done", "wont_do")
CLOSED_STATUSES = frozenset({"done", "wont_do"})
OPEN_STATUSES = tuple(s for s in STATUSES if s not in CLOSED_STATUSES)
# Started work that is not finished: /tasks shows it under «В работе» when it has no deadline.
STARTED_STATUSES = frozenset({"in_progress", "partially_done"})

# For SQL: a constant list built from the definition above (never from input).
CLOSED_SQL = ", ".join(f"'{s}'" for s in sorted(CLOSED_STATUSES))


def is_closed(status: str) -> bool:
    return status in CLOSED_STATUSES
