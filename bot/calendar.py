"""Deadlines as an iCalendar feed (RFC 5545) an official or a chamber subscribes to.

One all-day event per recommendation with a deadline: the deadline is a date in the region's
local time, so the event is a DATE (no time, no shift between zones); the calendar names the
region's zone (X-WR-TIMEZONE) for apps that show it.  UIDs depend on the recommendation only,
so a changed deadline moves the same event instead of adding one.  Folding and escaping are
the ``icalendar`` library's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from icalendar import Calendar, Event

from bot.clock import from_iso
from bot.formatting import shorten
from storage.documents import RecommendationRow
from storage.statuses import CLOSED_STATUSES

PRODID = "-//resolution-tracker-bot//deadlines//RU"
SUMMARY_LIMIT = 120


def deadline_feed(
    name: str,
    zone: str,
    items: list[RecommendationRow],
    *,
    uid_domain: str,
    status_label: Callable[[str], str],
    url_of: Callable[[int], str | None],
) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", zone)
    for rec in items:
        if not rec.deadline:
            continue
        day = dt.date.fromisoformat(rec.deadline[:10])
        event = Event()
        event.add("uid", f"recommendation-{rec.id}@{uid_domain}")
        event.add("dtstamp", from_iso(rec.status_changed_at or "2000-01-01T00:00:00+00:00"))
        event.add("dtstart", day)
        event.add("dtend", day + dt.timedelta(days=1))
        event.add("summary", shorten(f"п. {rec.number}: {rec.text}", SUMMARY_LIMIT))
        event.add("description", f"{status_label(rec.status)}\n\n{rec.text}")
        event.add("transp", "TRANSPARENT")
        if rec.status in CLOSED_STATUSES:
            event.add("status", "CANCELLED" if rec.status == "wont_do" else "CONFIRMED")
        url = url_of(rec.id)
        if url:
            event.add("url", url)
        calendar.add_component(event)
    return calendar.to_ical()
