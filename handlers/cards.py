"""A recommendation's card: full text, history, and what this user may do with it.

Reporting: a status button → an optional comment, file, photo or link (a reason is required
for «Не будет выполнено») → confirmation.  Assessments and deadlines start here too.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    FSInputFile,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.access import Action
from bot.container import Services
from bot.formatting import human_date, human_date_weekday, shorten
from bot.reporting import Evidence, is_reason
from bot.texts import Texts, join_within
from bot.uploads import upload_path
from bot.views import Card, render_card, status_label
from handlers.callbacks import (
    AssessCallback,
    CardCallback,
    DeadlineCallback,
    EvidenceCallback,
    FollowCallback,
    StatusCallback,
)
from handlers.editing import drop_buttons, show_result
from handlers.events import pressed_in, sender_id
from handlers.keyboards import card_keyboard
from storage.statuses import REPORTED_STATUSES, STATUSES, Status

URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)


class ReportForm(StatesGroup):
    details = State()  # waiting for a comment / evidence after a status button
    confirm = State()
    assessment = State()  # waiting for an assessment comment
    deadline = State()  # waiting for a date
    deadline_confirm = State()  # the date read back in words: «Сохранить»?


class ReportStep(CallbackData, prefix="rs"):
    """A dialog step's button; it acts only in the step and on the card it was made for."""

    action: str  # skip | confirm | cancel
    form: str = ""  # the step (a code from FORMS); empty on buttons made before steps had one
    rec: int = 0


FORMS = {
    ReportForm.details.state: "d",
    ReportForm.confirm.state: "c",
    ReportForm.assessment.state: "a",
    ReportForm.deadline.state: "l",
    ReportForm.deadline_confirm.state: "lc",
}


def step(action: str, form: State, rec_id: int) -> ReportStep:
    return ReportStep(action=action, form=FORMS[form.state], rec=rec_id)


async def is_stale(callback: CallbackQuery, callback_data: ReportStep, state: FSMContext) -> bool:
    """The button belongs to a step that is over, or to another card's dialog."""
    current = await state.get_state()
    data = await state.get_data()
    if FORMS.get(current) != callback_data.form or data.get("rec_id") != callback_data.rec:
        return True
    # The same card's status pressed twice: only the newest prompt (and what follows) acts.
    message = callback.message
    return message is not None and message.message_id < data.get("prompt", 0)


async def on_stale_step(callback: CallbackQuery, state: FSMContext, texts: Texts) -> None:
    # Nothing changes: the dialog in progress (if any) goes on as it was.
    over = await state.get_state() not in FORMS
    await callback.answer(texts.plain("report.dialog_over" if over else "report.stale_step"))


async def send_card(
    bot: Bot, chat_id: int, user_id: int, rec_id: int, services: Services, texts: Texts
) -> Message:
    card = await services.reporting.card(user_id, rec_id)
    message = await bot.send_message(
        chat_id, render_card(texts, card), reply_markup=card_keyboard(texts, card)
    )
    services.reporting.remember_card(chat_id, message.message_id, rec_id)
    return message


async def on_open_card(
    callback: CallbackQuery, callback_data: CardCallback, bot: Bot, services: Services, texts: Texts
) -> None:
    await send_card(
        bot,
        pressed_in(callback).chat.id,
        callback.from_user.id,
        callback_data.rec_id,
        services,
        texts,
    )
    await callback.answer()


async def on_follow(
    callback: CallbackQuery, callback_data: FollowCallback, services: Services, texts: Texts
) -> None:
    await services.reporting.follow(callback.from_user.id, callback_data.rec_id, callback_data.on)
    await callback.answer(texts.plain("card.followed" if callback_data.on else "card.unfollowed"))
    card = await services.reporting.card(callback.from_user.id, callback_data.rec_id)
    await _refresh(callback, texts, card)


