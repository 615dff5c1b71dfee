"""A reply by letter: a coordinator records the status an addressee not in Telegram stated in
an official letter — the status, «№ … от …», the scan (file or photo; its caption is the
comment), then confirmation.  The card's history shows who entered it and on what basis."""

from __future__ import annotations

import datetime as dt
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.access import Action
from bot.container import Services
from bot.errors import NotFound, PermissionDenied, UserError
from bot.formatting import shorten
from bot.letters import LetterError
from bot.reporting import COMMENT_LIMIT, Evidence, Letter
from bot.texts import Texts
from bot.views import status_label
from handlers.callbacks import LetterCallback
from handlers.cards import evidence_of, on_form_cancel, send_card
from handlers.editing import drop_buttons, show_result
from handlers.events import pressed_in, pressed_message, sender_id
from storage.statuses import STATUSES


class LetterForm(StatesGroup):
    letter = State()  # «№ … от …»
    scan = State()  # the scanned letter
    reason = State()  # «Не будет выполнено» needs a reason
    confirm = State()


class LetterStep(CallbackData, prefix="ls"):
    action: str  # skip | confirm | cancel
    rec: int


def _not_command(message: Message) -> bool:
    return not (message.text or "").startswith("/")


def _keyboard(texts: Texts, rec_id: int, *actions: str) -> InlineKeyboardMarkup:
    labels = {
        "skip": "reports.letter.no_scan_button",
        "confirm": "report.confirm_button",
        "cancel": "report.cancel_button",
    }
    kb = InlineKeyboardBuilder()
    for action in actions:
        kb.button(
            text=texts.plain(labels[action]), callback_data=LetterStep(action=action, rec=rec_id)
        )
    kb.adjust(len(actions))
    return kb.as_markup()


def _letter(data: dict[str, Any]) -> tuple[str, str]:
    number, date = data["letter"]
    return number, ".".join(reversed(date.split("-")))


