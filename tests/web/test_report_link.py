"""/report offers the region's public page and its deadlines feed when the page is on."""

from __future__ import annotations

from tests.handlers.test_reporting import COORD, amur
from tests.web.conftest import PUBLIC_URL

__all__ = ["amur"]


async def test_report_links_the_public_page_and_calendar(harness, services, amur, client):
    screen = (await harness.send(COORD, "/report"))[-1]
    links = services.texts(
        "reports.public_links",
        page=f"{PUBLIC_URL}/r/%D0%90%D0%BC%D1%83%D1%80%D1%81%D0%BA%D0%B0%D1%8F%20%D0%BE%D0%B1%D0%BB%D0%B0%D1%81%D1%82%D1%8C",
        calendar=f"{PUBLIC_URL}/calendar/region/%D0%90%D0%BC%D1%83%D1%80%D1%81%D0%BA%D0%B0%D1%8F%20%D0%BE%D0%B1%D0%BB%D0%B0%D1%81%D1%82%D1%8C.ics",
    )
    assert links in screen.text
    # Both addresses open: the page lists the region's resolution, the feed is a calendar.
    page = await client.get("/r/Амурская область")
    assert page.status == 200 and "СОНКО" in (await page.text()).upper()
    feed = await client.get("/calendar/region/Амурская область.ics")
    assert feed.status == 200 and (await feed.text()).startswith("BEGIN:VCALENDAR")


async def test_no_links_while_the_page_is_off(harness, services, amur):
    services.settings.web_enabled = False
    screen = (await harness.send(COORD, "/report"))[-1]
    assert screen.text == services.texts("reports.pick_resolution", region="Амурская область")
