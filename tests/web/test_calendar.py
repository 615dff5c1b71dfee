"""Deadlines as iCalendar feeds: parse back, all-day dates, stable UIDs, folding."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from icalendar import Calendar

from bot.clock import from_iso
from bot.users import TelegramIdentity
from bot.views import render_card
from tests.conftest import ADMIN_ID
from tests.web.helpers import NOW, make_document

LONG = "Обеспечить; реализацию, программы \\ поддержки " + "социально ориентированных НКО " * 8


async def feed(client, path: str) -> Calendar:
    response = await client.get(path)
    assert response.status == 200
    assert response.content_type == "text/calendar"
    body = await response.read()
    for line in body.split(b"\r\n"):
        assert len(line) <= 75  # folded (RFC 5545 §3.1)
    return Calendar.from_ical(body)


async def test_addressee_and_region_feeds(client, services, harness):
    await harness.send(ADMIN_ID, "/start")
    _, (body_id,), (first, second, _) = await make_document(
        services, items=[LONG, "Провести форум.", "Без срока."], deadline="2026-12-31"
    )
    await services.db.execute("UPDATE recommendations SET deadline = NULL WHERE id = ?", (_,))
    await make_document(services, title="Другой регион", region="Тверская область")

    calendar = await feed(client, f"/calendar/addressee/{body_id}.ics")
    events = calendar.walk("VEVENT")
    assert len(events) == 2
    by_uid = {str(e["UID"]): e for e in events}
    event = by_uid[f"recommendation-{first}@tracker.test"]
    assert event.decoded("DTSTART") == dt.date(2026, 12, 31)  # all day: a DATE
    assert event.decoded("DTEND") == dt.date(2027, 1, 1)
    assert LONG.strip() in str(event["DESCRIPTION"])  # escaping of ; , \ round-trips
    assert str(event["URL"]) == f"http://tracker.test/rec/{first}"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Yakutsk"

    # A changed deadline moves the same event.
    await services.reporting.set_deadline(ADMIN_ID, second, dt.date(2027, 3, 1))
    again = await feed(client, f"/calendar/addressee/{body_id}.ics")
    moved = {str(e["UID"]): e for e in again.walk("VEVENT")}
    assert set(moved) == set(by_uid)
    assert moved[f"recommendation-{second}@tracker.test"].decoded("DTSTART") == dt.date(2027, 3, 1)

    region = await feed(client, "/calendar/region/" + quote("Амурская область", safe="") + ".ics")
    assert {str(e["UID"]) for e in region.walk("VEVENT")} == set(by_uid)
    assert "Амурская область" in str(region["X-WR-CALNAME"])


async def test_card_links_the_addressee_feed(services, harness):
    await harness.send(ADMIN_ID, "/start")
    _, (body_id,), (rec_id,) = await make_document(services)
    card = await services.reporting.card(ADMIN_ID, rec_id)
    text = render_card(services.texts, card)
    assert f'<a href="http://tracker.test/calendar/addressee/{body_id}.ics">' in text


async def test_the_description_says_no_data_until_someone_reports(client, services):
    _, (body_id,), (first, second) = await make_document(
        services, items=["Провести форум.", "Издать сборник."], deadline="2026-12-31"
    )
    await services.reporting.comment(ADMIN_ID, second, "Начнём в апреле")
    events = (await feed(client, f"/calendar/addressee/{body_id}.ics")).walk("VEVENT")
    description = {str(e["UID"]).split("@")[0]: str(e["DESCRIPTION"]) for e in events}
    no_data = services.texts.plain("reports.file.sum_no_data")
    not_started = services.texts.plain("status.not_started")
    assert description[f"recommendation-{first}"].startswith(no_data)
    assert description[f"recommendation-{second}"].startswith(not_started)


async def test_a_changed_event_says_so_last_modified_and_sequence(client, services, clock):
    """Calendar apps see a change by SEQUENCE (a new deadline or title) and LAST-MODIFIED /
    DTSTAMP (any change of what the event shows), each from the item's real history."""
    await services.users.touch(TelegramIdentity(ADMIN_ID, "Админ"))
    _, (body_id,), (moved, renamed, reported, still) = await make_document(
        services, items=["Провести форум.", "Издать сборник.", "Открыть центр.", "Обучить."]
    )
    path = f"/calendar/addressee/{body_id}.ics"

    def events(calendar):
        return {int(str(e["UID"]).split("@")[0].split("-")[1]): e for e in calendar.walk("VEVENT")}

    before = events(await feed(client, path))
    created = from_iso(NOW)
    for event in before.values():
        assert event.decoded("SEQUENCE") == 0
        assert event.decoded("LAST-MODIFIED") == event.decoded("DTSTAMP") == created

    clock.move(days=3)
    await services.reporting.set_deadline(ADMIN_ID, moved, dt.date(2027, 3, 1))
    clock.move(days=1)
    await services.documents.update_recommendation(
        renamed, {"text": "Издать сборник лучших практик."}, clock.iso()
    )
    clock.move(days=1)
    await services.reporting.comment(ADMIN_ID, reported, "Начнём в апреле")
    after = events(await feed(client, path))

    assert after[moved].decoded("SEQUENCE") == 1
    assert after[moved].decoded("LAST-MODIFIED") == clock.now() - dt.timedelta(days=2)
    assert after[renamed].decoded("SEQUENCE") == 1
    assert after[renamed].decoded("LAST-MODIFIED") == clock.now() - dt.timedelta(days=1)
    # A report changes what the event says («нет данных» → a status), not when it is.
    assert after[reported].decoded("SEQUENCE") == 0
    assert after[reported].decoded("LAST-MODIFIED") == clock.now()
    assert after[still].to_ical() == before[still].to_ical()  # untouched: the same bytes
    for event in after.values():
        assert event.decoded("DTSTAMP") == event.decoded("LAST-MODIFIED")

    # The same deadline set again is no new revision.
    clock.move(days=1)
    await services.reporting.set_deadline(ADMIN_ID, moved, dt.date(2027, 3, 1))
    assert events(await feed(client, path))[moved].decoded("SEQUENCE") == 1