async def on_letter_button(
    callback: CallbackQuery,
    callback_data: LetterCallback,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    rec_id = callback_data.rec_id
    try:
        await services.reporting.check(callback.from_user.id, Action.RECORD_LETTER, rec_id)
    except NotFound as error:  # a stale card: say so under the button, no dialog to end
        await callback.answer(texts.plain(error.key), show_alert=True)
        return
    await callback.answer()
    if callback_data.action == "start":
        rec = (await services.reporting.subject(rec_id)).recommendation
        kb = InlineKeyboardBuilder()
        statuses = [s for s in STATUSES if s != rec.status]
        for status in statuses:
            kb.button(
                text=status_label(texts, status),
                callback_data=LetterCallback(rec_id=rec_id, action="status", status=status),
            )
        kb.button(
            text=texts.plain("report.cancel_button"),
            callback_data=LetterStep(action="cancel", rec=rec_id),
        )
        kb.adjust(2, 2, 1)
        await pressed_message(callback).answer(
            texts("reports.letter.pick_status", number=rec.number),
            reply_markup=kb.as_markup(),
        )
        return
    if callback_data.status not in STATUSES:
        return
    await state.set_state(LetterForm.letter)
    await state.set_data({"rec_id": rec_id, "status": callback_data.status, "mode": "letter"})
    await drop_buttons(callback)
    await pressed_message(callback).answer(
        texts("reports.letter.ask_letter", status=status_label(texts, callback_data.status)),
        reply_markup=_keyboard(texts, rec_id, "cancel"),
    )


async def on_letter_text(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    data = await state.get_data()
    try:
        letter = await services.reporting.read_letter(
            sender_id(message), data["rec_id"], message.text or ""
        )
    except LetterError as error:
        await message.answer(texts(error.key, **error.params))
        return
    except UserError as error:  # refused: the dialog ends (bad input is LetterError above)
        await state.clear()
        await message.answer(texts(error.key, **getattr(error, "params", {})))
        return
    data["letter"] = [letter.number, letter.date.isoformat()]
    await state.set_data(data)
    await state.set_state(LetterForm.scan)
    number, date = _letter(data)
    await message.answer(
        texts("reports.letter.ask_scan", number=number, date=date),
        reply_markup=_keyboard(texts, data["rec_id"], "skip", "cancel"),
    )


async def on_scan(message: Message, state: FSMContext, texts: Texts) -> None:
    data = await state.get_data()
    evidence = evidence_of(message) if (message.document or message.photo) else None
    comment = (message.text or message.caption or "").strip()
    if len(comment) > COMMENT_LIMIT:
        await message.answer(texts("report.comment_too_long"))
        return
    if comment:
        data["comment"] = comment
    if evidence is None:
        await state.set_data(data)
        key = "reports.letter.comment_kept" if comment else "reports.letter.need_scan"
        await message.answer(
            texts(key), reply_markup=_keyboard(texts, data["rec_id"], "skip", "cancel")
        )
        return
    data["evidence"] = [evidence.kind, evidence.value, evidence.name]
    await state.set_data(data)
    await _next(message, state, texts, data)


async def on_reason(message: Message, state: FSMContext, texts: Texts) -> None:
    data = await state.get_data()
    comment = (message.text or message.caption or "").strip()
    if not comment:
        await message.answer(texts("reports.letter.ask_reason"))
        return
    if len(comment) > COMMENT_LIMIT:
        await message.answer(texts("report.comment_too_long"))
        return
    data["comment"] = comment
    await state.set_data(data)
    await _next(message, state, texts, data)


async def _next(message: Message, state: FSMContext, texts: Texts, data: dict[str, Any]) -> None:
    """After the scan: the reason when «Не будет выполнено» has none, else confirmation."""
    if data["status"] == "wont_do" and not data.get("comment"):
        await state.set_state(LetterForm.reason)
        await message.answer(
            texts("reports.letter.ask_reason"),
            reply_markup=_keyboard(texts, data["rec_id"], "cancel"),
        )
        return
    await state.set_state(LetterForm.confirm)
    number, date = _letter(data)
    evidence = data.get("evidence")
    scan = (
        texts.plain(f"report.evidence_{evidence[0]}", name=evidence[2] or "", url="")
        if evidence
        else texts.plain("report.none")
    )
    await message.answer(
        texts(
            "reports.letter.confirm",
            status=status_label(texts, data["status"]),
            number=number,
            date=date,
            comment=shorten(data.get("comment") or texts.plain("report.none"), 500),
            scan=scan,
        ),
        reply_markup=_keyboard(texts, data["rec_id"], "confirm", "cancel"),
    )


async def on_step(
    callback: CallbackQuery,
    callback_data: LetterStep,
    state: FSMContext,
    bot: Bot,
    services: Services,
    texts: Texts,
) -> None:
    data = await state.get_data()
    if data.get("mode") != "letter" or data.get("rec_id") != callback_data.rec:
        if callback_data.action == "cancel":
            await callback.answer()
            await show_result(callback, texts("report.cancelled"))
            return
        await callback.answer(texts.plain("report.dialog_over"))
        return
    if callback_data.action == "cancel":
        await on_form_cancel(callback, state, texts)
        return
    if callback_data.action == "skip":
        if await state.get_state() != LetterForm.scan.state:
            await callback.answer(texts.plain("report.stale_step"))
            return
        await callback.answer()
        await drop_buttons(callback)
        await _next(pressed_message(callback), state, texts, data)
        return
    if await state.get_state() != LetterForm.confirm.state:
        await callback.answer(texts.plain("report.stale_step"))
        return
    number, date = data["letter"]
    letter = Letter(number, dt.date.fromisoformat(date))
    evidence = Evidence(*data["evidence"]) if data.get("evidence") else None
    try:
        await services.reporting.report_status(
            callback.from_user.id,
            data["rec_id"],
            data["status"],
            data.get("comment"),
            evidence,
            letter,
        )
    except PermissionDenied as denied:
        await state.clear()
        await callback.answer(texts.plain(denied.key, **denied.params), show_alert=True)
        return
    except UserError as error:
        await state.clear()
        await callback.answer(texts.plain(error.key), show_alert=True)
        await show_result(callback, texts(error.key))
        return
    await state.clear()
    shown_number, shown_date = _letter(data)
    await callback.answer(texts.plain("report.saved_short"))
    await show_result(callback, texts("reports.letter.saved", number=shown_number, date=shown_date))
    await send_card(
        bot, pressed_in(callback).chat.id, callback.from_user.id, data["rec_id"], services, texts
    )


def create_router() -> Router:
    router = Router(name="letters")
    router.callback_query.register(on_letter_button, LetterCallback.filter())
    router.callback_query.register(on_step, LetterStep.filter())
    router.message.register(on_letter_text, StateFilter(LetterForm.letter), F.text, _not_command)
    router.message.register(on_scan, StateFilter(LetterForm.scan), _not_command)
    router.message.register(on_reason, StateFilter(LetterForm.reason), _not_command)
    return router
