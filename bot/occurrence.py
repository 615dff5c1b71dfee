"""A recurring term's occurrence due now ("ежегодно до 1 марта": the stored date is the first
one; once it passes, the next 1 March is due, never "overdue").  Every place that reads a
deadline against today uses this: nudges, the card, /tasks and digests."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bot.ingest.deadlines import next_occurrence
from storage.documents import RecommendationRow


def current_deadline(
    deadline: str | None, kind: str | None, period: str | None, today: dt.date
) -> str | None:
    """The ISO date due on ``today``: a recurring term rolled to its occurrence, else as is."""
    if not deadline or kind != "recurring" or not period:
        return deadline
    return next_occurrence(dt.date.fromisoformat(deadline), period, today).isoformat()


def current_row(rec: RecommendationRow, today: dt.date) -> RecommendationRow:
    """The row with its deadline at the occurrence due on ``today``."""
    rolled = current_deadline(rec.deadline, rec.deadline_kind, rec.deadline_period, today)
    return rec if rolled == rec.deadline else dataclasses.replace(rec, deadline=rolled)
