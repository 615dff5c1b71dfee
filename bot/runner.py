"""``python -m bot run``: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramUnauthorizedError
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import create_bot, create_dispatcher
from bot.container import Services, open_services
from bot.paths import CONTENT_DIR
from bot.settings import Settings, TokenRejectedError

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    bot = create_bot(settings)
    await check_token(bot)  # a refused token stops here, before the database is touched
    try:
        async with open_services(settings) as services:
            await import_seeds_if_empty(services)
            # A database that had documents before the search index existed gets indexed once.
            await services.search.rebuild_if_empty()
            dp = create_dispatcher(services)
            if settings.webhook_url:
                await _serve_webhook(bot, dp, settings)
            else:
                await _poll(bot, dp)
    finally:
        await bot.session.close()
    log.info("stopped")


async def check_token(bot: Bot) -> None:
    """Ask Telegram who we are: a wrong or revoked token stops the start with one line."""
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError as exc:
        await bot.session.close()  # nothing else is open yet
        raise TokenRejectedError(
            "Telegram не принял BOT_TOKEN — токен неверный или отозван;"
            " возьмите действующий у @BotFather"
        ) from exc
    log.info("bot @%s", me.username)


async def import_seeds_if_empty(services: Services) -> None:
    """A new installation starts with the resolutions shipped in content/resolutions."""
    if not services.settings.import_seeds_on_empty or await services.documents.count():
        return
    results = await services.importer.import_directory(CONTENT_DIR / "resolutions")
    log.info(
        "imported %d shipped resolutions (%d recommendations)",
        len(results),
        sum(len(r.recommendation_ids) for r in results),
    )


async def _poll(bot: Bot, dp: Dispatcher) -> None:
    await bot.delete_webhook(drop_pending_updates=False)
    # aiogram installs SIGINT/SIGTERM handlers that stop polling; we close up afterwards.
    await dp.start_polling(bot, handle_signals=True, allowed_updates=dp.resolve_used_update_types())


async def _serve_webhook(bot: Bot, dp: Dispatcher, settings: Settings) -> None:
    secret = settings.webhook_secret.get_secret_value() or None
    app = web.Application(middlewares=[_log_unknown_path(settings.webhook_path)])
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dp, bot=bot)

    # Signals first: a stop request right after the webhook is registered is a clean stop.
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    log.info("webhook server on %s:%s", settings.webhook_host, settings.webhook_port)
    try:
        # Registered once listening: Telegram's first update finds the server.
        await bot.set_webhook(
            settings.webhook_full_url(),
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
        )
        await stop.wait()
    finally:
        await runner.cleanup()


def _log_unknown_path(path: str):
    """A request to another path gets 404 and a warning: a wrong WEBHOOK_URL shows in the log."""

    @web.middleware
    async def middleware(request: web.Request, handler):
        try:
            return await handler(request)
        except web.HTTPNotFound:
            log.warning(
                "webhook: 404 for %s %s (updates are served at %s)",
                request.method,
                request.path,
                path,
            )
            raise

    return middleware
