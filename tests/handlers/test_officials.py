"""Issue 11, point 15: officials use /my; unbinding asks first and tells the person."""

import json

from tests.handlers.test_reporting import COORD, OFFICIAL, amur, join_and_open_first_task

__all__ = ["amur"]


async def test_an_official_sees_my_for_the_body_and_region_of_the_invite(harness, amur):
    await join_and_open_first_task(harness, amur)
    calls = await harness.send(OFFICIAL, "/my")
    text = calls[-1].text
    assert "укажите регион" not in text
    assert "Касается вашей организации" in text and "Амурская область" in text
    assert "Правительство области" in text


async def test_my_for_an_official_who_joined_before_profiles_were_filled(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    await services.db.execute(
        "UPDATE users SET region = NULL, org_kind = NULL, org_name = NULL WHERE id = ?",
        (OFFICIAL,),
    )
    calls = await harness.send(OFFICIAL, "/my")
    assert "Касается вашей организации" in calls[-1].text


async def test_unbinding_an_official_asks_first_and_tells_them(harness, services, amur):
    await join_and_open_first_task(harness, amur)
    listing = (await harness.send(COORD, "/officials"))[-1]
    calls = await harness.press(COORD, listing, "Отключить")
    ask = next(c for c in calls if c.method in ("sendMessage", "editMessageText"))
    assert "Отключить" in ask.text and "Правительство области" in ask.text
    # Nothing happened yet.
    roles = await services.access.roles(OFFICIAL)
    assert roles.is_official

    calls = await harness.press(COORD, ask, "Нет")
    assert (await services.access.roles(OFFICIAL)).is_official

    listing = (await harness.send(COORD, "/officials"))[-1]
    calls = await harness.press(COORD, listing, "Отключить")
    ask = next(c for c in calls if c.method in ("sendMessage", "editMessageText"))
    await harness.press(COORD, ask, "Да, отключить")
    assert not (await services.access.roles(OFFICIAL)).is_official
    rows = await services.db.fetchall(
        "SELECT payload FROM outbox WHERE recipient_id = ? AND kind = 'notice'", (OFFICIAL,)
    )
    told = [json.loads(r["payload"])["text"] for r in rows]
    assert any("Правительство области" in t and "отключил" in t for t in told)
