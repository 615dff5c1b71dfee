"""Digest frequency, day and hour, how followers hear of changes, and pausing nudges."""

from __future__ import annotations

import datetime as dt

from bot.clock import Clock, to_iso
from bot.digests import DigestPlanner
from bot.errors import InvalidInput, NotFound
from storage.digests import DigestRepository
from storage.users import UserRecord, UserRepository

FREQUENCIES = ("weekly", "daily", "off")
NOTIFY_MODES = ("immediate", "digest")
HOURS = tuple(range(7, 22))  # the digest hours offered in /settings, local time


def hears_changes_at_once(user: UserRecord) -> bool:
    """A follower hears of a change at once unless a digest that is on will carry it."""
    return user.follow_notify == "immediate" or user.digest_frequency == "off"


class PreferenceService:
    def __init__(
        self,
        users: UserRepository,
        repo: DigestRepository,
        planner: DigestPlanner,
        clock: Clock,
    ) -> None:
        self.users = users
        self.repo = repo
        self.planner = planner
        self.clock = clock

    async def _user(self, user_id: int) -> UserRecord:
        user = await self.users.get(user_id)
        if user is None:
            raise NotFound("settings.unknown_user")
        return user

    async def set_digest(
        self,
        user_id: int,
        *,
        frequency: str | None = None,
        weekday: int | None = None,
        hour: int | None = None,
    ) -> UserRecord:
        user = await self._user(user_id)
        frequency = frequency or user.digest_frequency
        weekday = user.digest_weekday if weekday is None else weekday
        hour = user.digest_hour if hour is None else hour
        if frequency not in FREQUENCIES or not 0 <= weekday <= 6 or not 0 <= hour <= 23:
            raise InvalidInput("settings.bad_value")
        changed = UserRecord(
            **{
                **user.__dict__,
                "digest_frequency": frequency,
                "digest_weekday": weekday,
                "digest_hour": hour,
            }
        )
        slot = self.planner.next_slot(changed, self.clock.now())
        await self.repo.set_preferences(
            user_id, frequency, weekday, hour, to_iso(slot) if slot else None
        )
        return await self._user(user_id)

    async def set_follow_notify(self, user_id: int, mode: str) -> UserRecord:
        if mode not in NOTIFY_MODES:
            raise InvalidInput("settings.bad_value")
        await self.users.set_follow_notify(user_id, mode)
        return await self._user(user_id)

    async def pause_nudges(self, user_id: int, days: int | None) -> dt.datetime | None:
        """Pause for ``days`` (None resumes); returns the end of the pause."""
        until = self.clock.now() + dt.timedelta(days=days) if days else None
        await self.repo.set_pause(user_id, to_iso(until) if until else None)
        return until
