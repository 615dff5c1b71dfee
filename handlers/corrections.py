"""Correcting a parsed resolution with buttons: addressees (rename, kind, merge), items (move,
drop, deadline) and the document's title, date and region.

The same screens serve a draft before «Опубликовать» and a published document («Исправить» on a
card or after publishing).  Every change goes through ``CorrectionService`` (which checks the
permission) and redraws the preview; typed values (a name, a date, a region) are asked for in a
short dialog whose answer sends a fresh preview.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.container import Services
from bot.correction_service import CorrectionView, Ref
from bot.deadline_input import read_adoption_date, read_deadline
from bot.errors import InvalidInput, Stale
from bot.formatting import human_deadline, shorten
from bot.regions import all_regions, search_regions
from bot.texts import Texts
from bot.vocabulary import KINDS
from handlers.callbacks import FixCallback
from handlers.documents import kind_label, main_keyboard, render_preview
from handlers.events import pressed_in, pressed_message, sender_id

log = logging.getLogger(__name__)

PAGE = 8
ASKS = {"ren", "dl", "title", "date", "region"}


class FixForm(StatesGroup):
    value = State()  # waiting for a typed name, date, title or region


def _ref(data: FixCallback) -> Ref:
    return Ref("doc" if data.r == "p" else "draft", data.id)


def _cb(view: CorrectionView, a: str, x: int = -1, y: int = -1, p: int = 0) -> FixCallback:
    return FixCallback(
        r="p" if view.published else "d", id=view.ref.id, v=view.version, a=a, x=x, y=y, p=p
    )


def _paged(
    kb: InlineKeyboardBuilder,
    texts: Texts,
    view: CorrectionView,
    entries: list[tuple[str, FixCallback]],
    page: int,
    nav: tuple[str, int],
) -> tuple[list[int], int, int]:
    """Buttons for one page of ``entries`` plus ‹ › when there are more; returns row sizes."""
    pages = max(1, -(-len(entries) // PAGE))
    page = min(max(page, 0), pages - 1)
    for text, data in entries[page * PAGE : (page + 1) * PAGE]:
        kb.button(text=text, callback_data=data)
    sizes = [1] * len(entries[page * PAGE : (page + 1) * PAGE])
    arrows = 0
    if page > 0:
        kb.button(
            text=texts("corrections.prev_button"),
            callback_data=_cb(view, nav[0], x=nav[1], p=page - 1),
        )
        arrows += 1
    if page < pages - 1:
        kb.button(
            text=texts("corrections.next_button"),
            callback_data=_cb(view, nav[0], x=nav[1], p=page + 1),
        )
        arrows += 1
    if arrows:
        sizes.append(arrows)
    return sizes, page, pages


def _page_note(texts: Texts, page: int, pages: int) -> str:
    return "\n\n" + texts("corrections.page", page=page + 1, pages=pages) if pages > 1 else ""


# --- screens ------------------------------------------------------------------------------


def _list_screen(
    texts: Texts,
    view: CorrectionView,
    head: str,
    entries: list[tuple[str, FixCallback]],
    page: int,
    nav: tuple[str, int],
    back: tuple[str, FixCallback],
    extra: tuple[str, FixCallback] | None = None,
) -> tuple[str, InlineKeyboardMarkup]:
    """A paged list of buttons under a heading, an optional extra button, then «Назад»."""
    kb = InlineKeyboardBuilder()
    sizes, page, pages = _paged(kb, texts, view, entries, page, nav)
    for text, data in (extra, back) if extra else (back,):
        kb.button(text=text, callback_data=data)
        sizes.append(1)
    kb.adjust(*sizes)
    return head + _page_note(texts, page, pages), kb.as_markup()


def addressees_screen(
    texts: Texts, view: CorrectionView, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    counts = view.counts
    entries = [
        (f"{shorten(a.canonical, 50)} ({counts.get(i, 0)})", _cb(view, "ad", x=i))
        for i, a in enumerate(view.parsed.addressees)
    ]
    back = (texts("corrections.to_preview_button"), _cb(view, "main"))
    head = texts("corrections.pick_addressee")
    return _list_screen(texts, view, head, entries, page, ("ads", -1), back)


def addressee_screen(
    texts: Texts, view: CorrectionView, index: int
) -> tuple[str, InlineKeyboardMarkup]:
    addressee = view.parsed.addressees[index]
    numbers = [r.number for r in view.parsed.recommendations if index in r.addressee_indices]
    shown = ", ".join(numbers[:30]) + (" …" if len(numbers) > 30 else "")
    text = texts(
        "corrections.addressee",
        name=shorten(addressee.canonical, 300),
        kind=kind_label(texts, addressee.kind),
        n=len(numbers),
        numbers=f": п. {shown}" if numbers else "",
    )
    kb = InlineKeyboardBuilder()
    kb.button(text=texts("corrections.rename_button"), callback_data=_cb(view, "ren", x=index))
    kb.button(text=texts("corrections.kind_button"), callback_data=_cb(view, "kinds", x=index))
    kb.button(text=texts("corrections.merge_button"), callback_data=_cb(view, "mrg", x=index))
    kb.button(text=texts("corrections.back_button"), callback_data=_cb(view, "ads"))
    kb.adjust(2, 1, 1)
    return text, kb.as_markup()


def kinds_screen(
    texts: Texts, view: CorrectionView, index: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    addressee = view.parsed.addressees[index]
    kb = InlineKeyboardBuilder()
    for k, kind in enumerate(KINDS):
        mark = "• " if kind == addressee.kind else ""
        kb.button(
            text=mark + kind_label(texts, kind), callback_data=_cb(view, "kind", x=index, y=k)
        )
    kb.button(text=texts("corrections.back_button"), callback_data=_cb(view, "ad", x=index))
    kb.adjust(*([2] * (len(KINDS) // 2)), 1, 1)
    return texts("corrections.pick_kind", name=shorten(addressee.canonical, 200)), kb.as_markup()


def merge_screen(
    texts: Texts, view: CorrectionView, index: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    addressee = view.parsed.addressees[index]
    entries = [
        (shorten(a.canonical, 55), _cb(view, "mrgto", x=index, y=i))
        for i, a in enumerate(view.parsed.addressees)
        if i != index
    ]
    key = "corrections.pick_merge" if entries else "corrections.no_merge"
    head = texts(key, name=shorten(addressee.canonical, 200))
    back = (texts("corrections.back_button"), _cb(view, "ad", x=index))
    return _list_screen(texts, view, head, entries, page, ("mrg", index), back)


def items_screen(
    texts: Texts, view: CorrectionView, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    entries = [
        (f"п. {r.number} — {shorten(r.text, 45)}", _cb(view, "it", x=i))
        for i, r in enumerate(view.parsed.recommendations)
    ]
    back = (texts("corrections.to_preview_button"), _cb(view, "main"))
    head = texts("corrections.pick_item")
    return _list_screen(texts, view, head, entries, page, ("its", -1), back)


def item_screen(
    texts: Texts, view: CorrectionView, index: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    item = view.parsed.recommendations[index]
    names = [view.parsed.addressees[i].canonical for i in item.addressee_indices]
    deadline = item.deadline
    text = texts(
        "corrections.item",
        number=item.number,
        text=shorten(item.text, 2500),
        addressees=", ".join(shorten(n, 150) for n in names) or texts("corrections.unaddressed"),
        deadline=human_deadline(deadline.date, deadline.precision)
        if deadline
        else texts("corrections.no_deadline"),
    )
    kb = InlineKeyboardBuilder()
    kb.button(text=texts("corrections.move_button"), callback_data=_cb(view, "mv", x=index))
    kb.button(text=texts("corrections.deadline_button"), callback_data=_cb(view, "dl", x=index))
    sizes = [2]
    if deadline:
        kb.button(
            text=texts("corrections.clear_deadline_button"),
            callback_data=_cb(view, "dlclr", x=index),
        )
        sizes.append(1)
    kb.button(text=texts("corrections.drop_button"), callback_data=_cb(view, "drop", x=index))
    kb.button(text=texts("corrections.back_button"), callback_data=_cb(view, "its"))
    kb.adjust(*sizes, 1, 1)
    return text, kb.as_markup()


def move_screen(
    texts: Texts, view: CorrectionView, index: int, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    item = view.parsed.recommendations[index]
    entries = [
        (shorten(a.canonical, 55), _cb(view, "mvto", x=index, y=i))
        for i, a in enumerate(view.parsed.addressees)
        if item.addressee_indices != [i]
    ]
    extra = None
    if item.addressee_indices:
        extra = (texts("corrections.no_addressee_button"), _cb(view, "mvto", x=index, y=-1))
    head = texts("corrections.pick_move", number=item.number)
    back = (texts("corrections.back_button"), _cb(view, "it", x=index))
    return _list_screen(texts, view, head, entries, page, ("mv", index), back, extra)


def drop_screen(
    texts: Texts, view: CorrectionView, index: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    item = view.parsed.recommendations[index]
    kb = InlineKeyboardBuilder()
    kb.button(text=texts("corrections.drop_yes_button"), callback_data=_cb(view, "dropok", x=index))
    kb.button(text=texts("corrections.back_button"), callback_data=_cb(view, "it", x=index))
    kb.adjust(1)
    text = texts("corrections.confirm_drop", number=item.number, text=shorten(item.text, 300))
    return text, kb.as_markup()


def ask_text(texts: Texts, view: CorrectionView, action: str, index: int) -> str:
    if action == "ren":
        return texts(
            "corrections.ask_name", name=shorten(view.parsed.addressees[index].canonical, 200)
        )
    if action == "dl":
        return texts("corrections.ask_deadline", number=view.parsed.recommendations[index].number)
    return texts(f"corrections.ask_{action}")


def regions_screen(
    texts: Texts, view: CorrectionView, query: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    regions = {r.name: k for k, r in enumerate(all_regions())}
    found = search_regions(query, limit=PAGE)
    if not found:
        return texts("corrections.region_not_found", query=shorten(query, 50)), None
    kb = InlineKeyboardBuilder()
    for region in found:
        kb.button(text=region.name, callback_data=_cb(view, "reg", x=regions[region.name]))
    kb.button(text=texts("corrections.to_preview_button"), callback_data=_cb(view, "main"))
    kb.adjust(1)
    return texts("corrections.pick_region"), kb.as_markup()


# --- handlers -----------------------------------------------------------------------------


async def _apply(services: Services, user_id: int, data: FixCallback) -> CorrectionView | None:
    """The change a button asks for; None when the button only navigates."""
    fix = services.corrections
    ref, v, x, y = _ref(data), data.v, data.x, data.y
    if data.a == "kind":
        if not 0 <= y < len(KINDS):
            raise InvalidInput("corrections.bad_kind")
        return await fix.set_kind(user_id, ref, x, KINDS[y], v)
    if data.a == "mrgto":
        return await fix.merge(user_id, ref, x, y, v)
    if data.a == "mvto":
        return await fix.move_item(user_id, ref, x, None if y < 0 else y, v)
    if data.a == "dropok":
        return await fix.drop_item(user_id, ref, x, v)
    if data.a == "dlclr":
        return await fix.set_deadline(user_id, ref, x, None, v)
    if data.a == "reg":
        regions = all_regions()
        if not 0 <= x < len(regions):
            raise InvalidInput("corrections.unknown")
        return await fix.set_region(user_id, ref, regions[x].name, v)
    return None


def _screen(
    texts: Texts, view: CorrectionView, data: FixCallback
) -> tuple[str, InlineKeyboardMarkup | None]:
    a, x, p = data.a, data.x, data.p
    parsed = view.parsed
    if a == "ads":
        return addressees_screen(texts, view, p)
    if a in {"ad", "kinds", "mrg"} and 0 <= x < len(parsed.addressees):
        screens: dict[str, Callable[[], tuple[str, InlineKeyboardMarkup | None]]] = {
            "ad": lambda: addressee_screen(texts, view, x),
            "kinds": lambda: kinds_screen(texts, view, x),
            "mrg": lambda: merge_screen(texts, view, x, p),
        }
        return screens[a]()
    if a == "its":
        return items_screen(texts, view, p)
    if a in {"it", "mv", "drop"} and 0 <= x < len(parsed.recommendations):
        screens = {
            "it": lambda: item_screen(texts, view, x),
            "mv": lambda: move_screen(texts, view, x, p),
            "drop": lambda: drop_screen(texts, view, x),
        }
        return screens[a]()
    return render_preview(texts, view), main_keyboard(texts, view)


async def _edit(callback: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None) -> None:
    if callback.message is None:
        return
    # An old message may no longer be editable, or nothing changed on it: show it anew.
    try:
        await pressed_message(callback).edit_text(text, reply_markup=markup)
    except TelegramBadRequest as error:
        if "not modified" in str(error):
            return
        log.info("preview not edited, sent anew: %s", error)
        await callback.message.answer(text, reply_markup=markup)


async def on_fix(
    callback: CallbackQuery,
    callback_data: FixCallback,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    user_id = callback.from_user.id
    ref = _ref(callback_data)
    if await state.get_state() == FixForm.value.state:
        await state.clear()  # any button ends a half-typed answer
    try:
        view = await services.corrections.view(user_id, ref)
        if callback_data.a not in {"main", "done"} and callback_data.v != view.version:
            raise Stale("corrections.stale")
        changed = await _apply(services, user_id, callback_data)
    except Stale as error:  # said, and the preview is redrawn as it is now
        await callback.answer(texts.plain(error.key, **error.params), show_alert=True)
        view = await services.corrections.view(user_id, ref)
        await _edit(callback, render_preview(texts, view), main_keyboard(texts, view))
        return
    if changed is not None:
        await callback.answer(texts.plain("corrections.saved"))
        await _edit(callback, render_preview(texts, changed), main_keyboard(texts, changed))
        return
    if callback_data.a == "done":
        await callback.answer()
        with suppress(TelegramBadRequest):
            await pressed_message(callback).edit_reply_markup(reply_markup=None)
        return
    if callback_data.a in ASKS:
        await callback.answer()
        await state.set_state(FixForm.value)
        await state.set_data(
            {
                "r": callback_data.r,
                "id": ref.id,
                "v": view.version,
                "a": callback_data.a,
                "x": callback_data.x,
            }
        )
        kb = InlineKeyboardBuilder()
        kb.button(text=texts("corrections.to_preview_button"), callback_data=_cb(view, "main"))
        await pressed_in(callback).answer(
            ask_text(texts, view, callback_data.a, callback_data.x), reply_markup=kb.as_markup()
        )
        return
    await callback.answer()
    text, markup = _screen(texts, view, callback_data)
    await _edit(callback, text, markup)


async def on_value(message: Message, state: FSMContext, services: Services, texts: Texts) -> None:
    data = await state.get_data()
    ref = Ref("doc" if data.get("r") == "p" else "draft", data.get("id", 0))
    action, index, version = data.get("a"), data.get("x", -1), data.get("v")
    text = (message.text or "").strip()
    fix = services.corrections
    user_id = sender_id(message)
    if action == "ren":
        view = await fix.rename_addressee(user_id, ref, index, text, version)
    elif action == "title":
        view = await fix.set_title(user_id, ref, text, version)
    elif action in {"dl", "date"}:
        # The same reading of dates as a card's deadline: «31.03», «до 31 марта 2027», «нет»;
        # only a day without a year is the last one for the adoption date, not the next.
        read = read_deadline if action == "dl" else read_adoption_date
        typed = read(text, services.clock.now().date())
        if typed is None:
            await message.answer(texts("corrections.bad_date"))
            return
        if action == "dl":
            view = await fix.set_deadline(user_id, ref, index, typed.day, version)
        else:
            view = await fix.set_date(user_id, ref, typed.day, version)
    else:  # region: offer the matches as buttons
        current = await fix.view(user_id, ref)
        reply, markup = regions_screen(texts, current, text)
        if markup is not None:
            await state.clear()
        await message.answer(reply, reply_markup=markup)
        return
    await state.clear()
    await message.answer(render_preview(texts, view), reply_markup=main_keyboard(texts, view))


def create_router() -> Router:
    router = Router(name="corrections")
    router.callback_query.register(on_fix, FixCallback.filter())
    router.message.register(on_value, StateFilter(FixForm.value), F.text)
    return router
