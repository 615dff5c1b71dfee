"""``python -m bot run``: long polling by default, a webhook server when WEBHOOK_URL is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

import aiohttp
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramNetworkError,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware

from bot.container import Services, import_seeds_if_empty, open_services
from bot.health import HealthService, start_health_server
from bot.heap import freeze_start_up
from bot.instance import InstanceLock
from bot.settings import Settings, TokenRejectedError, port_in_use
from bot.telegram.app import create_bot, create_dispatcher
from bot.web import start_web_server
from handlers.metrics import BotApiMetrics

log = logging.getLogger(__name__)


async def run_bot(settings: Settings) -> None:
    # Before anything else: a second process on the same database refuses (AlreadyRunning),
    # and the delivery recovery at start may trust that no other process is sending.
    with InstanceLock(settings.database_path):
        bot = create_bot(settings)
        try:
            await _run_with(bot, settings)
        finally:
            await bot.session.close()  # polling closes it too; not a port error or a crash
    log.info("stopped")


async def _run_with(bot: Bot, settings: Settings) -> None:
    # A refused token stops here, before the database is touched; an outage does not.
    reachable = await check_token(bot)
    async with open_services(settings) as services:
        await import_seeds_if_empty(services)
        # A database that had documents before the search index existed gets indexed once.
        await services.search.rebuild_if_empty()
        bot.session.middleware(BotApiMetrics(services.metrics))
        health = await _start_health(services)
        site = None
        try:
            # The public page and the officials' form (WEB_ENABLED), in polling and webhook mode.
            site = await start_web_server(services)
            if not reachable and not await _wait_with_token(bot, settings):
                log.info("stopped before the Bot API server could be reached")
                return
            dp = create_dispatcher(services)
            freeze_start_up()
            try:
                if settings.webhook_url:
                    await _serve_webhook(bot, dp, settings)
                else:
                    await _poll(bot, dp)
            finally:
                await _cancel_handlers()
        finally:
            if site is not None:
                await site.cleanup()
            if health is not None:
                await health.cleanup()


async def _start_health(services: Services) -> web.AppRunner | None:
    """/healthz and /metrics when METRICS_PORT is set (from before the first poll: a bot
    stuck retrying at start shows up as unhealthy)."""
    settings = services.settings
    if not settings.metrics_port:
        return None
    health = HealthService(
        services.db,
        services.metrics,
        settings.health_stale_seconds,
        webhook=bool(settings.webhook_url),
    )
    return await start_health_server(health, settings.metrics_host, settings.metrics_port)


_UNREACHABLE = (TelegramNetworkError, TelegramServerError, aiohttp.ClientError, OSError)


def _token_rejected() -> TokenRejectedError:
    return TokenRejectedError(
        "Telegram не принял BOT_TOKEN — токен неверный или отозван;"
        " возьмите действующий у @BotFather"
    )


async def check_token(bot: Bot) -> bool:
    """Ask the Bot API who we are, once: False when it cannot be reached (the caller retries),
    ``TokenRejectedError`` when it refuses the token."""
    try:
        me = await bot.get_me()
    except TelegramUnauthorizedError as exc:
        await bot.session.close()  # nothing else is open yet
        raise _token_rejected() from exc
    except _UNREACHABLE:
        return False  # said by wait_for_bot_api, which also listens for SIGTERM meanwhile
    log.info("bot @%s", me.username)
    return True


async def _wait_with_token(bot: Bot, settings: Settings) -> bool:
    try:
        return await wait_for_bot_api(bot, settings.start_retry_max_seconds)
    except TelegramUnauthorizedError as exc:
        await bot.session.close()
        raise _token_rejected() from exc


async def wait_for_bot_api(bot: Bot, longest_pause: float, first_pause: float = 1.0) -> bool:
    """At start, try the Bot API (getMe) until it answers, with growing pauses and one log
    line per failure.  False when SIGTERM/SIGINT came first.  A rejected token is not an
    outage: ``TelegramUnauthorizedError`` goes to the caller."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        pause = first_pause
        attempt = 0
        while not stop.is_set():
            attempt += 1
            try:
                await bot.get_me()
                if attempt > 1:
                    log.info("Bot API server reachable after %d attempts", attempt)
                return True
            except _UNREACHABLE as error:
                log.warning(
                    "Bot API server unreachable at start (attempt %d: %s); retrying in %.0f s",
                    attempt,
                    _reason(error),
                    pause,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), pause)
            pause = min(pause * 2, longest_pause)
        return False
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)


def _reason(error: BaseException) -> str:
    """The kind of failure without URLs (they carry the token) or request details."""
    if isinstance(error, TelegramServerError):
        return "server error"
    return type(error).__name__


async def _cancel_handlers(grace: float = 3.0) -> None:
    """After polling or the webhook server stopped: handlers still running (a parse, a long
    reply) get ``grace`` seconds, then are cancelled — their transactions roll back, and a
    parse's child process is killed, so nothing holds up the exit."""
    current = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not current and not t.done()]
    if not others:
        return
    _, late = await asyncio.wait(others, timeout=grace)
    for task in late:
        task.cancel()
    await asyncio.gather(*late, return_exceptions=True)


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
    try:
        await site.start()
    except OSError as error:
        await runner.cleanup()
        raise port_in_use(
            "WEBHOOK_PORT", settings.webhook_host, settings.webhook_port, error
        ) from None
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


def _log_unknown_path(path: str) -> Middleware:
    """A request to another path gets 404 and a warning: a wrong WEBHOOK_URL shows in the log."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
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
