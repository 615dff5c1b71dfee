"""/progress: a coordinator's overview of their region, one resolution to a screen.

Every line opens the list behind it: a body's number → its recommendations; the counts →
what is overdue or has no report yet; the officials line → bodies without an official,
silent ones, those that reported.
"""

from __future__ import annotations

import datetime as dt
from contextlib import suppress

from aiogram import Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.clock import from_iso
from bot.container import Services
from bot.formatting import human_date, shorten
from bot.localtime import local_date, zone_for
from bot.matching import valid_region
from bot.progress import ITEM_FILTERS, STATES, BodyProgress, Counts, ItemList, RegionProgress
from bot.regions import region_by_name
from bot.texts import Html, Texts, join_within
from bot.titles import readable_title
from handlers.callbacks import CardCallback
from handlers.events import pressed_message, sender_id
from handlers.listing import PAGE_SIZE, ListItem, render_item
from handlers.profile import region_by_key, region_key

BODIES_PER_PAGE = 6
NAME_LIMIT = 60
# Lists of bodies behind the officials line.
BODY_FILTERS = ("no_official", "silent", "reported")


class ProgressCallback(CallbackData, prefix="pr"):
    action: str  # view | items | bodies | regions
    region: str = ""  # region_key
    page: int = 0  # overview page, or the page of a list
    doc: int = 0
    addr: int = 0
    state: str = ""


def _pages(progress: RegionProgress) -> list[tuple[int, int]]:
    """(resolution index, first body) of each overview page."""
    pages = []
    for i, resolution in enumerate(progress.resolutions):
        for start in range(0, max(1, len(resolution.bodies)), BODIES_PER_PAGE):
            pages.append((i, start))
    return pages


def _counts(texts: Texts, counts: Counts, short: bool) -> str:
    prefix = "progress.short." if short else "progress.state."
    parts = [
        texts(prefix + state, n=counts.by_state[state])
        for state in STATES
        if counts.by_state[state]
    ]
    return " · ".join(parts)


def _who(texts: Texts, body: BodyProgress, region: str, default_tz: str) -> str:
    """The body's latest contact: the newer of its last report and its last letter (its
    answer through the coordinator, official or not; dated by the letter, not by the day it
    was entered), else whether it has an official to report."""
    if body.reported_recently and body.last_report:
        letter = dt.date.fromisoformat(body.last_letter_date) if body.last_letter_date else None
        direct = (
            local_date(from_iso(body.last_direct_report), zone_for(region, default_tz))
            if body.last_direct_report
            else None
        )
        if letter is not None and (direct is None or letter >= direct):
            return texts("progress.who_letter", date=letter.strftime("%d.%m"))
        if direct is not None:
            return texts("progress.who_reported", date=direct.strftime("%d.%m"))
    if body.officials == 0:
        return texts("progress.who_none")
    return texts("progress.who_silent")


def _region_key(name: str) -> str:
    """The callback key of a region a service named: always one of the known regions."""
    region = region_by_name(name)
    if region is None:
        raise LookupError(f"not a region: {name}")
    return region_key(region)


