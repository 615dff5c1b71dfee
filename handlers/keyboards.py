"""Telegram keyboards: a card's buttons, and plain buttons (:mod:`bot.buttons`) made inline.

The services describe what a queued message's buttons do; the delivery worker and the
handlers turn that into an inline keyboard here, so callback data is spelled in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.buttons import (
    Action,
    Button,
    OpenCard,
    ReportStatus,
    SetDigestFrequency,
    SnoozeNudge,
    StopAnnouncement,
)
from bot.formatting import shorten
from bot.texts import Texts
from bot.views import TIMELINE_ENTRIES, Card, local_day, status_label
from handlers.callbacks import (
    AnnounceCallback,
    AssessCallback,
    CardCallback,
    DeadlineCallback,
    DigestSettingsCallback,
    EvidenceCallback,
    FixCallback,
    FollowCallback,
    LetterCallback,
    SnoozeCallback,
    StatusCallback,
)
from storage.statuses import STATUSES


def callback_for(action: Action) -> CallbackData:
    """The callback data a plain action is pressed as."""
    match action:
        case OpenCard(rec_id):
            return CardCallback(rec_id=rec_id)
        case ReportStatus(rec_id, status):
            return StatusCallback(rec_id=rec_id, status=status)
        case SnoozeNudge(rec_id):
            return SnoozeCallback(rec_id=rec_id)
        case SetDigestFrequency(frequency):
            return DigestSettingsCallback(frequency=frequency)
        case StopAnnouncement(announcement_id):
            return AnnounceCallback(action="stop", id=announcement_id)
    raise TypeError(f"no callback for {action!r}")


def to_markup(keyboard: Iterable[Iterable[Button]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(text=b.text, callback_data=callback_for(b.action).pack())
                for b in row
            ]
            for row in keyboard
        ]
    )


def arranged(buttons: Sequence[tuple[str, CallbackData]], *sizes: int) -> InlineKeyboardMarkup:
    """Buttons (text, callback data) in rows of ``sizes``, the last size repeating: what
    ``InlineKeyboardBuilder.adjust(*sizes).as_markup()`` makes, without the builder, which
    deep-copies every button it holds each time one is added (most of a /my page's time)."""
    rows: list[list[InlineKeyboardButton]] = []
    widths = iter(sizes or (8,))
    width = next(widths)
    for text, data in buttons:
        if not rows or len(rows[-1]) >= width:
            if rows:
                width = next(widths, width)
            rows.append([])
        rows[-1].append(InlineKeyboardButton(text=text, callback_data=data.pack()))
    return InlineKeyboardMarkup(inline_keyboard=rows)


def card_keyboard(texts: Texts, card: Card) -> InlineKeyboardMarkup:
    rec_id = card.recommendation.id
    buttons: list[tuple[str, CallbackData]] = []
    sizes = []
    if card.can_report:
        for status in STATUSES:
            if status != card.recommendation.status:
                buttons.append(
                    (status_label(texts, status), StatusCallback(rec_id=rec_id, status=status))
                )
        sizes += [2, 2]
    if card.can_assess:
        buttons.append((texts("card.agree_button"), AssessCallback(rec_id=rec_id, verdict="agree")))
        buttons.append(
            (texts("card.disagree_button"), AssessCallback(rec_id=rec_id, verdict="disagree"))
        )
        sizes.append(2)
    if card.can_set_deadline:
        buttons.append((texts("card.deadline_button"), DeadlineCallback(rec_id=rec_id)))
        sizes.append(1)
    if card.can_record_letter:
        buttons.append(
            (texts("reports.letter.button"), LetterCallback(rec_id=rec_id, action="start"))
        )
        sizes.append(1)
    for entry in card.history[-TIMELINE_ENTRIES:]:
        # Links open from the text; files and photos are sent on a tap.
        if entry.evidence_kind in ("document", "photo") and entry.evidence:
            label = texts(
                f"card.evidence_{entry.evidence_kind}_button",
                name=shorten(entry.evidence_name or "", 40),
                day=local_day(entry.created_at, card.zone),
            )
            buttons.append((label, EvidenceCallback(entry_id=entry.id)))
            sizes.append(1)
    if card.can_correct:
        buttons.append((texts("documents.fix_button"), FixCallback(r="p", id=card.document.id)))
        sizes.append(1)
    buttons.append(
        (
            texts("card.unfollow_button" if card.following else "card.follow_button"),
            FollowCallback(rec_id=rec_id, on=not card.following),
        )
    )
    sizes.append(1)
    return arranged(buttons, *sizes)
