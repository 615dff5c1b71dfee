"""Local time by region: digests at the user's hour, nudges outside quiet hours.

Russia spans eleven time zones; every rule here is in the region's local time and every
stored time is aware UTC.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from bot.regions import region_by_name

QUIET_FROM = 21  # no nudges from 21:00 …
QUIET_TILL = 9  # … till 09:00 local time


@lru_cache(maxsize=256)
def zone_for(region: str | None, default_tz: str) -> ZoneInfo:
    found = region_by_name(region) if region else None
    return ZoneInfo(found.tz if found else default_tz)


def is_quiet(at: dt.datetime, zone: ZoneInfo) -> bool:
    hour = at.astimezone(zone).hour
    return hour >= QUIET_FROM or hour < QUIET_TILL


def digest_slot_on(day: dt.date, hour: int, zone: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), zone).astimezone(dt.UTC)


def next_digest_slot(
    after: dt.datetime, zone: ZoneInfo, frequency: str, weekday: int, hour: int
) -> dt.datetime | None:
    """The first digest time strictly after ``after`` (UTC), or None when digests are off."""
    if frequency == "off":
        return None
    day = after.astimezone(zone).date()
    for offset in range(0, 9):
        candidate_day = day + dt.timedelta(days=offset)
        if frequency == "weekly" and candidate_day.weekday() != weekday:
            continue
        slot = digest_slot_on(candidate_day, hour, zone)
        if slot > after:
            return slot
    raise AssertionError("a digest slot always falls within nine days")


def local_date(at: dt.datetime, zone: ZoneInfo) -> dt.date:
    return at.astimezone(zone).date()
