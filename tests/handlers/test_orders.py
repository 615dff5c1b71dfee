"""Statuses and /tasks groups are shown in the order of their enums, everywhere; the values
the buttons carry are the enums' own (the strings the database stores)."""

from __future__ import annotations

from bot.progress import STATES, Counts
from bot.tasks import TaskGroup
from bot.texts import Texts
from handlers.progress import _counts
from storage.statuses import REPORTED_STATUSES, Status
from tests.handlers.test_reporting import OFFICIAL, amur, join_and_open_first_task
from tests.texts import expect, matches

__all__ = ["amur"]


def buttons_with(call, prefix: str) -> list[str]:
    """The last field of each button's callback data that starts with ``prefix``."""
    return [
        data.rsplit(":", 1)[1] for _, data in call.buttons() if data and data.startswith(prefix)
    ]


async def test_a_cards_status_buttons_follow_the_enum(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    current = (await services.documents.get_recommendation(rec_id)).status
    shown = buttons_with(card, f"st:{rec_id}:")
    assert shown == [s.value for s in Status if s != current]


async def test_the_pickers_after_a_reply_follow_the_enum(harness, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    calls = await harness.reply(OFFICIAL, card, "Проект на согласовании")
    shown = buttons_with(calls[-1], f"st:{rec_id}:")
    # The status it has is left out; the rest keep the enum's order.
    assert shown == [s.value for s in REPORTED_STATUSES if s.value in shown]
    assert len(shown) >= len(REPORTED_STATUSES) - 1


async def test_tasks_groups_follow_the_enum(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    # Fill the groups a report moves items to: one started, one closed.
    tasks = await services.tasks.tasks(OFFICIAL, None)
    ids = [r.id for r in tasks.groups[TaskGroup.NOT_STARTED]]
    await services.reporting.report_status(OFFICIAL, ids[0], Status.IN_PROGRESS)
    await services.reporting.report_status(OFFICIAL, ids[1], Status.DONE)

    calls = await harness.send(OFFICIAL, "/tasks")
    tasks = await services.tasks.tasks(OFFICIAL, None)
    filled = [g for g in TaskGroup if tasks.groups[g]]
    assert len(filled) >= 3
    first, *others = filled
    # The first non-empty group is shown, the others are offered as buttons in order.
    assert harness.texts(f"tasks.group_{first}") in calls[-1].text
    assert buttons_with(calls[-1], "pg:tasks:0:") == [g.value for g in others]
    # The header counts them in the same order.
    header = harness.texts.raw("tasks.header")
    positions = [header.index("{" + g + "}") for g in TaskGroup]
    assert positions == sorted(positions)


def test_progress_lines_list_the_states_in_the_enums_order():
    texts = Texts.load()
    assert STATES[: len(Status)] == tuple(Status)
    counts = Counts(total=len(STATES), by_state={s: 1 for s in STATES})
    line = _counts(texts, counts, short=False)
    shown = [line.index(texts(f"progress.state.{s}", n=1)) for s in STATES]
    assert shown == sorted(shown)


async def test_a_refused_item_has_its_own_group_not_completed(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    tasks = await services.tasks.tasks(OFFICIAL, None)
    refused, done = [r.id for r in tasks.groups[TaskGroup.NOT_STARTED]][:2]
    reason = "Нет средств в бюджете области на этот год"
    await services.reporting.report_status(OFFICIAL, refused, Status.WONT_DO, comment=reason)
    await services.reporting.report_status(OFFICIAL, done, Status.DONE)

    tasks = await services.tasks.tasks(OFFICIAL, None)
    assert [r.id for r in tasks.groups[TaskGroup.DONE]] == [done]
    assert [r.id for r in tasks.groups[TaskGroup.WONT_DO]] == [refused]
    # The header counts it apart, and a button of its own opens it.
    calls = await harness.send(OFFICIAL, "/tasks")
    counts = {g.value: len(tasks.groups[g]) for g in TaskGroup}
    assert counts["wont_do"] == counts["done"] == 1
    assert (
        matches("tasks.header", total=tasks.total, **counts) == calls[-1].text.split("\n\n<b>1.")[0]
    )
    button = next(d for t, d in calls[-1].buttons() if t == expect("tasks.button_wont_do", n=1))
    calls = await harness.click(OFFICIAL, button)
    shown = next(c for c in calls if c.method == "editMessageText")
    assert expect("tasks.group_wont_do") in shown.text
    assert f"card:{refused}" in [d for _, d in shown.buttons()]