async def _refresh(callback: CallbackQuery, texts: Texts, card: Card) -> None:
    """Redraw the card in place; an old message that cannot be edited is left alone."""
    message = callback.message
    if not isinstance(message, Message):  # none, or too old to read (and to edit)
        return
    text = render_card(texts, card)
    markup = card_keyboard(texts, card)
    if message.text == text and message.reply_markup == markup:
        return
    # e.g. "message is not modified" or a message too old to edit: the new state shows next time
    await show_result(callback, text, reply_markup=markup)


async def on_evidence(
    callback: CallbackQuery,
    callback_data: EvidenceCallback,
    bot: Bot,
    services: Services,
    texts: Texts,
) -> None:
    evidence = await services.reporting.evidence(callback.from_user.id, callback_data.entry_id)
    await callback.answer()
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    stored = upload_path(Path(services.settings.web_upload_dir), evidence.value)
    if stored is not None:  # attached in the officials' web form: sent from the disk
        await bot.send_document(chat_id, FSInputFile(stored, filename=evidence.name or "file"))
    elif evidence.kind == "document":
        await bot.send_document(chat_id, evidence.value)
    elif evidence.kind == "photo":
        await bot.send_photo(chat_id, evidence.value)
    else:
        await bot.send_message(chat_id, texts("report.evidence_sent_link", url=evidence.value))


# --- status reports -------------------------------------------------------------------


def _step_keyboard(texts: Texts, form: State, rec_id: int, *, skip: bool) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if skip:
        kb.button(text=texts("report.skip_button"), callback_data=step("skip", form, rec_id))
    kb.button(text=texts("report.cancel_button"), callback_data=step("cancel", form, rec_id))
    return kb.as_markup()


