"""/progress through the real Dispatcher: one screen per resolution, every line opens a list."""

import datetime as dt

from bot.localtime import local_date, zone_for
from bot.reporting import Letter
from tests.conftest import ADMIN_ID
from tests.handlers.test_reporting import COORD, MEMBER, OFFICIAL, amur, join_and_open_first_task
from tests.texts import expect, matches, plain

__all__ = ["amur"]


async def test_a_coordinator_sees_where_the_region_stands(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    calls = await harness.send(COORD, "/progress")
    screen = calls[-1]
    text = screen.text
    assert matches("progress.head", region="Амурская область").within(text)
    counts = " · ".join(
        [expect("progress.state.no_data", n=61), expect("progress.state.overdue", n=3)]
    )
    assert matches("progress.resolution", n=61, counts=counts).within(text)
    assert matches("progress.officials", with_official=1).within(text)
    who = expect("progress.who_none")
    assert matches("progress.body", name="Правительство области", who=who).within(text)
    assert len(text) < 2000  # one phone screen
    buttons = [t for t, _ in screen.buttons()]
    assert "1" in buttons and expect("progress.button_overdue", n=3) in buttons
    assert any(t == matches("progress.button_no_official") for t in buttons)
    # an official, no report yet
    assert any(t == matches("progress.button_silent") for t in buttons)

    # A body's number opens its recommendations with card buttons.
    calls = await harness.press(COORD, screen, "1")
    listing = next(c for c in calls if c.method == "editMessageText")
    everything = expect("progress.filter.all")
    head = matches("progress.items_head", what="Правительство области", state=everything)
    assert head.within(listing.text)
    assert any(data.startswith("card:") for _, data in listing.buttons())
    assert expect("progress.back_button") in [t for t, _ in listing.buttons()]

    calls = await harness.press(COORD, screen, expect("progress.button_overdue", n=3))
    overdue = next(c for c in calls if c.method == "editMessageText")
    state = expect("progress.filter.overdue")
    assert matches("progress.items_head", state=state, n=3).within(overdue.text)

    button = next(t for t in buttons if t == matches("progress.button_no_official"))
    calls = await harness.press(COORD, screen, button)
    bodies = next(c for c in calls if c.method == "editMessageText")
    assert matches("progress.bodies_no_official").within(bodies.text)
    assert expect("progress.invite_hint") in bodies.text
    assert "Правительство области" not in bodies.text


async def test_no_data_is_kept_apart_from_not_started(harness, services, amur):
    rec_id, _card = await join_and_open_first_task(harness, amur)
    await services.reporting.comment(OFFICIAL, rec_id, "Начнём в апреле")
    text = (await harness.send(COORD, "/progress"))[-1].text
    assert expect("progress.state.not_started", n=1) in text
    assert expect("progress.state.no_data", n=60) in text
    assert matches("progress.who_reported").within(text)


async def test_members_are_told_it_is_for_coordinators(harness, amur):
    calls = await harness.send(MEMBER, "/progress")
    assert calls[-1].text == expect("access.coordinators_only")


async def test_an_admin_picks_a_region(harness, amur):
    calls = await harness.send(ADMIN_ID, "/progress")
    assert calls[-1].text == expect("progress.pick_region")
    calls = await harness.press(ADMIN_ID, calls[-1], "Севастополь")
    screen = next(c for c in calls if c.method == "editMessageText")
    assert matches("progress.head", region="Севастополь").within(screen.text)
    assert expect("progress.other_region_button") in [t for t, _ in screen.buttons()]
    calls = await harness.send(ADMIN_ID, "/progress Камчатский край")
    assert matches("progress.head", region="Камчатский край").within(calls[-1].text)


async def test_progress_is_in_the_coordinators_help(harness, amur):
    calls = await harness.send(COORD, "/help")
    assert "/progress — " in calls[-1].text
    calls = await harness.send(MEMBER, "/help")
    assert "/progress" not in calls[-1].text


async def test_an_item_nobody_reported_on_reads_no_data_not_not_started(harness, amur):
    await join_and_open_first_task(harness, amur)
    screen = (await harness.send(COORD, "/progress"))[-1]
    calls = await harness.press(COORD, screen, "1")
    listing = next(c for c in calls if c.method == "editMessageText")
    assert expect("reports.file.sum_no_data") in listing.text
    assert expect("status.not_started") not in listing.text


async def test_a_card_nobody_reported_on_reads_no_data(harness, services, amur):
    rec_id, card = await join_and_open_first_task(harness, amur)
    assert matches("card.head", status=expect("reports.file.sum_no_data")).within(card.text)
    await services.reporting.comment(OFFICIAL, rec_id, "Начнём в апреле")
    calls = await harness.send(OFFICIAL, "/tasks")
    card = next(
        c for c in await harness.press(OFFICIAL, calls[-1], "1") if c.method == "sendMessage"
    )
    assert matches("card.head", status=expect("status.not_started")).within(card.text)


async def test_a_letter_reads_as_the_bodys_answer_and_a_web_link_as_an_official(
    harness, services, amur
):
    """A body that answered by letter: «ответ письмом» with its date, not «нет исполнителя»;
    a body whose official uses the web form has an official."""
    second = next(a for a in amur.addressee_ids[1:])  # not the government (position 1)
    listing = await services.progress.items(COORD, amur.document_id, "all", second)
    letter = Letter("01-12/345", services.clock.now().date() - dt.timedelta(days=5))
    await services.reporting.report_status(
        COORD, listing.items[0].id, "in_progress", "Приступили", letter=letter
    )
    screen = (await harness.send(COORD, "/progress"))[-1]
    name = listing.addressee
    who = expect("progress.who_letter", date=letter.date.strftime("%d.%m"))  # the letter's day
    assert matches("progress.body", name=name, who=who).within(screen.text)
    assert matches("progress.officials", with_official=0, reported=1).within(screen.text)

    await services.weblinks.create(COORD, second)
    screen = (await harness.send(COORD, "/progress"))[-1]
    assert matches("progress.officials", with_official=1, reported=1).within(screen.text)
    position = amur.addressee_ids.index(second) + 1
    calls = await harness.press(COORD, screen, str(position))
    listing_screen = next(c for c in calls if c.method == "editMessageText")
    assert expect("progress.items_no_official") not in listing_screen.text
    web = expect("progress.web_officials", n=1)
    assert matches("progress.items_officials", names=web).within(listing_screen.text)


async def test_a_body_line_names_its_latest_contact_not_an_older_letter_entered_later(
    harness, services, amur
):
    """The official reported today; the coordinator then enters a letter of ten days ago:
    the line still reads «отчёт» of today (the newer), not the older letter."""
    rec_id, _card = await join_and_open_first_task(harness, amur)
    await services.reporting.report_status(OFFICIAL, rec_id, "in_progress", "Приступили")
    today = local_date(services.clock.now(), zone_for("Амурская область", "Europe/Moscow"))
    letter = Letter("01-12/345", today - dt.timedelta(days=10))
    await services.reporting.report_status(COORD, rec_id, "done", "Готово", letter=letter)
    screen = (await harness.send(COORD, "/progress"))[-1]
    who = expect("progress.who_reported", date=today.strftime("%d.%m"))
    assert matches("progress.body", name="Правительство области", who=who).within(screen.text)
    # A letter newer than the official's report is named.
    newer = Letter("01-12/346", today)
    await services.reporting.report_status(COORD, rec_id, "in_progress", "Снова", letter=newer)
    screen = (await harness.send(COORD, "/progress"))[-1]
    who = expect("progress.who_letter", date=today.strftime("%d.%m"))
    assert matches("progress.body", name="Правительство области", who=who).within(screen.text)


async def test_progress_names_a_resolution_in_capitals_as_the_cards_do(harness, services, amur):
    from bot.titles import readable_title

    title = (await services.documents.get(amur.document_id)).title
    text = (await harness.send(COORD, "/progress"))[-1].text
    assert readable_title(title)[:30] in text and title[:30] not in text


async def test_the_wont_do_count_names_the_whole_status(harness, services, amur):
    """«⛔ не будет 1» read clipped: the count says «не будет выполнено», as the legend does."""
    rec_id = (await services.documents.recommendations(amur.document_id))[0].id
    await services.reporting.report_status(COORD, rec_id, "wont_do", "Нет денег в бюджете")
    text = (await harness.send(COORD, "/progress"))[-1].text
    count = expect("progress.state.wont_do", n=1)
    assert count in text and plain("status.wont_do").lower() in count
