"""Registration and the user's standing with the bot (active, blocked)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.clock import Clock
from storage.users import UserRecord, UserRepository


@dataclass(frozen=True)
class TelegramIdentity:
    """What we keep from Telegram's User object; handlers build it, services need no aiogram."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None


class UserService:
    def __init__(self, repo: UserRepository, clock: Clock) -> None:
        self.repo = repo
        self.clock = clock

    async def touch(self, identity: TelegramIdentity) -> tuple[UserRecord, bool]:
        """Register on first contact, refresh names later; returns (user, is_new)."""
        return await self.repo.upsert(
            identity.id,
            first_name=identity.first_name,
            last_name=identity.last_name,
            username=identity.username,
            language_code=identity.language_code,
            now=self.clock.iso(),
        )

    async def get(self, user_id: int) -> UserRecord | None:
        return await self.repo.get(user_id)

    async def by_username(self, username: str) -> UserRecord | None:
        return await self.repo.by_username(username)

    async def mark_blocked(self, user_id: int) -> None:
        """Telegram said 403: the user blocked the bot; stop sending until they come back."""
        await self.repo.set_active(user_id, False, self.clock.iso())
