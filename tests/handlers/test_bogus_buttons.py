"""Stale or hand-made buttons: a short alert and one WARNING line, never a traceback."""

from __future__ import annotations

import logging

import pytest

from bot.regions import region_by_name
from handlers.callbacks import AnnounceCallback, DeadlineCallback, FixCallback, LetterCallback
from handlers.documents import DraftAction
from handlers.invites import InviteCallback
from handlers.profile import region_key
from handlers.progress import ProgressCallback
from tests.conftest import ADMIN_ID
from tests.texts import plain

STALE = plain("fallback.stale_button")
MISSING = 10**9
AMUR = region_by_name("Амурская область")


async def press_alone(harness, caplog, data: str, user_id: int = 501) -> str:
    """Press a button with ``data``: its one alert's text, with nothing sent to the chat."""
    await harness.send(user_id, "/start")
    caplog.clear()
    with caplog.at_level(logging.INFO):
        calls = await harness.click(user_id, data)
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, harness.sent_texts(calls)
    assert answers[0].params.get("show_alert") is True
    assert not [c for c in calls if c.method == "sendMessage"]  # no apology in the chat
    assert "Traceback" not in caplog.text
    return answers[0].params.get("text") or ""


@pytest.mark.parametrize(
    "data",
    [
        "card:abc",
        "draft:publish",
        "st:1:done:extra:junk",
        "snz:",
        "fl:1:maybe",
        "\x00\xff",
        # well formed, but no such thing: ids past SQLite's integers
        "card:99999999999999999999999",
        "snz:99999999999999999999",
    ],
)
async def test_bogus_callback_data_gets_an_alert_and_one_warning(harness, caplog, data):
    assert await press_alone(harness, caplog, data) == STALE
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].levelno == logging.WARNING
    assert problems[0].exc_info is None


async def test_a_coordinators_button_past_sqlites_integers_is_stale(harness, caplog):
    """A coordinator's own kind of button (a member is refused by role before any lookup)."""
    data = "draft:publish:99999999999999999999"
    assert await press_alone(harness, caplog, data, user_id=ADMIN_ID) == STALE
    problems = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(problems) == 1 and problems[0].levelno == logging.WARNING


@pytest.mark.parametrize("data", ["st:999:done", "as:1:xx", "fl:5:1"])
async def test_a_button_for_a_recommendation_that_is_not_there_says_so(harness, caplog, data):
    """Well formed, but the recommendation does not exist: the service's own refusal (as the
    card button says it), an alert and no traceback; the user did nothing wrong to warn of."""
    said = await press_alone(harness, caplog, data)
    assert said == harness.texts.plain("report.not_found")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    "button",
    [
        DeadlineCallback(rec_id=MISSING),
        LetterCallback(rec_id=MISSING, action="start"),
        LetterCallback(rec_id=MISSING, action="status", status="done"),
        FixCallback(r="p", id=MISSING),
        FixCallback(r="d", id=MISSING),
        ProgressCallback(
            action="items", region=region_key(AMUR), doc=MISSING, addr=MISSING, state="all"
        ),
        *(
            InviteCallback(action=action, id=MISSING, n=MISSING)
            for action in ("doc", "addr", "make", "web", "webrevoke", "revoke", "unbind")
        ),
        DraftAction(action="publish", draft_id=MISSING),
        DraftAction(action="cancel", draft_id=MISSING),
        AnnounceCallback(action="now", id=MISSING),
        AnnounceCallback(action="doc", id=MISSING, v=1),
    ],
)
async def test_a_forged_coordinators_button_is_refused_by_role(harness, caplog, button):
    """A member pressing a coordinator's button made by hand hears that it is for
    coordinators, whatever the id in it (not «not found»)."""
    said = await press_alone(harness, caplog, button.pack())
    assert said == plain("access.coordinators_only")
