"""A command ends whatever dialog is open: its own handler answers it, no step takes it for
an answer (one rule, in ``handlers/middlewares.py``)."""

from __future__ import annotations

import pytest

from handlers.announce import AnnounceForm
from handlers.cards import ReportForm
from handlers.corrections import FixForm
from handlers.profile import ProfileForm
from handlers.settings import SettingsForm

DIALOG_STATES = [
    state
    for group in (AnnounceForm, ReportForm, FixForm, ProfileForm, SettingsForm)
    for state in group.__all_states__
]
USER = 4242


@pytest.mark.parametrize("state", DIALOG_STATES, ids=lambda s: s.state)
@pytest.mark.parametrize("command", ["/help", "/settings"])
async def test_a_command_ends_every_dialog(harness, state, command):
    await harness.send(USER, command)  # the first message registers the person
    outside = await harness.send(USER, command)
    context = harness.dp.fsm.get_context(harness.bot, chat_id=USER, user_id=USER)
    await context.set_state(state)
    inside = await harness.send(USER, command)
    assert [(c.method, c.text) for c in inside] == [(c.method, c.text) for c in outside]
    assert await context.get_state() is None
