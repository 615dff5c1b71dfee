"""A service refuses (a UserError) → the user reads its text: a message for a message, an alert
for a button; a refusal ends the dialog, bad input keeps it open for another try.

The handlers do not catch these themselves: ``handlers/errors.py`` says them in one place.
"""

from __future__ import annotations

import logging

import pytest
from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.errors import InvalidInput, NotFound, PermissionDenied, Stale, UserError
from handlers.cards import ReportForm
from handlers.profile import ProfileForm
from tests.conftest import ADMIN_ID
from tests.handlers.test_reporting import COORD, MEMBER, amur

__all__ = ["amur"]

REGION = "Амурская область"


def state_of(harness, user_id: int) -> FSMContext:
    return harness.dp.fsm.get_context(bot=harness.bot, chat_id=user_id, user_id=user_id)


def only_answer(calls):
    answers = [c for c in calls if c.method == "answerCallbackQuery"]
    assert len(answers) == 1, answers
    return answers[0]


# --- through the real services ----------------------------------------------------------------


async def test_a_refused_command_is_answered_with_the_services_text(harness, amur):
    calls = await harness.send(MEMBER, "/officials")
    assert harness.sent_texts(calls) == [harness.texts("access.coordinators_only")]


async def test_a_refused_button_is_answered_with_an_alert(harness, amur):
    calls = await harness.click(COORD, "fx:d:12345:0:main:-1:-1:0")  # a draft that is gone
    answer = only_answer(calls)
    assert answer.params["text"] == harness.texts.plain("documents.draft_gone")
    assert answer.params["show_alert"] is True
    assert not [c for c in calls if c.method == "sendMessage"]


async def test_a_refusal_in_a_dialog_fills_its_text_and_ends_the_dialog(harness, services, amur):
    rec = (await services.documents.recommendations(amur.document_id))[0]
    # A coordinator, but of another region: the refusal names the region.
    await services.access.appoint_coordinator(ADMIN_ID, MEMBER, "Камчатский край")
    state = state_of(harness, MEMBER)
    await state.set_state(ReportForm.deadline)
    await state.set_data({"rec_id": rec.id})
    calls = await harness.send(MEMBER, "31.12.2030")
    expected = harness.texts("access.region_coordinators_only", region=REGION)
    assert harness.sent_texts(calls) == [expected]
    assert await state.get_state() is None


async def test_bad_input_in_a_dialog_is_said_and_the_question_stays(harness, services, amur):
    state = state_of(harness, MEMBER)
    await state.set_state(ProfileForm.org_name)
    calls = await harness.send(MEMBER, "Очень длинное название " * 20)
    assert harness.sent_texts(calls) == [harness.texts("profile.name_too_long")]
    assert await state.get_state() == ProfileForm.org_name.state
    await harness.send(MEMBER, "АНО «Берег»")  # the next answer is taken
    assert (await services.profiles.get(MEMBER)).org_name == "АНО «Берег»"


# --- the rule for each kind of refusal ---------------------------------------------------------


@pytest.fixture
def raising(harness):
    """A router in front of the others whose handlers raise the error put in ``errors``."""
    errors: list[UserError] = []
    router = Router(name="raising")

    async def on_message(message: Message) -> None:
        raise errors[0]

    async def on_button(callback: CallbackQuery) -> None:
        raise errors[0]

    router.message.register(on_message, F.text == "raise")
    router.callback_query.register(on_button, F.data == "raise")
    harness.dp.include_router(router)
    harness.dp.sub_routers.insert(0, harness.dp.sub_routers.pop())  # before the fallback
    return errors


KINDS = [
    (InvalidInput("access.other_region", region=REGION), False),
    (NotFound("access.other_region", region=REGION), True),
    (Stale("access.other_region", region=REGION), True),
    (PermissionDenied("access.other_region", region=REGION), True),
]


@pytest.mark.parametrize(("error", "ends_dialog"), KINDS)
async def test_a_message_gets_the_text_and_the_dialog_follows_the_kind(
    harness, raising, caplog, error, ends_dialog
):
    raising.append(error)
    state = state_of(harness, MEMBER)
    await state.set_state(ProfileForm.org_name)
    with caplog.at_level(logging.INFO):
        calls = await harness.send(MEMBER, "raise")
    assert harness.sent_texts(calls) == [harness.texts("access.other_region", region=REGION)]
    assert (await state.get_state() is None) is ends_dialog
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert REGION not in caplog.text  # the key is logged, not what fills it


@pytest.mark.parametrize(("error", "ends_dialog"), KINDS)
async def test_a_button_gets_an_alert_and_the_dialog_follows_the_kind(
    harness, raising, error, ends_dialog
):
    raising.append(error)
    state = state_of(harness, MEMBER)
    await state.set_state(ProfileForm.org_name)
    calls = await harness.click(MEMBER, "raise")
    answer = only_answer(calls)
    assert answer.params["text"] == harness.texts.plain("access.other_region", region=REGION)
    assert answer.params["show_alert"] is True
    assert not [c for c in calls if c.method == "sendMessage"]
    assert (await state.get_state() is None) is ends_dialog


async def test_an_alert_is_cut_to_what_telegram_shows(harness, raising):
    raising.append(InvalidInput("access.other_region", region="Край " * 60))
    answer = only_answer(await harness.click(MEMBER, "raise"))
    assert len(answer.params["text"]) <= 200
    assert answer.params["text"].endswith("…")