def render_overview(
    texts: Texts, progress: RegionProgress, page: int
) -> tuple[Html, InlineKeyboardMarkup, bool]:
    """The text, the buttons, and whether there is anything to show."""
    key = _region_key(progress.region)
    pages = _pages(progress)
    kb = InlineKeyboardBuilder()
    head = texts("progress.head", region=progress.region, today=progress.today.strftime("%d.%m.%Y"))
    if not pages:
        return texts("progress.no_documents", region=progress.region), kb.as_markup(), False
    page = max(0, min(page, len(pages) - 1))
    index, start = pages[page]
    resolution = progress.resolutions[index]
    bodies = resolution.bodies[start : start + BODIES_PER_PAGE]
    parts = [
        head,
        texts(
            "progress.resolution",
            title=shorten(readable_title(resolution.title), 120),
            date=human_date(resolution.adopted_on) or texts("card.no_date"),
            n=resolution.counts.total,
            counts=_counts(texts, resolution.counts, short=False),
        ),
        texts(
            "progress.officials",
            with_official=len(resolution.bodies) - len(resolution.without_official),
            bodies=len(resolution.bodies),
            reported=len(resolution.reported),
            silent=len(resolution.silent),
        ),
    ]
    lines = [
        texts(
            "progress.body",
            position=start + i + 1,
            name=shorten(body.name, NAME_LIMIT),
            n=body.counts.total,
            counts=_counts(texts, body.counts, short=True),
            who=_who(texts, body, progress.region, progress.default_tz),
        )
        for i, body in enumerate(bodies)
    ]
    if lines:
        parts.append(texts("progress.bodies", lines=Html("\n".join(lines))))
    parts.append(texts("progress.legend"))
    # The numbers open each body's list.
    for i, body in enumerate(bodies):
        kb.button(
            text=str(start + i + 1),
            callback_data=ProgressCallback(
                action="items",
                region=key,
                doc=resolution.document_id,
                addr=body.addressee_id,
                state="all",
            ),
        )
    widths = [len(bodies)] if bodies else []
    row = 0
    for state in ("overdue", "no_data"):
        n = resolution.counts.by_state[state]
        if n:
            kb.button(
                text=texts(f"progress.button_{state}", n=n),
                callback_data=ProgressCallback(
                    action="items", region=key, doc=resolution.document_id, state=state
                ),
            )
            row += 1
    if row:
        widths.append(row)
    row = 0
    for name, found in zip(
        BODY_FILTERS,
        (resolution.without_official, resolution.silent, resolution.reported),
        strict=True,
    ):
        if found:
            kb.button(
                text=texts(f"progress.button_{name}", n=len(found)),
                callback_data=ProgressCallback(
                    action="bodies",
                    region=key,
                    doc=resolution.document_id,
                    state=name,
                    page=page,
                ),
            )
            row += 1
    if row:
        widths.append(row)
    nav = 0
    if page > 0:
        kb.button(
            text="◀️", callback_data=ProgressCallback(action="view", region=key, page=page - 1)
        )
        nav += 1
    if len(pages) > 1:
        kb.button(
            text=texts("list.page", page=page + 1, pages=len(pages)),
            callback_data=ProgressCallback(action="view", region=key, page=page),
        )
        nav += 1
    if page + 1 < len(pages):
        kb.button(
            text="▶️", callback_data=ProgressCallback(action="view", region=key, page=page + 1)
        )
        nav += 1
    if nav:
        widths.append(nav)
    kb.adjust(*widths)
    return join_within(parts), kb.as_markup(), True


def _back(texts: Texts, kb: InlineKeyboardBuilder, key: str, page: int) -> None:
    kb.button(
        text=texts("progress.back_button"),
        callback_data=ProgressCallback(action="view", region=key, page=page),
    )


