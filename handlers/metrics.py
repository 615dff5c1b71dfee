"""Feeding ``bot.metrics.Metrics``: every update (type, latency) and every Bot API answer
that matters to an operator (a successful long poll, a 429)."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, Response, TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import TelegramObject, Update

from bot.metrics import Metrics


class UpdateMetricsMiddleware(BaseMiddleware):
    """Outer middleware on ``dp.update``: counts and times each update by its type."""

    async def __call__(
        self,
        handler: Callable[[Any, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        services = data.get("services")
        if services is None:
            return await handler(event, data)
        metrics: Metrics = services.metrics
        kind = event.event_type if isinstance(event, Update) else type(event).__name__
        metrics.contact()  # an update came in: polling or webhook, Telegram reaches us
        started = time.perf_counter()
        try:
            return await handler(event, data)
        finally:
            metrics.updates.labels(kind).inc()
            metrics.handler_seconds.labels(kind).observe(time.perf_counter() - started)


class BotApiMetrics(BaseRequestMiddleware):
    """Session middleware: a successful getUpdates is a sign of life; 429s are counted."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        try:
            result = await make_request(bot, method)
        except TelegramRetryAfter:
            self.metrics.throttled.inc()
            raise
        if isinstance(method, GetUpdates):
            self.metrics.contact()
        return result
