"""Where a handler's failure ends: a ``UserError`` becomes its text for the user (a message,
or an alert for a button); anything else is logged with the update id, and the user gets an
apology."""

from __future__ import annotations

import logging

from aiogram import Bot, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import ErrorEvent

from bot.container import Services
from bot.errors import UserError
from bot.formatting import shorten
from bot.texts import Texts

log = logging.getLogger(__name__)


async def on_error(
    event: ErrorEvent,
    bot: Bot,
    texts: Texts,
    services: Services | None = None,
    state: FSMContext | None = None,
) -> bool:
    update = event.update
    if isinstance(event.exception, UserError):
        return await tell_user(event, bot, texts, event.exception, state)
    metrics = services.metrics if services is not None else None
    if isinstance(event.exception, TelegramBadRequest) and "query is too old" in str(
        event.exception
    ):
        # A button pressed long ago (or while the bot was down): the work is done, only the
        # spinner could not be stopped. Nothing to apologise for.
        log.info("update %s: callback query expired", update.update_id)
        return True
    if isinstance(event.exception, TelegramBadRequest) and _failed_edit(event.exception):
        # The action succeeded; only redrawing its message did not (deleted, too old,
        # unchanged). Nothing to apologise for.
        log.info("update %s: message not edited: %s", update.update_id, event.exception.message)
        return True
    if update.callback_query is not None and isinstance(event.exception, BOGUS_BUTTON_ERRORS):
        if metrics is not None:
            metrics.errors.labels("stale_button").inc()
        return await _stale_button(event, texts)
    if metrics is not None:
        metrics.errors.labels("handler").inc()
    # Only the update id and the exception: no message text or names in the log.
    log.error(
        "update %s failed: %s",
        update.update_id,
        type(event.exception).__name__,
        exc_info=event.exception,
    )
    query, message = update.callback_query, update.message
    chat = (query.message.chat.id if query and query.message else None) or (
        message.chat.id if message else None
    )
    try:
        if query is not None:
            try:
                await query.answer(texts.plain("errors.apology"), show_alert=True)
                return True
            except TelegramBadRequest:
                pass  # the button was answered before the failure: say it in the chat
        if chat is not None:
            await bot.send_message(chat, texts("errors.apology"))
    except Exception:  # the apology itself failed (network, blocked): nothing more to do
        log.warning("could not send the apology for update %s", update.update_id)
    return True


ALERT_LIMIT = 200  # characters Telegram shows in a button's pop-up


async def tell_user(
    event: ErrorEvent, bot: Bot, texts: Texts, error: UserError, state: FSMContext | None
) -> bool:
    """What the user did wrong, said in their chat: an alert for a button, else a message.

    A denial, a missing thing or a stale request also ends the dialog the user was in (its
    next answer would meet the same refusal); bad input leaves it open for another try.
    """
    update = event.update
    # The key only: params may hold what the user typed.
    log.info("update %s: %s %s", update.update_id, type(error).__name__, error.key)
    if error.ends_dialog and state is not None:
        await state.clear()
    query, message = update.callback_query, update.message
    try:
        if query is not None:
            try:
                text = texts.plain(error.key, **error.params)
                if len(text) > ALERT_LIMIT:
                    text = shorten(text, ALERT_LIMIT)
                await query.answer(text, show_alert=True)
                return True
            except TelegramBadRequest:
                pass  # the button was answered before the failure: say it in the chat
            chat = query.message.chat.id if query.message else query.from_user.id
            await bot.send_message(chat, texts(error.key, **error.params))
        elif message is not None:
            await message.answer(texts(error.key, **error.params))
    except Exception:  # network, blocked: the user sees nothing more
        log.warning("could not tell update %s what went wrong", update.update_id)
    return True


# What a stale or hand-made button makes a handler raise: ids that do not fit SQLite's integers,
# callback data that does not parse. Bad data from the client, not a fault of the bot: a
# WARNING without a traceback, and an alert. (What is gone or refused is a UserError, above.)
BOGUS_BUTTON_ERRORS = (ValueError, TypeError, LookupError, OverflowError)


async def _stale_button(event: ErrorEvent, texts: Texts) -> bool:
    query = event.update.callback_query
    assert query is not None  # on_error sends only buttons here
    # No callback data in the log: it is whatever the client sent.
    log.warning(
        "update %s: stale or bogus button (%s)",
        event.update.update_id,
        type(event.exception).__name__,
    )
    try:
        await query.answer(texts.plain("fallback.stale_button"), show_alert=True)
    except TelegramBadRequest:
        pass  # already answered before the failure, or too old: nothing more to say
    except Exception:  # network: the spinner stops by itself
        log.warning("could not answer the stale button of update %s", event.update.update_id)
    return True


EDIT_FAILURES = (
    "message to edit not found",
    "message is not modified",
    "message can't be edited",
)


def _failed_edit(error: TelegramBadRequest) -> bool:
    return any(part in error.message for part in EDIT_FAILURES)


def create_router() -> Router:
    router = Router(name="errors")
    router.errors.register(on_error)
    return router
