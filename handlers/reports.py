"""/report: a coordinator's report as a file (XLSX, DOCX, CSV) or a chart, in two taps — a
resolution (or the whole region), then a format.  And the way back: the XLSX sent to the
chat with «Статус» and «Комментарий» filled in → a preview → «Применить»."""

from __future__ import annotations

import logging
from pathlib import PurePath
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.bulk import BulkError, BulkPlan, PlanChanged
from bot.clock import from_iso
from bot.container import Services
from bot.errors import PermissionDenied
from bot.exports import FORMATS, ReportError
from bot.formatting import human_date, shorten
from bot.localtime import zone_for
from bot.matching import valid_region
from bot.public import public_region_url, region_calendar_url
from bot.regions import region_by_name
from bot.texts import Html, Texts, join_within
from bot.titles import readable_title
from handlers.editing import drop_buttons, show_result
from handlers.events import MissingInEvent, pressed_in, sender_id
from handlers.profile import region_by_key, region_key

log = logging.getLogger(__name__)

RESOLUTION_BUTTONS = 12
ADDRESSEE_BUTTONS = 30
PREVIEW_LINES = 15
CAPTION_LIMIT = 1024


class ReportCallback(CallbackData, prefix="rpt"):
    a: str  # regions | region | doc | addrs | fmt
    r: str = ""  # region_key
    d: int = 0  # document
    ad: int = 0  # addressee (of the document)
    f: str = ""  # format


class BulkCallback(CallbackData, prefix="blk"):
    a: str  # apply | all | cancel
    h: str  # the plan's digest: a button from an older preview does nothing


def _key(region: str) -> str:
    found = region_by_name(region)
    return region_key(found) if found else ""


def _regions_keyboard(texts: Texts, regions: list[str]) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for region in regions:
        if key := _key(region):
            kb.button(text=region, callback_data=ReportCallback(a="region", r=key))
    kb.adjust(2)
    return kb.as_markup()


