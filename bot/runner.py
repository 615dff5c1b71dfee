"""``python -m bot run``: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import logging
import signal

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web

from bot.app import create_bot, create_dispatcher
from bot.container import build_services
from bot.settings import Settings
from bot.texts import Texts
from storage import Database, apply_migrations

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    db = await Database.connect(settings.database_path)
    try:
        applied = await apply_migrations(db)
        if applied:
            log.info("migrations applied: %s", applied)
        services = build_services(settings, db)
        texts = Texts.load()
        bot = create_bot(settings)
        dp = create_dispatcher(services, texts)
        if settings.webhook_url:
            await _serve_webhook(bot, dp, settings)
        else:
            await _poll(bot, dp)
    finally:
        await db.close()
        log.info("stopped")


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
