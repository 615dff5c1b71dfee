"""/coordinator: admins appoint and dismiss regional coordinators."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.access import Action
from bot.container import Services
from bot.regions import Region, search_regions
from bot.telegram.menu import refresh_menu
from bot.texts import Html, Texts
from handlers.events import sender_id
from storage.users import UserRecord

log = logging.getLogger(__name__)


async def cmd_coordinator(
    message: Message, command: CommandObject, bot: Bot, services: Services, texts: Texts
) -> None:
    actor = sender_id(message)
    words = (command.args or "").split(maxsplit=1)
    # The role first: a non-admin learns nothing about who uses the bot.
    await services.access.require(actor, Action.APPOINT_COORDINATOR)
    if not words:
        await message.answer(await _listing(services, texts, actor))
        return
    dismiss = words[0].lower() in {"снять", "remove"}
    if dismiss:
        words = (words[1] if len(words) > 1 else "").split(maxsplit=1)
    if len(words) < 2:
        await message.answer(texts("coordinator.usage"))
        return
    target = await _find_user(services, words[0])
    if target is None:
        await message.answer(texts("coordinator.user_not_found", who=words[0]))
        return
    regions = search_regions(words[1])
    if len(regions) != 1:
        await message.answer(_region_choice(texts, words[1], regions))
        return
    region = regions[0].name
    name = target.first_name or str(target.id)
    if dismiss:
        done = await services.access.dismiss_coordinator(actor, target.id, region)
        key = "coordinator.dismissed" if done else "coordinator.was_not"
        await message.answer(texts(key, name=name, region=region))
    else:
        added = await services.access.appoint_coordinator(actor, target.id, region)
        key = "coordinator.appointed" if added else "coordinator.already"
        await message.answer(texts(key, name=name, region=region))
        if added:
            await _tell_appointed(bot, texts, target.id, region)
    roles = await services.access.roles(target.id)
    await refresh_menu(bot, texts, target.id, roles.names())


async def _listing(services: Services, texts: Texts, actor: int) -> str:
    rows = await services.access.coordinators(actor)
    if not rows:
        return texts("coordinator.none") + "\n\n" + texts("coordinator.usage")
    lines = []
    for user_id, region in rows:
        user = await services.users.get(user_id)
        name = user.first_name if user else str(user_id)
        lines.append(texts("coordinator.line", name=name, user_id=user_id, region=region))
    return (
        texts("coordinator.list", lines=Html("\n".join(lines)))
        + "\n\n"
        + texts("coordinator.usage")
    )


MAX_TELEGRAM_ID = 2**52  # Telegram ids fit in 52 bits; a longer number is a typo


async def _find_user(services: Services, who: str) -> UserRecord | None:
    if who.lstrip("-").isdigit():
        user_id = int(who)
        return await services.users.get(user_id) if abs(user_id) < MAX_TELEGRAM_ID else None
    return await services.users.by_username(who)


def _region_choice(texts: Texts, query: str, regions: list[Region]) -> str:
    if not regions:
        return texts("coordinator.region_not_found", query=query)
    names = Html("\n".join(texts("coordinator.region_option", name=r.name) for r in regions[:10]))
    return texts("coordinator.region_ambiguous", query=query, names=names)


async def _tell_appointed(bot: Bot, texts: Texts, user_id: int, region: str) -> None:
    try:
        await bot.send_message(user_id, texts("coordinator.you_are_appointed", region=region))
    except TelegramAPIError:
        log.info("could not notify a newly appointed coordinator")


def create_router() -> Router:
    router = Router(name="admin")
    router.message.register(cmd_coordinator, Command("coordinator"))
    return router
