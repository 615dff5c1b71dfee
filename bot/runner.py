"""``python -m bot run``: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import create_bot, create_dispatcher
from bot.container import Services, open_services
from bot.paths import CONTENT_DIR
from bot.settings import Settings

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    async with open_services(settings) as services:
        await import_seeds_if_empty(services)
        # A database that had documents before the search index existed gets indexed once.
        await services.search.rebuild_if_empty()
        bot = create_bot(settings)
        dp = create_dispatcher(services)
        if settings.webhook_url:
            await _serve_webhook(bot, dp, settings)
        else:
            await _poll(bot, dp)
    log.info("stopped")


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
    app = web.Application()
    SimpleRequestHandler(dispatcher=dp, bot=bot, secret_token=secret).register(
        app, path=settings.webhook_path
    )
    setup_application(app, dp, bot=bot)

    async def register_webhook(_: web.Application) -> None:
        await bot.set_webhook(
            settings.webhook_url.rstrip("/") + settings.webhook_path,
            secret_token=secret,
            allowed_updates=dp.resolve_used_update_types(),
        )

    app.on_startup.append(register_webhook)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, settings.webhook_host, settings.webhook_port)
    await site.start()
    log.info("webhook server on %s:%s", settings.webhook_host, settings.webhook_port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
