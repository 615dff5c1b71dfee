"""Buttons as plain data: what a person can do from a message the bot sends on its own.

Services describe a keyboard with these (an action and its label); a channel turns them into
its own buttons — Telegram's inline keyboard with callback data is built in ``handlers/``
(:func:`handlers.keyboards.to_markup`) when the delivery worker sends the message. The outbox
stores the description as JSON (:func:`to_json`), so a queued message does not depend on how
a channel spells its buttons.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any


@dataclass(frozen=True)
class OpenCard:
    """Show a recommendation's card."""

    rec_id: int


@dataclass(frozen=True)
class ReportStatus:
    """Start reporting a status of a recommendation."""

    rec_id: int
    status: str


@dataclass(frozen=True)
class SnoozeNudge:
    """«Напомнить через неделю» under a nudge."""

    rec_id: int


@dataclass(frozen=True)
class SetDigestFrequency:
    """weekly | daily | off, under every digest."""

    frequency: str


@dataclass(frozen=True)
class StopAnnouncement:
    """Stop sending (or cancel a scheduled) announcement."""

    announcement_id: int


Action = OpenCard | ReportStatus | SnoozeNudge | SetDigestFrequency | StopAnnouncement

# The names actions are stored under in the outbox; never rename one (queued rows use them).
_NAMES: dict[type[Any], str] = {
    OpenCard: "card",
    ReportStatus: "status",
    SnoozeNudge: "snooze",
    SetDigestFrequency: "digest",
    StopAnnouncement: "stop_announcement",
}
_TYPES = {name: cls for cls, name in _NAMES.items()}
_FIELDS = {cls: tuple(f.name for f in fields(cls)) for cls in _NAMES}


@dataclass(frozen=True)
class Button:
    text: str
    action: Action


Keyboard = list[list[Button]]  # rows of buttons, top to bottom


def in_rows(buttons: Sequence[Button], *sizes: int) -> Keyboard:
    """Rows of the given sizes, the last size repeating for the rest (like aiogram's adjust)."""
    rows: Keyboard = []
    sizes = sizes or (1,)
    start, index = 0, 0
    while start < len(buttons):
        size = sizes[min(index, len(sizes) - 1)]
        rows.append(list(buttons[start : start + size]))
        start += size
        index += 1
    return rows


def to_json(keyboard: Iterable[Iterable[Button]]) -> list[list[dict[str, Any]]]:
    """``[[{"text": "1", "do": "card", "rec_id": 7}, …], …]``."""
    return [
        [
            {
                "text": b.text,
                "do": _NAMES[type(b.action)],
                **{name: getattr(b.action, name) for name in _FIELDS[type(b.action)]},
            }
            for b in row
        ]
        for row in keyboard
    ]


def from_json(data: list[list[dict[str, Any]]]) -> Keyboard:
    keyboard: Keyboard = []
    for row in data:
        buttons = []
        for item in row:
            params = {k: v for k, v in item.items() if k not in ("text", "do")}
            buttons.append(Button(item["text"], _TYPES[item["do"]](**params)))
        keyboard.append(buttons)
    return keyboard
