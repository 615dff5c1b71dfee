"""A member's organization profile (region, kind, name), subscriptions and follows."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from bot.errors import InvalidInput
from bot.regions import region_by_name
from bot.vocabulary import KINDS
from storage.subscriptions import SubscriptionRepository
from storage.users import UserRepository

ORG_NAME_LIMIT = 200


# Typed instead of pressing «Пропустить» at the name step.
_NO_NAME = frozenset({"нет", "пропустить", "пропуск", "не знаю", "без названия"})


@dataclass(frozen=True)
class Profile:
    user_id: int
    region: str | None
    kind: str | None
    org_name: str | None
    subscriptions: tuple[str, ...]
    onboarded: bool

    @property
    def complete(self) -> bool:
        return bool(self.region and self.kind)


class ProfileService:
    def __init__(
        self, users: UserRepository, subscriptions: SubscriptionRepository, clock: Clock
    ) -> None:
        self.users = users
        self.subscriptions = subscriptions
        self.clock = clock

    async def get(self, user_id: int) -> Profile:
        user, regions = await self.subscriptions.profile(user_id)
        if user is None:
            return Profile(user_id, None, None, None, (), False)
        return Profile(
            user_id=user.id,
            region=user.region,
            kind=user.org_kind,
            org_name=user.org_name,
            subscriptions=tuple(regions),
            onboarded=user.onboarded_at is not None,
        )

    async def set_region(self, user_id: int, region_name: str) -> Profile:
        """The home region; it also becomes a subscription (digests and announcements)."""
        region = region_by_name(region_name)
        if region is None:
            raise InvalidInput("profile.unknown_region")
        previous = (await self.get(user_id)).region
        now = self.clock.iso()
        await self.users.set_profile_field(user_id, "region", region.name, now)
        # Digests come at a local hour: let the planner find the next slot in the new zone.
        await self.users.set_profile_field(user_id, "next_digest_at", None, now)
        if previous and previous != region.name:
            await self.subscriptions.unsubscribe(user_id, previous)
        await self.subscriptions.subscribe(user_id, region.name, now)
        return await self.get(user_id)

    async def set_kind(self, user_id: int, kind: str) -> Profile:
        if kind not in KINDS:
            raise InvalidInput("profile.unknown_kind")
        await self.users.set_profile_field(user_id, "org_kind", kind, self.clock.iso())
        return await self.get(user_id)

    async def set_org_name(self, user_id: int, name: str | None) -> Profile:
        name = " ".join((name or "").split()) or None
        if name is not None and (
            not any(ch.isalnum() for ch in name) or name.casefold().strip(".!") in _NO_NAME
        ):
            name = None  # "-", "нет", "пропустить": the person skips the step in words
        if name is not None and len(name) > ORG_NAME_LIMIT:
            raise InvalidInput("profile.name_too_long")
        await self.users.set_profile_field(user_id, "org_name", name, self.clock.iso())
        return await self.get(user_id)

    async def finish_onboarding(self, user_id: int) -> Profile:
        profile = await self.get(user_id)
        if not profile.onboarded:
            await self.users.set_profile_field(
                user_id, "onboarded_at", self.clock.iso(), self.clock.iso()
            )
        return await self.get(user_id)

    async def add_region(self, user_id: int, region_name: str) -> bool:
        region = region_by_name(region_name)
        if region is None:
            raise InvalidInput("profile.unknown_region")
        return await self.subscriptions.subscribe(user_id, region.name, self.clock.iso())

    async def remove_region(self, user_id: int, region_name: str) -> bool:
        return await self.subscriptions.unsubscribe(user_id, region_name)
