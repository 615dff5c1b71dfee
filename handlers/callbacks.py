"""Callback data of every inline button; each packs well under Telegram's 64 bytes.

Messages the services queue describe their buttons as plain actions (:mod:`bot.buttons`);
:mod:`handlers.keyboards` turns those into these. The packed formats stay as they are: buttons
in old messages keep working.
"""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData


class CardCallback(CallbackData, prefix="card"):
    """Open a recommendation's card."""

    rec_id: int


class StatusCallback(CallbackData, prefix="st"):
    """Start reporting a status (from a card or a nudge)."""

    rec_id: int
    status: str


class SnoozeCallback(CallbackData, prefix="snz"):
    """ "Напомнить через неделю" on a nudge."""

    rec_id: int


class FollowCallback(CallbackData, prefix="fl"):
    rec_id: int
    on: bool


class AssessCallback(CallbackData, prefix="as"):
    rec_id: int
    verdict: str


class DeadlineCallback(CallbackData, prefix="dl"):
    rec_id: int


class EvidenceCallback(CallbackData, prefix="ev"):
    """Send the file or photo attached to a history entry."""

    entry_id: int


class DigestSettingsCallback(CallbackData, prefix="dg"):
    """Frequency buttons under every digest and in /settings."""

    frequency: str  # weekly | daily | off


class FixCallback(CallbackData, prefix="fx"):
    """Correcting a parsed resolution: its draft (r="d") or the published document (r="p").

    ``v`` is the number of corrections the screen reflected: a button from an older screen is
    refused rather than applied to a list that has changed under it.
    """

    r: str
    id: int
    v: int = 0
    a: str = "main"
    x: int = -1
    y: int = -1
    p: int = 0


class AnnounceCallback(CallbackData, prefix="an"):
    """Buttons of the /announce dialog and of the progress message."""

    action: str  # region | all | kinds | kind | kinds_done | docs | doc | now | when | …
    id: int = 0  # the announcement (or a region's index for "region")
    v: int = 0  # a kind's index, a document id
