"""Factories for Bot and Dispatcher: nothing is built at import time."""

from __future__ import annotations

import logging

from aiogram import Bot, Dispatcher
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.enums import ParseMode
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.types import BotCommand, BotCommandScopeDefault
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.commands import commands_for
from bot.container import Services
from bot.jobs import create_scheduler
from bot.settings import Settings
from bot.telegram.delivery import start_delivery, stop_delivery
from bot.telegram.fsm_storage import SQLiteStorage
from bot.telegram.menu import refresh_menu
from bot.telegram.resilience import RetryInteractiveRequests
from bot.texts import Texts
from handlers import get_routers
from handlers.metrics import UpdateMetricsMiddleware
from handlers.middlewares import CommandEndsDialogMiddleware, CurrentUserMiddleware
from storage.fsm import FsmRepository

log = logging.getLogger(__name__)


def create_bot(settings: Settings) -> Bot:
    if settings.telegram_api_url:
        session = AiohttpSession(api=TelegramAPIServer.from_base(settings.telegram_api_url))
    else:
        session = AiohttpSession()
    bot = Bot(
        token=settings.token(),
        session=session,
        default=DefaultBotProperties(parse_mode=ParseMode.HTML, link_preview_is_disabled=True),
    )
    bot.session.middleware(RetryInteractiveRequests())
    return bot


def create_dispatcher(services: Services, texts: Texts | None = None) -> Dispatcher:
    texts = texts or services.texts
    dp = Dispatcher(
        storage=SQLiteStorage(FsmRepository(services.db)),
        # One update at a time per chat and user: a double tap cannot race its own dialog.
        events_isolation=SimpleEventIsolation(),
        services=services,
        texts=texts,
        settings=services.settings,
    )
    dp.update.outer_middleware(UpdateMetricsMiddleware())
    dp.update.outer_middleware(CurrentUserMiddleware())
    dp.message.outer_middleware(CommandEndsDialogMiddleware())
    dp.include_routers(*get_routers())
    dp.startup.register(set_command_menu)
    # The outbox's delivery worker lives as long as the dispatcher, in polling and webhook modes.
    dp.startup.register(start_delivery)
    dp.shutdown.register(stop_delivery)
    setup_jobs(dp, services)
    return dp


async def set_command_menu(bot: Bot, texts: Texts, settings: Settings) -> None:
    commands = [BotCommand(command=c, description=d) for c, d in commands_for(texts)]
    await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code="ru")
    await bot.set_my_commands(commands, scope=BotCommandScopeDefault())
    for admin in settings.admin_ids:  # coordinators and officials get theirs with the role
        await refresh_menu(bot, texts, admin, {"admin", "coordinator"})
    log.info("command menu set: %d commands", len(commands))


def setup_jobs(dp: Dispatcher, services: Services) -> None:
    """Start the jobs with the dispatcher (polling or webhook) and stop them with it."""
    if not services.settings.scheduler_enabled:
        return
    holder: dict[str, AsyncIOScheduler] = {}

    async def start() -> None:
        holder["scheduler"] = scheduler = create_scheduler(services)
        scheduler.start()

    async def stop() -> None:
        scheduler = holder.pop("scheduler", None)
        if scheduler is not None:
            scheduler.shutdown(wait=False)

    dp.startup.register(start)
    dp.shutdown.register(stop)
