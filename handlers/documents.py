"""A coordinator sends a resolution file: preview (corrected with buttons, see
``handlers/corrections.py``), then Publish or Cancel; after publishing, invite the addressees."""

from __future__ import annotations

import io
import logging
from pathlib import PurePath
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters.callback_data import CallbackData
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from aiogram.utils.keyboard import InlineKeyboardBuilder

from bot.access import Action
from bot.container import Services
from bot.correction_service import CorrectionView, Ref
from bot.errors import PermissionDenied
from bot.formatting import human_date, human_deadline, shorten
from bot.importer import ImportResult
from bot.ingest.extract import DocumentError, refusal
from bot.localtime import zone_for
from bot.settings import Settings
from bot.texts import Html, Texts, join_within
from bot.views import local_day
from handlers.callbacks import FixCallback
from handlers.editing import drop_buttons
from handlers.events import sender_id
from handlers.invites import InviteCallback

log = logging.getLogger(__name__)

DEFAULT_TIMEZONE = Settings.model_fields["default_timezone"].default

SUPPORTED = {".txt", ".docx", ".pdf"}
PREVIEW_ADDRESSEES = 12
PREVIEW_DEADLINES = 6
PREVIEW_WARNINGS = 5
PREVIEW_ITEMS = 3
INVITE_BUTTONS = 8


class DraftAction(CallbackData, prefix="draft"):
    action: str  # "publish" | "cancel"
    draft_id: int


async def on_document(message: Message, bot: Bot, services: Services, texts: Texts) -> None:
    document = message.document
    if document is None:  # the router sends documents only
        return
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
        await services.access.require(sender_id(message), Action.IMPORT_DOCUMENT)
        await bot.send_chat_action(message.chat.id, "typing")
        buffer = io.BytesIO()
        await bot.download(document, destination=buffer)
        data = buffer.getvalue()
        preview = await services.importer.stage_upload(sender_id(message), data, name)
        view = await services.corrections.view(sender_id(message), Ref("draft", preview.draft_id))
    except DocumentError as error:  # said with the file's name
        await message.answer(texts("documents.unreadable", name=name, reason=refusal(texts, error)))
        return
    await message.answer(render_preview(texts, view), reply_markup=main_keyboard(texts, view))


def kind_label(texts: Texts, kind: str) -> str:
    return texts(f"corrections.kind.{kind}")


def describe_op(texts: Texts, op: dict[str, Any]) -> Html:
    """A correction in words: «п. 1.3 исключён», «вид «…» — общественный совет»."""
    kind = op.get("op")
    number = (op.get("item") or {}).get("number", "")
    if kind == "rename":
        return texts("corrections.op_rename", addressee=op["addressee"], name=op["name"])
    if kind == "kind":
        return texts(
            "corrections.op_kind", addressee=op["addressee"], kind=kind_label(texts, op["kind"])
        )
    if kind == "merge":
        return texts("corrections.op_merge", addressee=op["addressee"], into=op["into"])
    if kind == "move":
        if op.get("to") is None:
            return texts("corrections.op_move_none", number=number)
        return texts("corrections.op_move", number=number, to=op["to"])
    if kind == "drop":
        return texts("corrections.op_drop", number=number)
    if kind == "deadline":
        if not op.get("date"):
            return texts("corrections.op_deadline_none", number=number)
        return texts("corrections.op_deadline", number=number, date=human_date(op["date"]))
    if kind == "date":
        if not op.get("value"):
            return texts("corrections.op_date_none")
        return texts("corrections.op_date", value=human_date(op["value"]))
    if kind in ("title", "region"):
        return texts(f"corrections.op_{kind}", value=shorten(op.get("value") or "", 200))
    return texts("corrections.unknown")


def main_keyboard(texts: Texts, view: CorrectionView) -> InlineKeyboardMarkup:
    """The preview's buttons: what can be corrected, then Publish / Cancel (or Done)."""
    base = {"r": "p" if view.published else "d", "id": view.ref.id, "v": view.version}
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts("corrections.addressees_button"), callback_data=FixCallback(**base, a="ads")
    )
    kb.button(text=texts("corrections.items_button"), callback_data=FixCallback(**base, a="its"))
    for action in ("title", "date", "region"):
        kb.button(
            text=texts(f"corrections.{action}_button"), callback_data=FixCallback(**base, a=action)
        )
    sizes = [2, 3]
    if view.published:
        kb.button(
            text=texts("corrections.done_button"), callback_data=FixCallback(**base, a="done")
        )
        sizes.append(1)
    else:
        if not view.unchanged and not view.parsed.mojibake:
            kb.button(
                text=texts("documents.publish_button"),
                callback_data=DraftAction(action="publish", draft_id=view.ref.id),
            )
        kb.button(
            text=texts("documents.cancel_button"),
            callback_data=DraftAction(action="cancel", draft_id=view.ref.id),
        )
        sizes.append(2)
    kb.adjust(*sizes)
    return kb.as_markup()


def _changes_part(texts: Texts, view: CorrectionView) -> Html | None:
    changes = view.changes
    if changes is None:
        return None
    if not (changes.added or changes.changed or changes.removed):
        return texts("documents.no_changes")
    lines = [
        texts(
            "documents.changes",
            added=len(changes.added),
            changed=len(changes.changed),
            removed=len(changes.removed),
        )
    ]
    for label, numbers in (
        ("added", changes.added),
        ("changed", changes.changed),
        ("removed", changes.removed),
    ):
        if numbers:
            shown = ", ".join(numbers[:15]) + (" …" if len(numbers) > 15 else "")
            lines.append(
                texts(
                    "documents.changes_numbers",
                    label=texts(f"documents.changes_{label}"),
                    numbers=shown,
                )
            )
    return Html("\n".join(lines))


