"""Anything no other router took: an unknown command, stray text, a sticker."""

from __future__ import annotations

import logging

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from bot.texts import Texts

log = logging.getLogger(__name__)


async def unknown_command(message: Message, texts: Texts) -> None:
    command = (message.text or "").split(maxsplit=1)[0][:64]
    await message.answer(texts("fallback.unknown_command", command=command))


async def unknown_text(message: Message, texts: Texts) -> None:
    await message.answer(texts("fallback.text"))


async def unknown_other(message: Message, texts: Texts) -> None:
    await message.answer(texts("fallback.other"))


async def stale_button(callback: CallbackQuery, texts: Texts) -> None:
    # A button from an old message whose handler no longer exists, or a hand-made one.
    # No data in the log: it is whatever the client sent.
    log.warning("callback %s: stale or unknown button", callback.id)
    await callback.answer(texts.plain("fallback.stale_button"), show_alert=True)


def create_router() -> Router:
    router = Router(name="fallback")
    router.message.register(unknown_command, F.text.startswith("/"))
    router.message.register(unknown_text, F.text)
    router.message.register(unknown_other)
    router.callback_query.register(stale_button)
    return router
