"""Factories for Bot and Dispatcher: nothing is built at import time."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterator
from typing import Any

import aiogram.methods
from aiogram import Bot, Dispatcher, Router
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.dispatcher.event.handler import CallableObject
from aiogram.enums import ParseMode
from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.methods import Response, TelegramMethod
from aiogram.types import BotCommand, BotCommandScopeDefault, TelegramObject
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.commands import commands_for
from bot.container import Services
from bot.jobs import create_scheduler
from bot.regions import find_regions
from bot.settings import Settings
from bot.telegram.delivery import start_delivery, stop_delivery
from bot.telegram.fsm_storage import SQLiteStorage
from bot.telegram.menu import refresh_menu
from bot.telegram.resilience import RetryInteractiveRequests
from bot.texts import Texts
from handlers import get_routers
from handlers.metrics import UpdateMetricsMiddleware
from handlers.middlewares import CommandEndsDialogMiddleware, CurrentUserMiddleware

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
        storage=SQLiteStorage(services.fsm),
        # One update at a time per chat and user: a double tap cannot race its own dialog.
        events_isolation=SimpleEventIsolation(),
        services=services,
        texts=texts,
        settings=services.settings,
        # Held as long as the dispatcher lives (see pinned_response_models).
        response_models=pinned_response_models(),
    )
    dp.update.outer_middleware(UpdateMetricsMiddleware())
    dp.update.outer_middleware(CurrentUserMiddleware())
    dp.message.outer_middleware(CommandEndsDialogMiddleware())
    dp.include_routers(*get_routers())
    run_plain_checks_inline(dp)
    dp.startup.register(set_command_menu)
    dp.startup.register(warm_up)
    # The outbox's delivery worker lives as long as the dispatcher, in polling and webhook modes.
    dp.startup.register(start_delivery)
    dp.shutdown.register(stop_delivery)
    dp.shutdown.register(flush_message_refs)
    setup_jobs(dp, services)
    return dp


async def warm_up() -> None:
    """Build at startup what the first card or question would otherwise wait for: the index
    of region names (about 0.4 s of lemmatising, bot/regions.py), used by titles and questions."""
    find_regions("Москва")  # any text: the first call builds the index


async def flush_message_refs(services: Services) -> None:
    """The cards' message references still held back (storage/message_refs.py)."""
    await services.reporting.flush_message_refs()


def run_plain_checks_inline(root: Router) -> int:
    """Make the checks of ``root``'s routers cheap; returns how many were changed.

    aiogram calls a plain function through ``asyncio.to_thread``, and a magic filter (``F.text``,
    ``F.document``) is one: each check of a message's attributes was a hop to a worker thread
    and back, four on /my's way and six on a question's.  Ours are pure checks of the update
    (no I/O), so they run where they are.

    A button's filter (``SomeCallback.filter()``) unpacks the pressed data and raises inside to
    say no: a card's button passed some 27 of them, most of a card's routing.  Each now turns
    away data of another prefix first (``PrefixFirst``).
    """
    changed = 0
    for router in _routers(root):
        for observer in router.observers.values():
            for handler in observer.handlers:
                changed += _inline(handler)
                for check in handler.filters or ():
                    changed += _inline(check) + _prefix_first(check)
            for check in observer._handler.filters or ():
                changed += _inline(check) + _prefix_first(check)
    return changed


class PrefixFirst(Filter):
    """A button's filter that says no to data of another prefix without unpacking it (what
    ``CallbackData.unpack`` would refuse, raising); other data goes to the filter itself."""

    def __init__(self, original: CallbackQueryFilter) -> None:
        self.original = original
        self.prefix = original.callback_data.__prefix__
        self.head = self.prefix + original.callback_data.__separator__

    async def __call__(self, query: TelegramObject) -> bool | dict[str, Any]:
        data = getattr(query, "data", None)
        if not isinstance(data, str) or not (data == self.prefix or data.startswith(self.head)):
            return False
        return await self.original(query)  # type: ignore[arg-type]


def _prefix_first(check: CallableObject) -> int:
    if not isinstance(check.callback, CallbackQueryFilter):
        return 0
    check.callback = PrefixFirst(check.callback)
    return 1


def _routers(root: Router) -> Iterator[Router]:
    yield root
    for router in root.sub_routers:
        yield from _routers(router)


def _inline(check: CallableObject) -> int:
    if check.awaitable:
        return 0
    plain = check.callback

    async def inline(*args: Any, **kwargs: Any) -> Any:
        return plain(*args, **kwargs)

    check.callback = inline  # its parameters (``check.params``) stay those of ``plain``
    check.awaitable = True
    return 1


def pinned_response_models() -> tuple[Any, ...]:
    """``Response[Message]`` and the other generic answer models of every Bot API method.

    aiogram builds ``Response[method.__returning__]`` for each answer, and pydantic keeps the
    parametrised classes only weakly: held by nobody, they are garbage-collected and rebuilt on
    most updates (about half the time of /my in a profile).  Built once here and held by the
    dispatcher, they stay in pydantic's cache.
    """
    methods = [
        cls
        for cls in vars(aiogram.methods).values()
        if inspect.isclass(cls) and issubclass(cls, TelegramMethod) and cls is not TelegramMethod
    ]
    return tuple(Response[cls.__returning__] for cls in methods)  # type: ignore[name-defined]


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
