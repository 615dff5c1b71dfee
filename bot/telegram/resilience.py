"""Replies to a person survive a brief 429 or 5xx from Telegram.

Only requests made while handling an update are retried here (a context variable marks
them): the delivery worker has its own policy — on 429 the whole sender pauses — and must see
every error itself.  Retries are a bounded loop, never recursion.
"""

from __future__ import annotations

import asyncio
import logging
from contextvars import ContextVar
from typing import TYPE_CHECKING

from aiogram import Bot
from aiogram.client.session.middlewares.base import (
    BaseRequestMiddleware,
    NextRequestMiddlewareType,
)
from aiogram.exceptions import TelegramNetworkError, TelegramRetryAfter, TelegramServerError
from aiogram.methods.base import TelegramType

if TYPE_CHECKING:
    from aiogram.methods import Response, TelegramMethod

log = logging.getLogger(__name__)

interactive: ContextVar[bool] = ContextVar("interactive", default=False)

ATTEMPTS = 3
LONGEST_WAIT = 10  # seconds; a person will not wait longer for an answer anyway


class RetryInteractiveRequests(BaseRequestMiddleware):
    async def __call__(
        self,
        make_request: NextRequestMiddlewareType[TelegramType],
        bot: Bot,
        method: TelegramMethod[TelegramType],
    ) -> Response[TelegramType]:
        if not interactive.get():
            return await make_request(bot, method)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                return await make_request(bot, method)
            except TelegramRetryAfter as error:
                if attempt == ATTEMPTS or error.retry_after > LONGEST_WAIT:
                    raise
                delay = error.retry_after
            except (TelegramServerError, TelegramNetworkError):
                if attempt == ATTEMPTS:
                    raise
                delay = 0.5 * 2 ** (attempt - 1)
            log.info("%s: retry %d in %.1fs", type(method).__name__, attempt, delay)
            await asyncio.sleep(delay)
        raise AssertionError("unreachable")