def render_preview(texts: Texts, view: CorrectionView) -> str:
    """The draft's preview, or the published document's correction screen."""
    parsed = view.parsed
    counts = view.counts
    unaddressed = len(view.unaddressed)
    meta = " · ".join(x for x in (human_date(parsed.date), parsed.place, parsed.region) if x)
    parts = [
        texts(
            "corrections.doc_head" if view.published else "documents.preview_head",
            title=shorten(parsed.title, 300),
            meta=meta or texts("documents.no_meta"),
            n=len(parsed.recommendations),
        )
    ]
    if view.unchanged:
        parts.append(texts("documents.unchanged"))
    elif view.existing_document_id and not view.published:
        parts.append(texts("documents.new_version"))
    changes = _changes_part(texts, view)
    if changes and not view.unchanged:
        parts.append(changes)
    if view.inherited and not view.published:
        parts.append(texts("documents.inherited", n=view.inherited))
    if view.failed:
        lines = [Html("• " + describe_op(texts, op)) for op in view.failed[:PREVIEW_WARNINGS]]
        parts.append(texts("documents.failed", lines=Html("\n".join(lines))))
    lines = [
        texts(
            "documents.addressee_line",
            name=shorten(a.canonical, 120),
            n=counts.get(i, 0),
            kind=kind_label(texts, a.kind),
        )
        for i, a in enumerate(parsed.addressees[:PREVIEW_ADDRESSEES])
    ]
    if len(parsed.addressees) > PREVIEW_ADDRESSEES:
        lines.append(texts("documents.more", n=len(parsed.addressees) - PREVIEW_ADDRESSEES))
    if unaddressed:
        lines.append(texts("documents.unaddressed_line", n=unaddressed))
    parts.append(
        texts("documents.addressees", n=len(parsed.addressees), lines=Html("\n".join(lines)))
    )
    with_deadline = [parsed.recommendations[i] for i in view.with_deadline]
    if with_deadline:
        lines = [
            texts(
                "documents.deadline_line",
                number=r.number,
                deadline=human_deadline(r.deadline.date, r.deadline.precision),
                phrase=shorten(r.deadline.phrase, 60),
            )
            if r.deadline.phrase
            else texts(
                "documents.deadline_set_line",
                number=r.number,
                deadline=human_deadline(r.deadline.date, r.deadline.precision),
            )
            for r in with_deadline[:PREVIEW_DEADLINES]
            if r.deadline is not None  # (with_deadline has only those)
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
    if view.published:
        if view.log:
            # Dated in the document's region (the coordinators who read this work there).
            log_zone = zone_for(parsed.region, DEFAULT_TIMEZONE)
            lines = [
                texts(
                    "corrections.log_line",
                    day=local_day(e["at"], log_zone),
                    role=texts(f"role.{e['actor_role']}"),
                    what=describe_op(texts, e["op"]),
                )
                for e in view.log
            ]
            parts.append(texts("corrections.log", lines=Html("\n".join(lines))))
        parts.append(texts("corrections.edit_hint"))
    else:
        items = [
            texts("documents.item_line", number=r.number, text=shorten(r.text, 220))
            for r in parsed.recommendations[:PREVIEW_ITEMS]
        ]
        if items:
            parts.append(texts("documents.first_items", lines=Html("\n".join(items))))
        if parsed.mojibake:
            parts.append(texts("documents.mojibake_hint"))
        elif not view.unchanged:
            parts.append(texts("documents.publish_hint"))
    return join_within(parts)


async def on_draft_action(
    callback: CallbackQuery, callback_data: DraftAction, services: Services, texts: Texts
) -> None:
    user_id = callback.from_user.id
    result = None
    try:
        if callback_data.action == "publish":
            result = await services.importer.publish_draft(user_id, callback_data.draft_id)
            text = _published_text(texts, result)
        else:
            removed = await services.importer.cancel_draft(user_id, callback_data.draft_id)
            text = texts("documents.cancelled" if removed else "documents.draft_gone")
    except DocumentError as error:  # a garbled draft is never published
        await callback.answer(shorten(refusal(texts, error), 190), show_alert=True)
        return
    await callback.answer()
    if callback.message is None:
        return
    await drop_buttons(callback)
    await callback.message.answer(text, reply_markup=_fix_button(texts, result))
    if result is not None and result.outcome != "unchanged":
        await _offer_invites(callback.message, services, texts, user_id, result.document_id)


def _fix_button(texts: Texts, result: ImportResult | None) -> InlineKeyboardMarkup | None:
    if result is None:
        return None
    kb = InlineKeyboardBuilder()
    kb.button(
        text=texts("documents.fix_button"),
        callback_data=FixCallback(r="p", id=result.document_id),
    )
    return kb.as_markup()


async def _offer_invites(
    message: Message | InaccessibleMessage,
    services: Services,
    texts: Texts,
    user_id: int,
    document_id: int,
) -> None:
    """The next step after publishing: invite the addressees' officials (the /invite flow)."""
    try:
        suggestions = await services.invites.suggestions(user_id, document_id)
    except PermissionDenied:  # a step offered, not asked for: nothing to refuse
        return
    if not suggestions:
        return
    kb = InlineKeyboardBuilder()
    for addressee, has_official in suggestions[:INVITE_BUTTONS]:
        label = shorten(addressee.canonical, 55) + (" ✓" if has_official else "")
        kb.button(text=label, callback_data=InviteCallback(action="addr", id=addressee.id))
    if len(suggestions) > INVITE_BUTTONS:
        kb.button(
            text=texts("documents.invite_all_button"),
            callback_data=InviteCallback(action="doc", id=document_id),
        )
    kb.adjust(1)
    await message.answer(texts("documents.invite_next"), reply_markup=kb.as_markup())


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
