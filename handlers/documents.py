"""A coordinator sends a resolution file: preview, then Publish or Cancel."""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import PurePath

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.access import Action, PermissionDenied
from bot.container import Services
from bot.formatting import human_date, human_deadline, shorten
from bot.importer import DraftPreview, ImportResult
from bot.ingest.extract import DocumentError
from bot.texts import Html, Texts, join_within

log = logging.getLogger(__name__)

SUPPORTED = {".txt", ".docx", ".pdf"}
PREVIEW_ADDRESSEES = 12
PREVIEW_DEADLINES = 6
PREVIEW_WARNINGS = 5
PREVIEW_ITEMS = 3


class DraftAction(CallbackData, prefix="draft"):
    action: str  # "publish" | "cancel"
    draft_id: int


async def on_document(message: Message, bot: Bot, services: Services, texts: Texts) -> None:
    document = message.document
    name = document.file_name or "document"
    suffix = PurePath(name).suffix.lower()
    if suffix not in SUPPORTED:
        key = "documents.old_word" if suffix in {".doc", ".rtf", ".odt"} else "documents.bad_type"
        await message.answer(texts(key, name=name))
        return
    limit = services.settings.max_document_bytes
    if document.file_size and document.file_size > limit:
        await message.answer(texts("documents.too_large", mb=limit // (1024 * 1024)))
        return
    try:
        # Check the role before downloading anything.
        await services.access.require(message.from_user.id, Action.IMPORT_DOCUMENT)
        await bot.send_chat_action(message.chat.id, "typing")
        data = (await bot.download(document)).getvalue()
        preview = await services.importer.stage_upload(message.from_user.id, data, name)
    except PermissionDenied as denied:
        await message.answer(texts(denied.key, **denied.params))
        return
    except DocumentError as error:
        await message.answer(texts("documents.unreadable", name=name, reason=error.user_message))
        return
    await message.answer(
        render_preview(texts, preview), reply_markup=_preview_keyboard(texts, preview)
    )


def _preview_keyboard(texts: Texts, preview: DraftPreview) -> InlineKeyboardMarkup:
    kb = InlineKeyboardBuilder()
    if not preview.unchanged and not preview.parsed.mojibake:
        kb.button(
            text=texts("documents.publish_button"),
            callback_data=DraftAction(action="publish", draft_id=preview.draft_id),
        )
    kb.button(
        text=texts("documents.cancel_button"),
        callback_data=DraftAction(action="cancel", draft_id=preview.draft_id),
    )
    return kb.as_markup()


def render_preview(texts: Texts, preview: DraftPreview) -> str:
    parsed = preview.parsed
    counts = Counter(i for r in parsed.recommendations for i in r.addressee_indices)
    unaddressed = sum(1 for r in parsed.recommendations if not r.addressee_indices)
    parts = [
        texts(
            "documents.preview_head",
            title=shorten(parsed.title, 300),
            meta=" · ".join(x for x in (human_date(parsed.date), parsed.place, parsed.region) if x)
            or texts("documents.no_meta"),
            n=len(parsed.recommendations),
        )
    ]
    if preview.unchanged:
        parts.append(texts("documents.unchanged"))
    elif preview.existing_document_id:
        parts.append(texts("documents.new_version"))
    lines = [
        texts("documents.addressee_line", name=shorten(a.canonical, 120), n=counts.get(i, 0))
        for i, a in enumerate(parsed.addressees[:PREVIEW_ADDRESSEES])
    ]
    if unaddressed:
        lines.append(texts("documents.unaddressed_line", n=unaddressed))
    if len(parsed.addressees) > PREVIEW_ADDRESSEES:
        lines.append(texts("documents.more", n=len(parsed.addressees) - PREVIEW_ADDRESSEES))
    parts.append(
        texts("documents.addressees", n=len(parsed.addressees), lines=Html("\n".join(lines)))
    )
    with_deadline = [r for r in parsed.recommendations if r.deadline]
    if with_deadline:
        lines = [
            texts(
                "documents.deadline_line",
                number=r.number,
                deadline=human_deadline(r.deadline.date, r.deadline.precision),
                phrase=shorten(r.deadline.phrase, 60),
            )
            for r in with_deadline[:PREVIEW_DEADLINES]
        ]
        if len(with_deadline) > PREVIEW_DEADLINES:
            lines.append(texts("documents.more", n=len(with_deadline) - PREVIEW_DEADLINES))
        parts.append(
            texts("documents.deadlines", n=len(with_deadline), lines=Html("\n".join(lines)))
        )
    else:
        parts.append(texts("documents.no_deadlines"))
    if parsed.warnings:
        lines = [
            texts("documents.warning_line", text=shorten(w, 200))
            for w in parsed.warnings[:PREVIEW_WARNINGS]
        ]
        if len(parsed.warnings) > PREVIEW_WARNINGS:
            lines.append(texts("documents.more", n=len(parsed.warnings) - PREVIEW_WARNINGS))
        parts.append(texts("documents.warnings", lines=Html("\n".join(lines))))
    items = [
        texts("documents.item_line", number=r.number, text=shorten(r.text, 220))
        for r in parsed.recommendations[:PREVIEW_ITEMS]
    ]
    if items:
        parts.append(texts("documents.first_items", lines=Html("\n".join(items))))
    if preview.parsed.mojibake:
        parts.append(texts("documents.mojibake_hint"))
    elif not preview.unchanged:
        parts.append(texts("documents.publish_hint"))
    return join_within(parts)


async def on_draft_action(
    callback: CallbackQuery, callback_data: DraftAction, services: Services, texts: Texts
) -> None:
    user_id = callback.from_user.id
    try:
        if callback_data.action == "publish":
            result = await services.importer.publish_draft(user_id, callback_data.draft_id)
            text = _published_text(texts, result)
        else:
            removed = await services.importer.cancel_draft(user_id, callback_data.draft_id)
            text = texts("documents.cancelled" if removed else "documents.draft_gone")
    except PermissionDenied as denied:
        await callback.answer(texts.plain(denied.key, **denied.params), show_alert=True)
        return
    except DocumentError as error:  # a garbled draft is never published
        await callback.answer(shorten(error.user_message, 190), show_alert=True)
        return
    await callback.answer()
    if callback.message is not None:
        await callback.message.edit_reply_markup(reply_markup=None)
        await callback.message.answer(text)


def _published_text(texts: Texts, result: ImportResult | None) -> str:
    if result is None:
        return texts("documents.draft_gone")
    if result.outcome == "unchanged":
        return texts("documents.unchanged")
    if result.outcome == "updated":
        return texts(
            "documents.updated",
            added=result.added,
            changed=result.changed,
            removed=result.removed,
        )
    return texts("documents.published", n=len(result.recommendation_ids))


def create_router() -> Router:
    router = Router(name="documents")
    router.message.register(on_document, F.document)
    router.callback_query.register(on_draft_action, DraftAction.filter())
    return router