async def _resolutions(
    services: Services, texts: Texts, user_id: int, region: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    docs = await services.reports.resolutions(user_id, region)
    if not docs:
        return texts("reports.no_documents", region=region), None
    key = _key(region)
    kb = InlineKeyboardBuilder()
    for doc in docs[:RESOLUTION_BUTTONS]:
        kb.button(
            text=texts.plain(
                "reports.resolution_button",
                date=human_date(doc["adopted_on"]) or "—",
                title=shorten(readable_title(doc["title"]), 50),
            ),
            callback_data=ReportCallback(a="doc", r=key, d=doc["id"]),
        )
    kb.button(
        text=texts.plain("reports.whole_region_button", n=sum(d["total"] for d in docs)),
        callback_data=ReportCallback(a="doc", r=key),
    )
    if len(await services.reports.regions(user_id)) > 1:
        kb.button(
            text=texts.plain("reports.other_region_button"),
            callback_data=ReportCallback(a="regions"),
        )
    kb.adjust(1)
    text = texts("reports.pick_resolution", region=region)
    page = public_region_url(services.settings, region)
    calendar = region_calendar_url(services.settings, region)
    if page is not None and calendar is not None:  # the public page is on
        text = Html(text + "\n\n" + texts("reports.public_links", page=page, calendar=calendar))
    return text, kb.as_markup()


def _formats(
    texts: Texts, key: str, doc: int, addressee: int, by_addressee: bool, back: ReportCallback
) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    for fmt in FORMATS:
        kb.button(
            text=texts.plain(f"reports.{fmt}_button"),
            callback_data=ReportCallback(a="fmt", r=key, d=doc, ad=addressee, f=fmt),
        )
    sizes = [2, 2]
    if by_addressee:
        kb.button(
            text=texts.plain("reports.by_addressee_button"),
            callback_data=ReportCallback(a="addrs", r=key, d=doc),
        )
        sizes.append(1)
    kb.button(text=texts.plain("reports.back_button"), callback_data=back)
    sizes.append(1)
    kb.adjust(*sizes)
    return kb.as_markup()


async def cmd_report(
    message: Message, command: CommandObject, services: Services, texts: Texts
) -> None:
    user_id = sender_id(message)
    try:
        regions = await services.reports.regions(user_id)
        asked = (command.args or "").strip()
        if asked:
            region = valid_region(asked)
            if region is None:
                await message.answer(texts("reports.region_not_found", query=asked[:100]))
                return
        elif len(regions) == 1:
            region = regions[0]
        elif not regions:
            await message.answer(texts("reports.no_regions"))
            return
        else:
            await message.answer(
                texts("reports.pick_region"), reply_markup=_regions_keyboard(texts, regions)
            )
            return
        text, markup = await _resolutions(services, texts, user_id, region)
    except PermissionDenied as denied:
        await message.answer(texts(denied.key, **denied.params))
        return
    await message.answer(text, reply_markup=markup)


async def on_report(
    callback: CallbackQuery,
    callback_data: ReportCallback,
    bot: Bot,
    services: Services,
    texts: Texts,
) -> None:
    user_id = callback.from_user.id
    data = callback_data
    region = region_by_key(data.r)
    try:
        if data.a == "regions":
            regions = await services.reports.regions(user_id)
            await callback.answer()
            await show_result(
                callback, texts("reports.pick_region"), _regions_keyboard(texts, regions)
            )
            return
        if region is None:
            await callback.answer(texts.plain("fallback.stale_button"), show_alert=True)
            return
        if data.a == "region":
            text, markup = await _resolutions(services, texts, user_id, region.name)
        elif data.a == "doc":
            scope = await services.reports.scope_for(user_id, region.name, data.d)
            what, total = await services.reports.describe(user_id, scope)
            text = texts("reports.pick_format", what=shorten(what, 200), n=total)
            markup = _formats(
                texts, data.r, data.d, 0, bool(data.d), ReportCallback(a="region", r=data.r)
            )
        elif data.a == "addrs":
            doc, addressees = await services.reports.document_addressees(user_id, data.d)
            kb = InlineKeyboardBuilder()
            for row in addressees[:ADDRESSEE_BUTTONS]:
                kb.button(
                    text=texts.plain(
                        "reports.addressee_button",
                        name=shorten(row["canonical"], 50),
                        n=row["total"],
                    ),
                    callback_data=ReportCallback(a="pick", r=data.r, d=data.d, ad=row["id"]),
                )
            kb.button(
                text=texts.plain("reports.back_button"),
                callback_data=ReportCallback(a="doc", r=data.r, d=data.d),
            )
            kb.adjust(1)
            text = texts("reports.pick_addressee", title=shorten(readable_title(doc["title"]), 200))
            markup = kb.as_markup()
        elif data.a == "pick":
            scope = await services.reports.scope_for(user_id, region.name, data.d, data.ad)
            what, total = await services.reports.describe(user_id, scope)
            text = texts("reports.pick_format", what=shorten(what, 200), n=total)
            markup = _formats(
                texts, data.r, data.d, data.ad, False, ReportCallback(a="addrs", r=data.r, d=data.d)
            )
        elif data.a == "fmt" and data.f in FORMATS:
            await _send_report(callback, bot, services, texts, region.name, data)
            return
        else:
            await callback.answer(texts.plain("fallback.stale_button"), show_alert=True)
            return
    except PermissionDenied as denied:
        await callback.answer(texts.plain(denied.key, **denied.params), show_alert=True)
        return
    except LookupError:
        await callback.answer(texts.plain("fallback.stale_button"), show_alert=True)
        return
    await callback.answer()
    await show_result(callback, text, markup)


async def _send_report(
    callback: CallbackQuery,
    bot: Bot,
    services: Services,
    texts: Texts,
    region: str,
    data: ReportCallback,
) -> None:
    user_id = callback.from_user.id
    chat_id = callback.message.chat.id if callback.message else user_id
    scope = await services.reports.scope_for(user_id, region, data.d, data.ad)
    await callback.answer(texts.plain("reports.building"))
    action = "upload_photo" if data.f == "png" else "upload_document"
    await bot.send_chat_action(chat_id, action)
    try:
        report = await services.reports.export(user_id, scope, data.f)
    except ReportError as error:
        await bot.send_message(chat_id, texts(error.key, **error.params))
        return
    if report.total == 0:
        await bot.send_message(chat_id, texts("reports.empty"))
        return
    file = BufferedInputFile(report.data, filename=report.name)
    if data.f == "png":
        await bot.send_photo(
            chat_id, file, caption=shorten(report.caption, CAPTION_LIMIT), parse_mode=None
        )
        return
    head = texts.plain("reports.file_caption", what=shorten(report.what, 300), n=report.total)
    hint = texts.plain("reports.xlsx_hint") if data.f == "xlsx" else ""
    # shorten() folds whitespace: each part on its own, so the blank line between them stays.
    caption = shorten(head, CAPTION_LIMIT - len(hint) - 2) + ("\n\n" + hint if hint else "")
    await bot.send_document(chat_id, file, caption=caption, parse_mode=None)


# --- the XLSX comes back ------------------------------------------------------------------


def _suffix(message: Message) -> str:
    name = (message.document.file_name or "") if message.document else ""
    return PurePath(name).suffix.lower()


def is_spreadsheet(message: Message) -> bool:
    return _suffix(message) == ".xlsx"


def is_csv(message: Message) -> bool:
    return _suffix(message) == ".csv"


async def on_csv(message: Message, services: Services, texts: Texts) -> None:
    """A CSV is most likely /report's sent back: only the Excel table carries what an update
    needs (its hidden columns), so say which file to send instead."""
    name = (message.document.file_name if message.document else None) or "table.csv"
    roles = await services.access.roles(sender_id(message))
    key = "reports.bulk.csv_back" if roles.is_coordinator else "documents.bad_type"
    await message.answer(texts(key, name=name))


def render_plan(
    texts: Texts, plan: BulkPlan, default_tz: str
) -> tuple[Html, InlineKeyboardMarkup | None]:
    if plan.issues:
        lines = [
            texts(issue.key, row=issue.row, **issue.params) for issue in plan.issues[:PREVIEW_LINES]
        ]
        if len(plan.issues) > PREVIEW_LINES:
            lines.append(texts("reports.bulk.more", n=len(plan.issues) - PREVIEW_LINES))
        return texts("reports.bulk.errors", name=plan.name, lines=Html("\n".join(lines))), None
    if not plan.changes:
        return texts("reports.bulk.nothing", name=plan.name), None

    def status(code: str) -> str:
        return texts.plain("reports.file.sum_no_data" if code == "no_data" else f"status.{code}")

    lines = [
        texts(
            "reports.bulk.change_line",
            row=c.row,
            number=c.number,
            old=status(c.shown),
            new=status(c.new),
        )
        if c.new
        else texts("reports.bulk.comment_line", row=c.row, number=c.number)
        for c in plan.clean[:PREVIEW_LINES]
    ]
    if len(plan.clean) > PREVIEW_LINES:
        lines.append(texts("reports.bulk.more", n=len(plan.clean) - PREVIEW_LINES))
    exported = "—"
    if plan.exported_at:
        local = from_iso(plan.exported_at).astimezone(zone_for(plan.region, default_tz))
        exported = local.strftime("%d.%m.%Y %H:%M")
    parts = [
        texts(
            "reports.bulk.preview",
            name=plan.name,
            exported=exported,
            n=len(plan.clean),
            lines=Html("\n".join(lines)),
        )
    ]
    kb = InlineKeyboardBuilder()
    if plan.clean:
        kb.button(
            text=texts.plain("reports.bulk.apply_button", n=len(plan.clean)),
            callback_data=BulkCallback(a="apply", h=plan.digest),
        )
    if plan.conflicts:
        conflict_lines = [
            texts(
                "reports.bulk.conflict_line",
                row=c.row,
                number=c.number,
                new=status(c.new or c.current),
                current=status(c.shown),
            )
            for c in plan.conflicts[:PREVIEW_LINES]
        ]
        parts.append(
            texts(
                "reports.bulk.conflicts",
                n=len(plan.conflicts),
                lines=Html("\n".join(conflict_lines)),
                apply=texts.plain("reports.bulk.apply_button", n=len(plan.clean)),
            )
        )
        kb.button(
            text=texts.plain("reports.bulk.apply_all_button", n=len(plan.changes)),
            callback_data=BulkCallback(a="all", h=plan.digest),
        )
    parts.append(texts("reports.bulk.apply_hint"))
    kb.button(
        text=texts.plain("reports.bulk.cancel_button"),
        callback_data=BulkCallback(a="cancel", h=plan.digest),
    )
    kb.adjust(1)
    return join_within(parts), kb.as_markup()


async def _download(bot: Bot, file_id: str) -> bytes:
    downloaded = await bot.download(file_id)
    if downloaded is None:  # only when a destination is given; we give none
        raise MissingInEvent("a download without its bytes")
    return downloaded.read()


async def on_spreadsheet(
    message: Message, bot: Bot, state: FSMContext, services: Services, texts: Texts
) -> None:
    document = message.document
    if document is None:  # the filter let only documents through
        raise MissingInEvent("a spreadsheet without a document")
    name = document.file_name or "table.xlsx"
    roles = await services.access.roles(sender_id(message))
    if not roles.is_coordinator:
        # For everyone else an .xlsx is just a file the bot does not read.
        await message.answer(texts("documents.bad_type", name=name))
        return
    limit = services.settings.max_document_bytes
    if document.file_size and document.file_size > limit:
        await message.answer(texts("documents.too_large", mb=limit // (1024 * 1024)))
        return
    await bot.send_chat_action(message.chat.id, "typing")
    data = await _download(bot, document.file_id)
    try:
        plan = await services.bulk.plan(sender_id(message), data, name)
    except PermissionDenied as denied:
        await message.answer(texts(denied.key, **denied.params))
        return
    except BulkError as error:
        await message.answer(texts(error.key, name=name, **error.params))
        return
    text, markup = render_plan(texts, plan, services.settings.default_timezone)
    if markup is not None:
        await state.update_data(
            bulk={"file_id": document.file_id, "name": name, "digest": plan.digest}
        )
    await message.answer(text, reply_markup=markup)


async def on_bulk(
    callback: CallbackQuery,
    callback_data: BulkCallback,
    bot: Bot,
    state: FSMContext,
    services: Services,
    texts: Texts,
) -> None:
    pending: dict[str, Any] | None = (await state.get_data()).get("bulk")
    if not pending or pending.get("digest") != callback_data.h:
        await callback.answer(texts.plain("reports.bulk.over"), show_alert=True)
        return
    if callback_data.a == "cancel":
        await _forget(state)
        await callback.answer()
        await show_result(callback, texts("reports.bulk.cancelled"))
        return
    data = await _download(bot, pending["file_id"])
    try:
        applied = await services.bulk.apply(
            callback.from_user.id,
            data,
            pending["name"],
            pending["digest"],
            callback_data.a == "all",
        )
    except PermissionDenied as denied:
        await callback.answer(texts.plain(denied.key, **denied.params), show_alert=True)
        return
    except BulkError as error:
        await callback.answer(
            shorten(texts.plain(error.key, name=pending["name"], **error.params), 190),
            show_alert=True,
        )
        return
    except PlanChanged as changed:
        await callback.answer()
        await drop_buttons(callback)
        text, markup = render_plan(texts, changed.plan, services.settings.default_timezone)
        if markup is not None:
            pending["digest"] = changed.plan.digest
            await state.update_data(bulk=pending)
        else:
            await _forget(state)
        await bot.send_message(
            pressed_in(callback).chat.id,
            join_within([texts("reports.bulk.changed_meanwhile"), text]),
            reply_markup=markup,
        )
        return
    await _forget(state)
    await callback.answer()
    await show_result(
        callback, texts("reports.bulk.applied", n=len(applied.changes), name=pending["name"])
    )


async def _forget(state: FSMContext) -> None:
    data = await state.get_data()
    data.pop("bulk", None)
    await state.set_data(data)


def create_router() -> Router:
    router = Router(name="reports")
    router.message.register(cmd_report, Command("report"))
    router.callback_query.register(on_report, ReportCallback.filter())
    router.callback_query.register(on_bulk, BulkCallback.filter())
    router.message.register(on_spreadsheet, F.document, is_spreadsheet)
    router.message.register(on_csv, F.document, is_csv)
    return router