def render_items(texts: Texts, listing: ItemList, page: int) -> tuple[Html, InlineKeyboardMarkup]:
    key = _region_key(listing.region)
    what = listing.addressee or readable_title(listing.title)
    header: str = texts(
        "progress.items_head",
        what=shorten(what, 120),
        state=texts(f"progress.filter.{listing.state}"),
        n=listing.total,
    )
    if listing.addressee is not None:
        names = list(listing.officials)
        if listing.web_links:
            names.append(texts("progress.web_officials", n=listing.web_links))
        header += "\n" + (
            texts("progress.items_officials", names=", ".join(names))
            if names
            else texts("progress.items_no_official")
        )
    items = [
        ListItem(i.id, i.number, i.text, listing.shown(i), i.deadline, i.deadline_precision)
        for i in listing.items
    ]
    lines = [render_item(texts, page * PAGE_SIZE + n + 1, item) for n, item in enumerate(items)]
    if not lines:
        lines = [texts("progress.items_empty")]
    kb = InlineKeyboardBuilder()
    for n, item in enumerate(items):
        kb.button(
            text=str(page * PAGE_SIZE + n + 1), callback_data=CardCallback(rec_id=item.rec_id)
        )
    widths = [len(items)] if items else []
    pages = max(1, -(-listing.total // PAGE_SIZE))
    nav = 0
    for target, label in ((page - 1, "◀️"), (page + 1, "▶️")):
        if 0 <= target < pages:
            kb.button(
                text=label,
                callback_data=ProgressCallback(
                    action="items",
                    region=key,
                    doc=listing.document_id,
                    addr=listing.addressee_id or 0,
                    state=listing.state,
                    page=target,
                ),
            )
            nav += 1
    if nav:
        widths.append(nav)
    _back(texts, kb, key, 0)
    widths.append(1)
    kb.adjust(*widths)
    return join_within([header, *lines]), kb.as_markup()


def render_bodies(
    texts: Texts, progress: RegionProgress, document_id: int, which: str, back_page: int
) -> tuple[Html, InlineKeyboardMarkup]:
    """Bodies without an official, silent ones, or those that reported: each opens its list."""
    key = _region_key(progress.region)
    resolution = next(r for r in progress.resolutions if r.document_id == document_id)
    found = {
        "no_official": resolution.without_official,
        "silent": resolution.silent,
        "reported": resolution.reported,
    }[which]
    lines = [
        texts(
            "progress.body",
            position=i + 1,
            name=shorten(body.name, NAME_LIMIT),
            n=body.counts.total,
            counts=_counts(texts, body.counts, short=True),
            who=_who(texts, body, progress.region, progress.default_tz),
        )
        for i, body in enumerate(found)
    ]
    parts = [
        texts(
            f"progress.bodies_{which}",
            title=shorten(readable_title(resolution.title), 120),
            n=len(found),
        ),
        Html("\n".join(lines)),
    ]
    if which == "no_official":
        parts.append(texts("progress.invite_hint"))
    kb = InlineKeyboardBuilder()
    for i, body in enumerate(found[:40]):
        kb.button(
            text=str(i + 1),
            callback_data=ProgressCallback(
                action="items", region=key, doc=document_id, addr=body.addressee_id, state="all"
            ),
        )
    _back(texts, kb, key, back_page)
    kb.adjust(*([8] * (-(-min(len(found), 40) // 8))), 1)
    return join_within(parts), kb.as_markup()


def _regions_keyboard(regions: list[str]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for region in regions:
        found = region_by_name(region)
        if found is not None:
            kb.button(
                text=region, callback_data=ProgressCallback(action="view", region=region_key(found))
            )
    kb.adjust(2)
    return kb.as_markup()


async def _overview(
    services: Services, texts: Texts, user_id: int, region: str, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    progress = await services.progress.overview(user_id, region)
    text, markup, _ = render_overview(texts, progress, page)
    regions = await services.progress.regions(user_id)
    if len(regions) > 1:
        # An admin or a coordinator of several regions: one more button to switch.
        kb = InlineKeyboardBuilder.from_markup(markup)
        kb.row(
            *InlineKeyboardBuilder()
            .button(
                text=texts("progress.other_region_button"),
                callback_data=ProgressCallback(action="regions"),
            )
            .buttons
        )
        markup = kb.as_markup()
    return text, markup


async def cmd_progress(
    message: Message, command: CommandObject, services: Services, texts: Texts
) -> None:
    user_id = sender_id(message)
    regions = await services.progress.regions(user_id)
    asked = (command.args or "").strip()
    if asked:
        found = valid_region(asked)
        if found is None:
            await message.answer(texts("progress.region_not_found", query=asked[:100]))
            return
        region = found
    elif len(regions) == 1:
        region = regions[0]
    else:
        if not regions:
            await message.answer(texts("progress.no_regions"))
            return
        await message.answer(texts("progress.pick_region"), reply_markup=_regions_keyboard(regions))
        return
    text, markup = await _overview(services, texts, user_id, region, 0)
    await message.answer(text, reply_markup=markup)


async def on_progress(
    callback: CallbackQuery, callback_data: ProgressCallback, services: Services, texts: Texts
) -> None:
    user_id = callback.from_user.id
    region = region_by_key(callback_data.region)
    text: str
    markup: InlineKeyboardMarkup | None
    if callback_data.action == "regions":
        regions = await services.progress.regions(user_id)
        text, markup = texts("progress.pick_region"), _regions_keyboard(regions)
    elif region is None:
        await callback.answer(texts.plain("fallback.stale_button"), show_alert=True)
        return
    elif callback_data.action == "view":
        text, markup = await _overview(services, texts, user_id, region.name, callback_data.page)
    elif callback_data.action == "bodies" and callback_data.state in BODY_FILTERS:
        progress = await services.progress.overview(user_id, region.name)
        if not any(r.document_id == callback_data.doc for r in progress.resolutions):
            await callback.answer(texts.plain("fallback.stale_button"), show_alert=True)
            return
        text, markup = render_bodies(
            texts, progress, callback_data.doc, callback_data.state, callback_data.page
        )
    elif callback_data.action == "items" and callback_data.state in ITEM_FILTERS:
        listing = await services.progress.items(
            user_id,
            callback_data.doc,
            callback_data.state,
            callback_data.addr or None,
            limit=PAGE_SIZE,
            offset=max(0, callback_data.page) * PAGE_SIZE,
        )
        text, markup = render_items(texts, listing, max(0, callback_data.page))
    else:
        await callback.answer(texts.plain("fallback.stale_button"), show_alert=True)
        return
    await callback.answer()
    with suppress(TelegramBadRequest):  # the same page pressed again changes nothing
        await pressed_message(callback).edit_text(text, reply_markup=markup)


def create_router() -> Router:
    router = Router(name="progress")
    router.message.register(cmd_progress, Command("progress"))
    router.callback_query.register(on_progress, ProgressCallback.filter())
    return router
