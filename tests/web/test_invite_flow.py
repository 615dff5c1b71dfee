"""The coordinator makes a web-form link in /invite and sees and revokes it in /officials."""

from __future__ import annotations

import re

from bot.weblinks import hash_token
from tests.handlers.test_reporting import COORD, amur

__all__ = ["amur"]


async def test_web_link_from_invite_listed_and_revoked_in_officials(
    harness, services, amur, client
):
    texts = services.texts
    calls = await harness.send(COORD, "/invite")
    calls = await harness.press(COORD, calls[-1], "СОНКО")
    calls = await harness.press(COORD, calls[-1], "Правительство области")
    calls = await harness.press(COORD, calls[-1], texts.plain("invite.web_button"))
    made = calls[-1].text
    link = re.search(r"http://tracker\.test/o/([\w-]+)", made)
    assert link, made
    token = link.group(1)
    row = await services.db.fetchone(
        "SELECT * FROM web_links WHERE token_hash = ?", (hash_token(token),)
    )
    assert row["created_by"] == COORD
    page = await client.get(f"/o/{token}")
    assert page.status == 200 and "Правительство" in await page.text()

    listing = (await harness.send(COORD, "/officials"))[-1]
    assert "Правительство" in listing.text and "🌐" in listing.text
    calls = await harness.press(
        COORD, listing, texts.plain("officials.revoke_web_button", id=row["id"])
    )
    assert (await client.get(f"/o/{token}")).status == 410
    after = next(c for c in calls if c.method in ("sendMessage", "editMessageText"))
    assert "🌐" not in after.text


async def test_no_web_button_when_the_page_is_off(harness, services, amur):
    services.settings.web_enabled = False
    calls = await harness.send(COORD, "/invite")
    calls = await harness.press(COORD, calls[-1], "СОНКО")
    calls = await harness.press(COORD, calls[-1], "Правительство области")
    assert all("веб" not in text for text, _ in calls[-1].buttons())
