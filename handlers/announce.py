"""/announce and /announcements for coordinators.

/announce: region (if more than one) → the message (text, or a photo or document with a
caption; formatting kept) → the audience → a preview exactly as recipients will see it with
the exact number of recipients → send now or at a local time.  The message that offered
«Отправить» becomes the progress message; the delivery worker's progress job edits it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable
from contextlib import suppress
from typing import Any

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject, StateFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InaccessibleMessage,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
)
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.announcements import (
    AnnouncementService,
    Content,
    local_time,
    outbox_payload,
    parse_local_time,
    progress_view,
    snippet,
    zone_label,
)
from bot.container import Services
from bot.errors import InvalidInput
from bot.formatting import human_date, shorten
from bot.regions import all_regions, search_regions
from bot.telegram.delivery import build_method
from bot.texts import Html, Texts
from bot.vocabulary import KINDS, kind_label
from handlers.callbacks import AnnounceCallback
from handlers.editing import drop_buttons, show_result
from handlers.events import bot_of, pressed_in, pressed_message, sender_id
from handlers.keyboards import to_markup
from storage.announcements import AnnouncementRow

PER_PAGE = 5
DOCUMENTS_SHOWN = 20
REGIONS_SHOWN = 20


class AnnounceForm(StatesGroup):
    region = State()  # an admin types a region's name
    text = State()  # waiting for the announcement itself
    when = State()  # waiting for "ДД.ММ.ГГГГ ЧЧ:ММ"


class AnnounceListCallback(CallbackData, prefix="anl"):
    page: int


def _button(kb: InlineKeyboardBuilder, text: str, action: str, id_: int = 0, v: int = 0) -> None:
    kb.button(text=text, callback_data=AnnounceCallback(action=action, id=id_, v=v))


def _entities(items: list[MessageEntity] | None) -> list[dict[str, Any]]:
    return [e.model_dump(mode="json", exclude_none=True) for e in items or ()]


def content_of(message: Message) -> Content | None:
    """The announcement as the author wrote it, or None for an unsupported kind of message."""
    if message.photo:
        return Content(
            message.caption or "",
            _entities(message.caption_entities),
            photo=message.photo[-1].file_id,
        )
    if message.document:
        return Content(
            message.caption or "",
            _entities(message.caption_entities),
            document=message.document.file_id,
        )
    if message.text:
        return Content(message.text, _entities(message.entities))
    return None


# --- /announce: region and message ----------------------------------------------------------


async def cmd_announce(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    await state.clear()
    roles, regions = await services.announcements.regions_for(sender_id(message))
    if not roles.is_coordinator:
        await message.answer(texts("access.coordinators_only"))
        return
    if len(regions) == 1 and not roles.is_admin:
        await _ask_text(message, state, texts, regions[0])
        return
    await message.answer(texts("announce.pick_region"), reply_markup=_regions_keyboard(regions))
    if roles.is_admin:
        await state.set_state(AnnounceForm.region)


def _regions_keyboard(names: list[str]) -> InlineKeyboardMarkup:
    index = {r.name: i for i, r in enumerate(all_regions())}
    kb = InlineKeyboardBuilder()
    for name in names[:REGIONS_SHOWN]:
        if name in index:
            _button(kb, name, "region", index[name])
    kb.adjust(1)
    return kb.as_markup()


async def _ask_text(
    message: Message | InaccessibleMessage, state: FSMContext, texts: Texts, region: str
) -> None:
    await state.set_state(AnnounceForm.text)
    await state.set_data({"region": region})
    kb = InlineKeyboardBuilder()
    _button(kb, texts("announce.cancel_button"), "quit")
    await message.answer(texts("announce.ask_text", region=region), reply_markup=kb.as_markup())


async def on_region(
    callback: CallbackQuery, callback_data: AnnounceCallback, state: FSMContext, texts: Texts
) -> None:
    regions = all_regions()
    if not 0 <= callback_data.id < len(regions):
        await callback.answer()
        return
    await callback.answer()
    await _ask_text(pressed_in(callback), state, texts, regions[callback_data.id].name)


async def on_region_name(
    message: Message, state: FSMContext, services: Services, texts: Texts
) -> None:
    found = search_regions(message.text or "")
    if len(found) == 1:
        await _ask_text(message, state, texts, found[0].name)
        return
    if not found:
        await message.answer(texts("announce.region_not_found", query=message.text or ""))
        return
    await message.answer(
        texts("announce.pick_region"), reply_markup=_regions_keyboard([r.name for r in found])
    )


async def on_text(message: Message, state: FSMContext, services: Services, texts: Texts) -> None:
    content = content_of(message)
    if content is None:
        await message.answer(texts("announce.unsupported"))
        return
    region = (await state.get_data()).get("region", "")
    announcement = await services.announcements.create_draft(sender_id(message), region, content)
    await state.clear()
    await _audience_menu(message, services, texts, announcement)


async def on_quit(callback: CallbackQuery, state: FSMContext, texts: Texts) -> None:
    await state.clear()
    await callback.answer()
    await show_result(callback, texts("announce.discarded"))


# --- audience ---------------------------------------------------------------------------------


async def _audience_menu(
    message: Message | InaccessibleMessage,
    services: Services,
    texts: Texts,
    announcement: AnnouncementRow,
) -> None:
    everyone = await services.announcements.count_everyone(announcement)
    kb = InlineKeyboardBuilder()
    _button(kb, texts("announce.audience_all_button", n=everyone), "all", announcement.id)
    _button(kb, texts("announce.audience_kinds_button"), "kinds", announcement.id)
    _button(kb, texts("announce.audience_document_button"), "docs", announcement.id)
    _button(kb, texts("announce.cancel_button"), "drop", announcement.id)
    kb.adjust(1)
    await message.answer(
        texts("announce.pick_audience", region=announcement.region, n=everyone),
        reply_markup=kb.as_markup(),
    )


async def _kinds_view(
    services: Services, texts: Texts, announcement: AnnouncementRow
) -> tuple[str, InlineKeyboardMarkup]:
    chosen = set(announcement.audience.get("kinds") or ())
    n = await services.announcements.count_recipients(announcement)
    kb = InlineKeyboardBuilder()
    for index, kind in enumerate(KINDS):
        mark = "✅ " if kind in chosen else ""
        _button(kb, mark + kind_label(kind), "kind", announcement.id, index)
    if chosen:
        _button(kb, texts("announce.kinds_done_button", n=n), "kinds_done", announcement.id)
    _button(kb, texts("announce.back_button"), "audience", announcement.id)
    kb.adjust(1)
    return texts("announce.pick_kinds", n=n if chosen else 0), kb.as_markup()


async def on_drop(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    cancel = services.announcements.cancel(callback.from_user.id, callback_data.id)
    await cancel
    await callback.answer()
    await _edit(callback, texts("announce.discarded"), None)


async def on_back_to_audience(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    """«Назад» from the list of documents: the audience menu again, nothing chosen."""
    reset = services.announcements.set_audience(callback.from_user.id, callback_data.id)
    announcement = await reset
    await callback.answer()
    await _drop_keyboard(callback)
    await _audience_menu(pressed_in(callback), services, texts, announcement)


async def on_kinds(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    """«По видам организаций»: the kinds to tick, none ticked yet."""
    reset = services.announcements.set_audience(callback.from_user.id, callback_data.id)
    await _show_kinds(callback, services, texts, reset)


async def on_kind(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    """A kind ticked or unticked."""
    if not 0 <= callback_data.v < len(KINDS):
        await callback.answer()
        return
    kind = KINDS[callback_data.v]
    toggle = services.announcements.toggle_kind(callback.from_user.id, callback_data.id, kind)
    await _show_kinds(callback, services, texts, toggle)


async def _show_kinds(
    callback: CallbackQuery, services: Services, texts: Texts, change: Awaitable[AnnouncementRow]
) -> None:
    """The kinds with the ticks as they are after ``change`` (unless it is refused)."""
    announcement = await change
    text, markup = await _kinds_view(services, texts, announcement)
    await callback.answer()
    await _edit(callback, text, markup)


async def on_documents(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    """«Участникам обсуждения документа»: the region's documents to pick from."""
    service, actor, ann_id = services.announcements, callback.from_user.id, callback_data.id
    documents = await service.region_documents(actor, ann_id)
    await callback.answer()
    announcement = await service.draft(actor, ann_id)
    if not documents:
        await pressed_in(callback).answer(
            texts("announce.no_documents", region=announcement.region)
        )
        return
    kb = InlineKeyboardBuilder()
    for document in documents[:DOCUMENTS_SHOWN]:
        label = f"{human_date(document.adopted_on) or '—'} · {shorten(document.title, 50)}"
        _button(kb, label, "doc", ann_id, document.id)
    _button(kb, texts("announce.back_button"), "audience", ann_id)
    kb.adjust(1)
    await _edit(callback, texts("announce.pick_document"), kb.as_markup())


