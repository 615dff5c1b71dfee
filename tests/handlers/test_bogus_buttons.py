"""Stale or hand-made buttons: a short alert and one WARNING line, never a traceback."""

from __future__ import annotations

import logging

import pytest

from tests.texts import plain

STALE = plain("fallback.stale_button")


@pytest.mark.parametrize(
    "data",
    [
        "card:abc",
        "draft:publish",
        "st:1:done:extra:junk",
        "snz:",
        "fl:1:maybe",
        "\x00\xff",
        # well formed, but no such thing: ids past SQLite's integers, items that do not exist
        "card:99999999999999999999999",
        "snz:99999999999999999999",
        "draft:publish:99999999999999999999",
        "st:999:done",
        "as:1:xx",
        "fl:5:1",
    ],
)
async def test_bogus_callback_data_gets_an_alert_and_one_warning(harness, caplog, data):
    await harness.send(501, "/start")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        calls = await harness.click(501, data)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, harness.sent_texts(calls)
    assert answers[0].params.get("text") == STALE
    assert answers[0].params.get("show_alert") is True
    assert not [c for c in calls if c.method == "sendMessage"]  # no apology in the chat
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].levelno == logging.WARNING
    assert problems[0].exc_info is None and "Traceback" not in caplog.text