async def on_status_button(
    callback: CallbackQuery,
    callback_data: StatusCallback,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    if callback_data.status not in STATUSES:
        await callback.answer(texts.plain("report.unknown_status"), show_alert=True)
        return
    if not await services.reporting.can(
        callback.from_user.id, Action.REPORT_STATUS, callback_data.rec_id
    ):
        await callback.answer(texts.plain("access.not_responsible"), show_alert=True)
        return
    await state.set_state(ReportForm.details)
    await state.set_data(
        {"rec_id": callback_data.rec_id, "status": callback_data.status, "mode": "status"}
    )
    await callback.answer()
    label = status_label(texts, callback_data.status)
    wont_do = callback_data.status == Status.WONT_DO
    prompt = await pressed_in(callback).answer(
        texts("report.ask_reason" if wont_do else "report.ask_details", status=label),
        reply_markup=_step_keyboard(
            texts, ReportForm.details, callback_data.rec_id, skip=not wont_do
        ),
    )
    await state.update_data(prompt=prompt.message_id)


def evidence_of(message: Message) -> Evidence | None:
    if message.document is not None:
        return Evidence("document", message.document.file_id, message.document.file_name)
    if message.photo:
        return Evidence("photo", message.photo[-1].file_id, None)
    url = URL_RE.search(message.text or message.caption or "")
    return Evidence("link", url.group(0).rstrip(').,;»"'), None) if url else None


async def on_details(message: Message, state: FSMContext, texts: Texts) -> None:
    data = await state.get_data()
    comment = (message.text or message.caption or "").strip()
    evidence = evidence_of(message)
    if evidence is None and data.get("evidence"):
        evidence = Evidence(*data["evidence"])  # sent before the reason: kept
    if data.get("status") == Status.WONT_DO and not is_reason(comment):
        if evidence is not None:
            data["evidence"] = [evidence.kind, evidence.value, evidence.name]
            await state.set_data(data)
            await message.answer(
                texts(
                    "report.reason_required_kept", evidence=_evidence_label(texts, data["evidence"])
                )
            )
            return
        await message.answer(texts("report.reason_required"))
        return
    if len(comment) > 2000:
        await message.answer(texts("report.comment_too_long"))
        return
    data.update(
        comment=comment or None,
        evidence=[evidence.kind, evidence.value, evidence.name] if evidence else None,
    )
    await state.set_data(data)
    await state.set_state(ReportForm.confirm)
    await _ask_confirmation(message, texts, data)


async def on_more_details(message: Message, state: FSMContext, texts: Texts) -> None:
    """At «Проверьте отчёт» people still send the file or a second line: it joins the report."""
    data = await state.get_data()
    if "rec_id" not in data:
        return
    more = (message.text or message.caption or "").strip()
    evidence = evidence_of(message)
    comment = "\n".join(part for part in (data.get("comment"), more) if part)
    if len(comment) > 2000:
        await message.answer(texts("report.comment_too_long"))
        return
    data["comment"] = comment or None
    if evidence is not None:
        data["evidence"] = [evidence.kind, evidence.value, evidence.name]
    await state.set_data(data)
    await _ask_confirmation(message, texts, data)


async def _ask_confirmation(
    message: Message | InaccessibleMessage, texts: Texts, data: dict[str, Any]
) -> None:
    kb = InlineKeyboardBuilder()
    rec_id = data["rec_id"]
    kb.button(
        text=texts("report.confirm_button"),
        callback_data=step("confirm", ReportForm.confirm, rec_id),
    )
    kb.button(
        text=texts("report.cancel_button"), callback_data=step("cancel", ReportForm.confirm, rec_id)
    )
    evidence = data.get("evidence")
    await message.answer(
        texts(
            "report.confirm",
            status=status_label(texts, data["status"]),
            comment=shorten(data.get("comment") or texts("report.none"), 500),
            evidence=_evidence_label(texts, evidence),
        ),
        reply_markup=kb.as_markup(),
    )


def _evidence_label(texts: Texts, evidence: list[str | None] | None) -> str:
    if not evidence:
        return texts("report.none")
    kind, value, name = evidence
    return texts(f"report.evidence_{kind}", name=name or "", url=shorten(value or "", 200))


async def on_step(
    callback: CallbackQuery,
    callback_data: ReportStep,
    state: FSMContext,
    bot: Bot,
    services: Services,
    texts: Texts,
) -> None:
    data = await state.get_data()
    if "rec_id" not in data:
        # The dialog is over (a second tap on a button that already did its work).
        await callback.answer(texts.plain("report.dialog_over"))
        return
    if callback_data.action == "cancel":
        await on_form_cancel(callback, state, texts)
        return
    if callback_data.action == "skip":
        if data.get("status") == Status.WONT_DO:
            await callback.answer(texts.plain("report.reason_required"), show_alert=True)
            return
        data.update(comment=None, evidence=None)
        await state.set_data(data)
        await state.set_state(ReportForm.confirm)
        await callback.answer()
        await drop_buttons(callback)
        await _ask_confirmation(pressed_in(callback), texts, data)
        return
    # confirm
    evidence = Evidence(*data["evidence"]) if data.get("evidence") else None
    if data.get("mode") == "comment":
        await services.reporting.comment(
            callback.from_user.id, data["rec_id"], data.get("comment"), evidence
        )
    else:
        await services.reporting.report_status(
            callback.from_user.id,
            data["rec_id"],
            data["status"],
            data.get("comment"),
            evidence,
        )
    await state.clear()
    await callback.answer(texts.plain("report.saved_short"))
    await show_result(callback, texts("report.saved"))
    await send_card(
        bot, pressed_in(callback).chat.id, callback.from_user.id, data["rec_id"], services, texts
    )


# --- a reply to a card, nudge or digest records a comment ------------------------------


async def replied_recommendations(
    message: Message, services: Services
) -> dict[str, list[int]] | bool:
    """Filter: the message replies to a card, nudge or digest; hands over its recommendations."""
    replied = message.reply_to_message
    if replied is None or replied.from_user is None or not replied.from_user.is_bot:
        return False
    if message.text and message.text.startswith("/"):
        return False
    rec_ids = await services.reporting.recommendations_of_message(
        message.chat.id, replied.message_id
    )
    return {"rec_ids": rec_ids} if rec_ids else False


async def on_reply(
    message: Message, rec_ids: list[int], state: FSMContext, services: Services, texts: Texts
) -> None:
    # A reply is about the card it answers: it wins over any half-finished dialog.
    await state.clear()
    if len(rec_ids) > 1:
        await message.answer(
            texts("report.reply_ambiguous"), reply_markup=_pick_card(texts, rec_ids)
        )
        return
    rec_id = rec_ids[0]
    comment = (message.text or message.caption or "").strip() or None
    evidence = evidence_of(message)
    await services.reporting.comment(sender_id(message), rec_id, comment, evidence)
    rec = await services.reporting.recommendation(rec_id)
    kb = InlineKeyboardBuilder()
    for status in REPORTED_STATUSES:
        if rec is not None and status == rec.status:
            continue  # «Изменить статус?» offers the other ones
        kb.button(
            text=status_label(texts, status),
            callback_data=StatusCallback(rec_id=rec_id, status=status),
        )
    kb.adjust(2)
    await message.answer(
        texts(
            "report.reply_saved",
            comment=shorten(comment or texts("report.none"), 300),
            evidence=_evidence_label(
                texts, [evidence.kind, evidence.value, evidence.name] if evidence else None
            ),
        ),
        reply_markup=kb.as_markup(),
    )


def _pick_card(texts: Texts, rec_ids: list[int]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for rec_id in rec_ids[:20]:
        kb.button(
            text=texts("report.pick_card", rec_id=rec_id), callback_data=CardCallback(rec_id=rec_id)
        )
    kb.adjust(2)
    return kb.as_markup()


# --- assessments -----------------------------------------------------------------------


async def on_assess(
    callback: CallbackQuery,
    callback_data: AssessCallback,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    # Refused (an alert): a body's own official, or the author of the last report.
    # Or the same verdict as before on this report.
    await services.reporting.check_assess(
        callback.from_user.id, callback_data.rec_id, callback_data.verdict
    )
    await state.set_state(ReportForm.assessment)
    await state.set_data({"rec_id": callback_data.rec_id, "verdict": callback_data.verdict})
    await callback.answer()
    await pressed_in(callback).answer(
        texts(f"assess.ask_{callback_data.verdict}"),
        reply_markup=_step_keyboard(texts, ReportForm.assessment, callback_data.rec_id, skip=True),
    )


async def on_assessment_text(
    message: Message, state: FSMContext, bot: Bot, services: Services, texts: Texts
) -> None:
    await _save_assessment(message, sender_id(message), state, bot, services, texts, message.text)


async def on_assessment_step(
    callback: CallbackQuery,
    callback_data: ReportStep,
    state: FSMContext,
    bot: Bot,
    services: Services,
    texts: Texts,
) -> None:
    if callback_data.action == "cancel":
        await on_form_cancel(callback, state, texts)
        return
    await drop_buttons(callback)
    # Answered after saving: a refusal shows as this button's alert.
    await _save_assessment(
        pressed_in(callback), callback.from_user.id, state, bot, services, texts, None
    )
    await callback.answer()


async def _save_assessment(
    message: Message | InaccessibleMessage,
    user_id: int,
    state: FSMContext,
    bot: Bot,
    services: Services,
    texts: Texts,
    comment: str | None,
) -> None:
    data = await state.get_data()
    await state.clear()  # saved or refused, the question is answered
    await services.reporting.assess(user_id, data["rec_id"], data["verdict"], comment)
    await message.answer(texts("assess.saved"))
    await send_card(bot, message.chat.id, user_id, data["rec_id"], services, texts)


# --- deadlines -------------------------------------------------------------------------


async def on_deadline_button(
    callback: CallbackQuery,
    callback_data: DeadlineCallback,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    await services.reporting.check(callback.from_user.id, Action.SET_DEADLINE, callback_data.rec_id)
    await state.set_state(ReportForm.deadline)
    await state.set_data({"rec_id": callback_data.rec_id})
    await callback.answer()
    await pressed_in(callback).answer(
        texts("deadline.ask"),
        reply_markup=_step_keyboard(texts, ReportForm.deadline, callback_data.rec_id, skip=False),
    )


async def on_deadline_text(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    """A typed deadline is read and shown in words; it is saved only after «Сохранить»."""
    data = await state.get_data()
    typed = await services.reporting.read_deadline(
        sender_id(message), data["rec_id"], message.text or ""
    )
    if typed is None:
        await message.answer(texts("deadline.bad_date"))
        return
    await state.update_data(deadline=typed.day.isoformat() if typed.day else None)
    await state.set_state(ReportForm.deadline_confirm)
    kb = InlineKeyboardBuilder()
    form, rec_id = ReportForm.deadline_confirm, data["rec_id"]
    kb.button(text=texts("deadline.save_button"), callback_data=step("confirm", form, rec_id))
    kb.button(text=texts("report.cancel_button"), callback_data=step("cancel", form, rec_id))
    if typed.day is None:
        text = texts("deadline.confirm_clear")
    else:
        text = texts("deadline.confirm", day=human_date_weekday(typed.day))
        if typed.past:
            text = join_within([text, texts("deadline.past")])
    await message.answer(text, reply_markup=kb.as_markup())


async def on_deadline_step(
    callback: CallbackQuery,
    callback_data: ReportStep,
    state: FSMContext,
    bot: Bot,
    services: Services,
    texts: Texts,
) -> None:
    data = await state.get_data()
    await state.clear()
    if callback_data.action != "confirm":
        await callback.answer()
        await show_result(callback, texts("report.cancelled"))
        return
    day = dt.date.fromisoformat(data["deadline"]) if data.get("deadline") else None
    await services.reporting.set_deadline(callback.from_user.id, data["rec_id"], day)
    await callback.answer(texts.plain("report.saved_short"))
    await show_result(
        callback,
        texts("deadline.saved", deadline=human_date(day) if day else texts("card.no_deadline")),
    )
    chat_id = callback.message.chat.id if callback.message else callback.from_user.id
    await send_card(bot, chat_id, callback.from_user.id, data["rec_id"], services, texts)


async def on_form_cancel(callback: CallbackQuery, state: FSMContext, texts: Texts) -> None:
    """«Отмена» in any step of a card's dialogs (and a letter's): nothing is written."""
    await state.clear()
    await callback.answer()
    await show_result(callback, texts("report.cancelled"))


def create_router() -> Router:
    router = Router(name="cards")
    router.callback_query.register(on_open_card, CardCallback.filter())
    router.callback_query.register(on_follow, FollowCallback.filter())
    router.callback_query.register(on_evidence, EvidenceCallback.filter())
    router.callback_query.register(on_status_button, StatusCallback.filter())
    router.callback_query.register(on_assess, AssessCallback.filter())
    router.callback_query.register(on_deadline_button, DeadlineCallback.filter())
    # A step's button pressed after its step (or in another card's dialog) changes nothing.
    router.callback_query.register(on_stale_step, ReportStep.filter(), is_stale)
    router.callback_query.register(
        on_assessment_step, StateFilter(ReportForm.assessment), ReportStep.filter()
    )
    router.callback_query.register(
        on_form_cancel, StateFilter(ReportForm.deadline), ReportStep.filter()
    )
    router.callback_query.register(
        on_deadline_step, StateFilter(ReportForm.deadline_confirm), ReportStep.filter()
    )
    router.callback_query.register(on_step, ReportStep.filter())
    # A command has ended the dialog before these filters look (handlers/middlewares.py).
    router.message.register(on_details, StateFilter(ReportForm.details))
    router.message.register(on_more_details, StateFilter(ReportForm.confirm))
    router.message.register(on_assessment_text, StateFilter(ReportForm.assessment), F.text)
    router.message.register(
        on_deadline_text,
        StateFilter(ReportForm.deadline, ReportForm.deadline_confirm),  # a second try: re-read
        F.text,
    )
    return router


def create_reply_router() -> Router:
    """Registered before the dialogs, so a reply to a card is never taken for a form answer."""
    router = Router(name="replies")
    router.message.register(
        on_reply, F.text | F.caption | F.document | F.photo, replied_recommendations
    )
    return router
