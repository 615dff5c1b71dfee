"""Buttons as plain data: rows like aiogram's adjust, and the JSON the outbox keeps."""

from __future__ import annotations

import json

from bot.buttons import (
    Button,
    OpenCard,
    ReportStatus,
    SetDigestFrequency,
    SnoozeNudge,
    StopAnnouncement,
    from_json,
    in_rows,
    to_json,
)


def labels(keyboard) -> list[list[str]]:
    return [[b.text for b in row] for row in keyboard]


def test_rows_take_the_sizes_in_turn_and_the_last_size_repeats():
    buttons = [Button(str(i), OpenCard(i)) for i in range(1, 8)]
    assert labels(in_rows(buttons, 2, 2, 1)) == [["1", "2"], ["3", "4"], ["5"], ["6"], ["7"]]
    assert labels(in_rows(buttons, 5)) == [["1", "2", "3", "4", "5"], ["6", "7"]]
    assert in_rows([], 5) == []


def test_every_action_survives_the_outbox_json():
    keyboard = [
        [Button("Выполнено", ReportStatus(3, "done")), Button("Открыть", OpenCard(3))],
        [Button("Через неделю", SnoozeNudge(3)), Button("Выключить", SetDigestFrequency("off"))],
        [Button("Остановить", StopAnnouncement(12))],
    ]
    stored = json.loads(json.dumps(to_json(keyboard), ensure_ascii=False))
    assert from_json(stored) == keyboard
    assert stored[0][0] == {"text": "Выполнено", "do": "status", "rec_id": 3, "status": "done"}
