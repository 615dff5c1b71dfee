"""A person's command menu in Telegram; which commands a role gets is :mod:`bot.commands`."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.commands import commands_for
from bot.texts import Texts

log = logging.getLogger(__name__)


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
