"""The command menu: which commands exist and who sees them. Descriptions are texts."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.texts import Texts

log = logging.getLogger(__name__)

# (command, roles that get it in their menu); "all" means everyone.
COMMANDS: tuple[tuple[str, frozenset[str]], ...] = (
    ("start", frozenset({"all"})),
    ("my", frozenset({"all"})),
    ("tasks", frozenset({"official"})),
    ("profile", frozenset({"all"})),
    ("settings", frozenset({"all"})),
    ("pause", frozenset({"official"})),
    ("progress", frozenset({"coordinator"})),
    ("report", frozenset({"coordinator"})),
    ("invite", frozenset({"coordinator"})),
    ("officials", frozenset({"coordinator"})),
    ("announce", frozenset({"coordinator"})),
    ("announcements", frozenset({"coordinator"})),
    ("coordinator", frozenset({"admin"})),
    ("privacy", frozenset({"all"})),
    ("mydata", frozenset({"all"})),
    ("forget", frozenset({"all"})),
    ("help", frozenset({"all"})),
)


def commands_for(texts: Texts, roles: set[str] | None = None) -> list[tuple[str, str]]:
    """(command, description) pairs for a set of roles; None means the public menu."""
    wanted = {"all"} | (roles or set())
    return [(name, texts(f"commands.{name}")) for name, who in COMMANDS if who & wanted]


async def refresh_menu(bot: Bot, texts: Texts, chat_id: int, roles: set[str]) -> None:
    """A person's own command menu: coordinators see /invite and /announce, officials /tasks.

    A failure only leaves the public menu in place; it is not worth an error for the user.
    """
    scope = BotCommandScopeChat(chat_id=chat_id)
    try:
        if roles <= {"member"}:
            await bot.delete_my_commands(scope=scope)
            return
        commands = [BotCommand(command=c, description=d) for c, d in commands_for(texts, roles)]
        await bot.set_my_commands(commands, scope=scope)
    except TelegramAPIError:
        log.info("could not set a personal command menu")
