"""A recurring term is read at its occurrence due now everywhere: the card, /tasks, digests
(nudges have their own tests in tests/services/test_nudges.py)."""

from __future__ import annotations

import datetime as dt

from bot.clock import FrozenClock
from bot.occurrence import current_deadline, current_row
from bot.tasks import TaskService
from storage.documents import RecommendationRow


def row(deadline: str | None, kind: str = "once", period: str | None = None, rec_id: int = 1):
    return RecommendationRow(
        id=rec_id, document_id=1, position=0, number=str(rec_id), text="Публиковать доклад",
        deadline=deadline, deadline_precision="day", deadline_phrase="ежегодно до 1 марта",
        deadline_source="document", mentions=[], status="not_started", status_changed_at=None,
        removed=False, deadline_kind=kind, deadline_period=period,
    )  # fmt: skip


def test_a_passed_yearly_term_rolls_to_its_next_occurrence():
    today = dt.date(2026, 11, 30)
    assert current_row(row("2025-03-01", "recurring", "year"), today).deadline == "2027-03-01"
    assert current_deadline("2025-12-31", "recurring", "quarter", today) == "2026-12-31"


def test_a_term_not_yet_passed_or_not_recurring_stays():
    today = dt.date(2026, 11, 30)
    waiting = row("2027-03-01", "recurring", "year")
    assert current_row(waiting, today) is waiting
    once = row("2025-03-01")
    assert current_row(once, today) is once
    assert current_deadline(None, "recurring", "year", today) is None


class _Reporting:
    async def official_addressees(self, user_id):
        return {10}


class _Queries:
    def __init__(self, rows):
        self.rows = rows

    async def for_addressees(self, addressees):
        return self.rows, frozenset()


async def test_tasks_never_group_a_recurring_term_as_overdue():
    clock = FrozenClock(dt.datetime(2026, 2, 20, 9, 0, tzinfo=dt.UTC))
    yearly = row("2025-03-01", "recurring", "year", rec_id=1)
    missed = row("2025-03-01", rec_id=2)
    service = TaskService(_Reporting(), _Queries([yearly, missed]), clock, "Europe/Moscow")
    tasks = await service.tasks(5, "Тульская область")
    assert [r.id for r in tasks.groups["overdue"]] == [2]
    [soon] = tasks.groups["due_soon"]
    assert (soon.id, soon.deadline) == (1, "2026-03-01")
