"""Per-event middleware: the sender is registered (or refreshed) and handed to handlers."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from bot.telegram.resilience import interactive
from bot.users import TelegramIdentity


def identity_of(user: User) -> TelegramIdentity:
    return TelegramIdentity(
        id=user.id,
        first_name=user.first_name,
        last_name=user.last_name,
        username=user.username,
        language_code=user.language_code,
    )


class CurrentUserMiddleware(BaseMiddleware):
    """Puts ``user`` (storage record), ``is_new_user`` and ``consent`` into handler data.

    Only a person who consented to the processing of personal data is registered (or has
    their Telegram names refreshed); for anyone else nothing is written: ``user`` is their
    record from before consent existed, or None (see handlers/privacy.py for the gate).
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        # Requests made from here on answer a person: retry them through a brief 429 or 5xx.
        interactive.set(True)
        sender: User | None = data.get("event_from_user")
        if sender is not None and not sender.is_bot:
            services = data["services"]
            consent = await services.privacy.consent(sender.id)
            data["consent"] = consent
            if consent.given:
                user, created = await services.users.touch(identity_of(sender))
            else:
                user = await services.users.get(sender.id)
                created = user is None
            data["user"] = user
            data["is_new_user"] = created
        else:
            data["consent"] = None
            data["user"] = None
            data["is_new_user"] = False
        return await handler(event, data)


class CommandEndsDialogMiddleware(BaseMiddleware):
    """A command always starts afresh: a half-finished dialog is dropped, so neither the
    command nor the next plain text is taken for the answer to a question the user has walked
    away from. The one place this is decided: dialog steps need no filter against commands.

    The dialog's data stays (pages of an earlier answer keep working); the state filters see
    the state as it is now, not as the update found it.
    """

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        text = getattr(event, "text", None) or ""
        state = data.get("state")
        if text.startswith("/") and state is not None and await state.get_state() is not None:
            await state.set_state(None)
            data["raw_state"] = None
        return await handler(event, data)
