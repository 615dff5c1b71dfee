"""Deadlines as iCalendar feeds: parse back, all-day dates, stable UIDs, folding."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from icalendar import Calendar

from bot.views import render_card
from tests.conftest import ADMIN_ID
from tests.web.helpers import make_document

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