async def on_document(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    """A document picked: its discussion's participants are the audience."""
    actor, ann_id = callback.from_user.id, callback_data.id
    choose = services.announcements.set_audience(actor, ann_id, document_id=callback_data.v)
    await _audience_chosen(callback, services, texts, choose)


async def on_everyone(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    choose = services.announcements.set_audience(callback.from_user.id, callback_data.id)
    await _audience_chosen(callback, services, texts, choose)


async def on_kinds_done(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    """«Готово» under the kinds: the ticked kinds are already saved."""
    draft = services.announcements.draft(callback.from_user.id, callback_data.id)
    await _audience_chosen(callback, services, texts, draft)


async def _audience_chosen(
    callback: CallbackQuery,
    services: Services,
    texts: Texts,
    choice: Awaitable[AnnouncementRow],
) -> None:
    """The preview with «Отправить сейчас» and «Запланировать», unless the choice is refused."""
    announcement = await choice
    await callback.answer()
    await _drop_keyboard(callback)
    await _preview(pressed_in(callback).chat.id, bot_of(callback), services, texts, announcement)


async def audience_label(services: Services, texts: Texts, announcement: AnnouncementRow) -> Html:
    kinds = ", ".join(kind_label(k) for k in announcement.audience.get("kinds") or ())
    document = await services.announcements.audience_document(announcement)
    if document is not None:
        key = "announce.audience_document_kinds" if kinds else "announce.audience_document"
        return texts(key, title=shorten(document.title, 80), kinds=kinds)
    key = "announce.audience_kinds" if kinds else "announce.audience_region"
    return texts(key, region=announcement.region, kinds=kinds)


async def _preview(
    chat_id: int, bot: Bot, services: Services, texts: Texts, announcement: AnnouncementRow
) -> None:
    """The announcement exactly as recipients get it (the worker's own call), then the
    figures and the buttons."""
    n = await services.announcements.count_recipients(announcement)
    audience = await audience_label(services, texts, announcement)
    kb = InlineKeyboardBuilder()
    if n:
        await bot.send_message(chat_id, texts("announce.preview_header"))
        signature = await services.announcements.signature(announcement)
        await bot(build_method(chat_id, outbox_payload(announcement.content, signature)))
        _button(kb, texts("announce.send_now_button"), "now", announcement.id)
        _button(kb, texts("announce.schedule_button"), "when", announcement.id)
    _button(kb, texts("announce.change_audience_button"), "audience", announcement.id)
    _button(kb, texts("announce.cancel_button"), "drop", announcement.id)
    kb.adjust(2 if n else 1, 1, 1)
    key = "announce.preview" if n else "announce.preview_empty"
    await bot.send_message(chat_id, texts(key, n=n, audience=audience), reply_markup=kb.as_markup())


# --- sending ----------------------------------------------------------------------------------


async def on_send_now(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    service = services.announcements
    chat_id, message_id = pressed_in(callback).chat.id, pressed_in(callback).message_id
    async with service.lock(callback_data.id):
        announcement = await service.send(
            callback.from_user.id, callback_data.id, progress=(chat_id, message_id)
        )
        await callback.answer(texts.plain("announce.started_short"))
        await _show_progress(pressed_message(callback), service, texts, announcement)


async def _show_progress(
    message: Message, service: AnnouncementService, texts: Texts, announcement: AnnouncementRow
) -> None:
    counts = await service.counts(announcement.id)
    text, keyboard = progress_view(texts, service, announcement, counts)
    markup = to_markup(keyboard) if keyboard else None
    with suppress(TelegramBadRequest):
        await message.edit_text(text, reply_markup=markup)
        await service.progress_shown(announcement.id, text)


async def on_schedule(
    callback: CallbackQuery,
    callback_data: AnnounceCallback,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    announcement = await services.announcements.draft(callback.from_user.id, callback_data.id)
    await callback.answer()
    await state.set_state(AnnounceForm.when)
    await state.set_data({"id": announcement.id, "menu": pressed_in(callback).message_id})
    zone = services.announcements.zone(announcement.region)
    example = (services.clock.now().astimezone(zone) + dt.timedelta(days=1)).replace(
        hour=10, minute=0
    )
    await pressed_in(callback).answer(
        texts(
            "announce.ask_time",
            region=announcement.region,
            zone=zone_label(example),
            example=example.strftime("%d.%m.%Y %H:%M"),
        )
    )


async def on_time(
    message: Message, state: FSMContext, bot: Bot, services: Services, texts: Texts
) -> None:
    data = await state.get_data()
    service = services.announcements
    ann_id = int(data.get("id", 0))
    async with service.lock(ann_id):
        zone = service.zone("")
        try:
            announcement = await service.draft(sender_id(message), ann_id)
            zone = service.zone(announcement.region)
            at = parse_local_time(message.text or "", zone, services.clock.now())
            announcement = await service.send(sender_id(message), ann_id, at=at)
        except InvalidInput as error:  # asked again, with an example in the region's time
            tomorrow = services.clock.now().astimezone(zone) + dt.timedelta(days=1)
            await message.answer(
                texts(
                    error.key,
                    example=tomorrow.strftime("%d.%m.%Y 10:00"),
                    zone=zone_label(tomorrow),
                    **error.params,
                )
            )
            return
        await state.clear()
        with suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=message.chat.id, message_id=data.get("menu"), reply_markup=None
            )
        counts = await service.counts(ann_id)
        text, keyboard = progress_view(texts, service, announcement, counts)
        markup = to_markup(keyboard) if keyboard else None
        shown = await message.answer(text, reply_markup=markup)
        await service.show_progress_in(ann_id, message.chat.id, shown.message_id, text)


async def on_stop(
    callback: CallbackQuery, callback_data: AnnounceCallback, services: Services, texts: Texts
) -> None:
    service = services.announcements
    async with service.lock(callback_data.id):
        announcement, cancelled = await service.cancel(callback.from_user.id, callback_data.id)
        await callback.answer(texts.plain("announce.stopped_short", n=cancelled))
        if announcement.progress_message_id == pressed_in(callback).message_id:
            await _show_progress(pressed_message(callback), service, texts, announcement)
        else:  # pressed in /announcements: the list is redrawn, the others keep their buttons
            text, markup = await _listing(services, texts, callback.from_user.id, callback_data.v)
            await _edit(callback, text, markup)


# --- /announcements ---------------------------------------------------------------------------


async def cmd_announcements(
    message: Message, command: CommandObject, services: Services, texts: Texts
) -> None:
    arg = (command.args or "").strip()
    page = min(int(arg), 10_000) - 1 if arg.isdigit() and len(arg) < 9 else 0
    text, markup = await _listing(services, texts, sender_id(message), page)
    await message.answer(text, reply_markup=markup)


async def on_list_page(
    callback: CallbackQuery, callback_data: AnnounceListCallback, services: Services, texts: Texts
) -> None:
    text, markup = await _listing(services, texts, callback.from_user.id, callback_data.page)
    await callback.answer()
    await _edit(callback, text, markup)


async def _listing(
    services: Services, texts: Texts, actor: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    service = services.announcements
    rows, counts, total = await service.listing(actor, page, PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    if not total:
        return texts("announce.list_empty"), None
    if not rows and page > 0:
        return await _listing(services, texts, actor, pages - 1)
    kb = InlineKeyboardBuilder()
    items = []
    for row in rows:
        c = counts.get(row.id, {})
        when = local_time(row, service)
        state = _state(service, row, c)
        items.append(
            texts(
                "announce.list_item",
                id=row.id,
                when=when.strftime("%d.%m.%Y %H:%M") if when else "—",
                region=row.region,
                snippet=snippet(row),
                figures=texts(
                    "announce.figures",
                    total=row.recipients,
                    sent=c.get("sent", 0),
                    failed=c.get("failed", 0),
                    blocked=c.get("blocked", 0),
                    left=c.get("pending", 0) + c.get("sending", 0),
                    cancelled=c.get("cancelled", 0),
                ),
                state=texts(f"announce.state_{state}"),
            )
        )
        if state in ("scheduled", "sending"):
            # The page rides along: after the stop the same page is redrawn.
            _button(kb, texts("announce.stop_listed_button", id=row.id), "stop", row.id, page)
    kb.adjust(1)
    nav = InlineKeyboardBuilder()
    if page > 0:
        nav.button(
            text=texts("announce.prev_button"), callback_data=AnnounceListCallback(page=page - 1)
        )
    if page + 1 < pages:
        nav.button(
            text=texts("announce.next_button"), callback_data=AnnounceListCallback(page=page + 1)
        )
    kb.attach(nav)
    header = texts("announce.list_header", total=total, page=page + 1, pages=pages)
    text = header + "\n\n" + "\n\n".join(items)
    markup = kb.as_markup()
    return text, markup if markup.inline_keyboard else None


def _state(service: AnnouncementService, row: AnnouncementRow, counts: dict[str, int]) -> str:
    if row.status == "cancelled":
        return "cancelled"
    if row.status == "done" or row.finished_at:
        return "done"
    when = local_time(row, service)
    if when is not None and when > service.clock.now():
        return "scheduled"
    return "sending"


# --- small helpers ----------------------------------------------------------------------------


async def _edit(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    message = callback.message
    if not isinstance(message, Message):
        return  # none, or too old to edit
    if message.text == text and message.reply_markup == markup:
        return  # nothing changed: Telegram would answer "message is not modified"
    with suppress(TelegramBadRequest):
        await message.edit_text(text, reply_markup=markup)


async def _drop_keyboard(callback: CallbackQuery) -> None:
    message = callback.message
    if isinstance(message, Message) and message.reply_markup is not None:
        await drop_buttons(callback)


def create_router() -> Router:
    router = Router(name="announce")
    router.message.register(cmd_announce, Command("announce"))
    router.message.register(cmd_announcements, Command("announcements"))
    # A command has ended the dialog before these filters look (handlers/middlewares.py).
    router.message.register(on_region_name, StateFilter(AnnounceForm.region), F.text)
    router.message.register(on_text, StateFilter(AnnounceForm.text))
    router.message.register(on_time, StateFilter(AnnounceForm.when), F.text)
    router.callback_query.register(on_region, AnnounceCallback.filter(F.action == "region"))
    router.callback_query.register(on_quit, AnnounceCallback.filter(F.action == "quit"))
    router.callback_query.register(on_send_now, AnnounceCallback.filter(F.action == "now"))
    router.callback_query.register(on_schedule, AnnounceCallback.filter(F.action == "when"))
    router.callback_query.register(on_stop, AnnounceCallback.filter(F.action == "stop"))
    for action, handler in (
        ("all", on_everyone),
        ("kinds", on_kinds),
        ("kind", on_kind),
        ("kinds_done", on_kinds_done),
        ("docs", on_documents),
        ("doc", on_document),
        ("audience", on_back_to_audience),
        ("drop", on_drop),
    ):
        router.callback_query.register(handler, AnnounceCallback.filter(F.action == action))
    router.callback_query.register(on_list_page, AnnounceListCallback.filter())
    return router
