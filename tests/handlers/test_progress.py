"""/progress through the real Dispatcher: one screen per resolution, every line opens a list."""

from tests.conftest import ADMIN_ID
from tests.handlers.test_reporting import COORD, MEMBER, OFFICIAL, amur, join_and_open_first_task

__all__ = ["amur"]


async def test_a_coordinator_sees_where_the_region_stands(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    calls = await harness.send(COORD, "/progress")
    screen = calls[-1]
    text = screen.text
    assert "Ход выполнения · Амурская область" in text
    assert "61 рекомендация" in text
    assert "❔ нет данных 61" in text and "🔴 просрочено 3" in text
    assert "Исполнители есть у 1 из" in text
    assert "Правительство области" in text and "нет исполнителя" in text
    assert len(text) < 2000  # one phone screen
    buttons = [t for t, _ in screen.buttons()]
    assert "1" in buttons and "🔴 Просрочено (3)" in buttons
    assert any(t.startswith("👤 Без исполнителя") for t in buttons)
    assert any(t.startswith("🔇 Молчат") for t in buttons)  # an official, no report yet

    # A body's number opens its recommendations with card buttons.
    calls = await harness.press(COORD, screen, "1")
    listing = next(c for c in calls if c.method == "editMessageText")
    assert "Правительство области" in listing.text and "Все рекомендации" in listing.text
    assert any(data.startswith("card:") for _, data in listing.buttons())
    assert "« К обзору" in [t for t, _ in listing.buttons()]

    calls = await harness.press(COORD, screen, "🔴 Просрочено")
    overdue = next(c for c in calls if c.method == "editMessageText")
    assert "🔴 Просрочено: 3" in overdue.text

    calls = await harness.press(COORD, screen, "👤 Без исполнителя")
    bodies = next(c for c in calls if c.method == "editMessageText")
    assert "Органы без исполнителя" in bodies.text and "/invite" in bodies.text
    assert "Правительство области" not in bodies.text


async def test_no_data_is_kept_apart_from_not_started(harness, services, amur):
    rec_id, _card = await join_and_open_first_task(harness, amur)
    await services.reporting.comment(OFFICIAL, rec_id, "Начнём в апреле")
    text = (await harness.send(COORD, "/progress"))[-1].text
    assert "⚪ не начато 1" in text and "❔ нет данных 60" in text
    assert "отчёт " in text


async def test_members_are_told_it_is_for_coordinators(harness, amur):
    calls = await harness.send(MEMBER, "/progress")
    assert "только координаторы" in calls[-1].text


async def test_an_admin_picks_a_region(harness, amur):
    calls = await harness.send(ADMIN_ID, "/progress")
    assert "какого региона" in calls[-1].text
    calls = await harness.press(ADMIN_ID, calls[-1], "Севастополь")
    screen = next(c for c in calls if c.method == "editMessageText")
    assert "Ход выполнения · Севастополь" in screen.text
    assert "🗺 Другой регион" in [t for t, _ in screen.buttons()]
    calls = await harness.send(ADMIN_ID, "/progress Камчатский край")
    assert "Ход выполнения · Камчатский край" in calls[-1].text


async def test_progress_is_in_the_coordinators_help(harness, amur):
    calls = await harness.send(COORD, "/help")
    assert "/progress — " in calls[-1].text
    calls = await harness.send(MEMBER, "/help")
    assert "/progress" not in calls[-1].text
