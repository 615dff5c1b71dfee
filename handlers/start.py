"""/start and /help."""

from __future__ import annotations

from aiogram import Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.commands import commands_for
from bot.texts import Html, Texts
from storage.users import UserRecord


async def cmd_start(message: Message, texts: Texts, user: UserRecord, is_new_user: bool) -> None:
    key = "start.greeting_new" if is_new_user else "start.greeting_back"
    await message.answer(texts(key, name=user.first_name or "коллега"))


async def cmd_help(message: Message, texts: Texts) -> None:
    lines = [
        texts("help.command_line", command=command, description=description)
        for command, description in commands_for(texts)
    ]
    await message.answer(texts("help.body", commands=Html("\n".join(lines))))


def create_router() -> Router:
    router = Router(name="start")
    router.message.register(cmd_start, CommandStart())
    router.message.register(cmd_help, Command("help"))
    return router
