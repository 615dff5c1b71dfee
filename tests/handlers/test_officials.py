"""Issue 11, point 15: officials use /my; unbinding asks first and tells the person."""

import json

from tests.handlers.test_reporting import COORD, OFFICIAL, amur, join_and_open_first_task
from tests.texts import expect, matches

__all__ = ["amur"]


async def test_an_official_sees_my_for_the_body_and_region_of_the_invite(harness, amur):
    await join_and_open_first_task(harness, amur)
    calls = await harness.send(OFFICIAL, "/my")
    text = calls[-1].text
    assert matches("my.header", region="Амурская область").within(text)
    assert "Правительство области" in text


async def test_my_for_an_official_who_joined_before_profiles_were_filled(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    await services.db.execute(
        "UPDATE users SET region = NULL, org_kind = NULL, org_name = NULL WHERE id = ?",
        (OFFICIAL,),
    )
    calls = await harness.send(OFFICIAL, "/my")
    assert matches("my.header").within(calls[-1].text)


async def test_unbinding_an_official_asks_first_and_tells_them(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    listing = (await harness.send(COORD, "/officials"))[-1]
    unbind = expect("officials.unbind_button", name="")
    calls = await harness.press(COORD, listing, unbind)
    ask = next(c for c in calls if c.method in ("sendMessage", "editMessageText"))
    assert ask.text == matches("officials.unbind_confirm", addressee="Правительство области")
    # Nothing happened yet.
    roles = await services.access.roles(OFFICIAL)
    assert roles.is_official

    calls = await harness.press(COORD, ask, expect("officials.unbind_no_button"))
    assert (await services.access.roles(OFFICIAL)).is_official

    listing = (await harness.send(COORD, "/officials"))[-1]
    calls = await harness.press(COORD, listing, unbind)
    ask = next(c for c in calls if c.method in ("sendMessage", "editMessageText"))
    await harness.press(COORD, ask, expect("officials.unbind_yes_button"))
    assert not (await services.access.roles(OFFICIAL)).is_official
    rows = await services.db.fetchall(
        "SELECT payload FROM outbox WHERE recipient_id = ? AND kind = 'notice'", (OFFICIAL,)
    )
    told = [json.loads(r["payload"])["text"] for r in rows]
    assert expect("officials.you_are_unbound", addressee="Правительство области") in told
