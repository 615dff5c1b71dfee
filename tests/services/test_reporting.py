"""Reporting services: local dates, evidence, telling the responsible official."""

import datetime as dt
import json

import pytest

from bot.users import TelegramIdentity
from bot.views import render_card
from tests.conftest import ADMIN_ID
from tests.texts import expect, matches

COORD, OFFICIAL, MEMBER, STRANGER = 51, 52, 53, 54
AMUR = "Амурская область"


@pytest.fixture
async def amur(services, clock, seeded):
    """A coordinator, an official of the Amur government and a member, all in Amur."""
    clock.at = dt.datetime(2026, 11, 1, 3, 0, tzinfo=dt.UTC)
    for user_id in (COORD, OFFICIAL, MEMBER, STRANGER):
        await services.users.touch(TelegramIdentity(user_id, f"U{user_id}"))
    for user_id in (COORD, OFFICIAL, MEMBER):
        await services.profiles.set_region(user_id, AMUR)
    await services.access.appoint_coordinator(ADMIN_ID, COORD, AMUR)
    document = seeded["002"].document_id
    addressee = next(
        a for a in await services.documents.addressees(document) if "Правительство" in a.canonical
    )
    invite = await services.invites.create(COORD, addressee.id)
    await services.invites.accept(OFFICIAL, invite.token)
    row = await services.db.fetchone(
        "SELECT recommendation_id FROM recommendation_addressees WHERE addressee_id = ?"
        " ORDER BY recommendation_id",
        (addressee.id,),
    )
    return row[0]


async def notices(services, recipient):
    rows = await services.db.fetchall(
        "SELECT kind, dedup_key, payload FROM outbox WHERE recipient_id = ? ORDER BY id",
        (recipient,),
    )
    return [(r[0], r[1], json.loads(r[2])) for r in rows]


async def test_history_and_notices_are_dated_in_local_time(services, clock, amur):
    rec = amur
    await services.reporting.follow(MEMBER, rec, True)
    # 08:10 on 30 November in Blagoveshchensk (UTC+9) is 23:10 on 29 November in UTC.
    clock.at = dt.datetime(2026, 11, 29, 23, 10, tzinfo=dt.UTC)
    await services.reporting.report_status(OFFICIAL, rec, "in_progress", "Начали")

    card = render_card(services.texts, await services.reporting.card(MEMBER, rec))
    assert "30.11.2026" in card and "29.11.2026" not in card
    # Someone without a region reads it in the region of the recommendation.
    card = render_card(services.texts, await services.reporting.card(STRANGER, rec))
    assert "30.11.2026" in card
    [(kind, _, payload)] = await notices(services, MEMBER)
    assert kind == "notice" and "30.11.2026" in payload["text"]


async def test_the_responsible_official_is_told_once(services, clock, amur):
    rec = amur
    await services.reporting.follow(OFFICIAL, rec, True)  # following too: still one message
    await services.reporting.set_deadline(COORD, rec, dt.date(2027, 3, 31))
    [(kind, _, payload)] = await notices(services, OFFICIAL)
    assert kind == "responsible" and payload["text"] == matches("responsible.deadline")
    assert "31 марта 2027 г." in payload["text"] and payload["recommendation_ids"] == [rec]

    await services.reporting.report_status(OFFICIAL, rec, "in_progress", "Начали")
    await services.reporting.assess(MEMBER, rec, "agree")
    told = [n for n in await notices(services, OFFICIAL) if n[0] == "responsible"]
    assert len(told) == 1  # agreeing is not news for the body (a follower reads it anyway)
    before = len(await notices(services, OFFICIAL))
    await services.reporting.assess(MEMBER, rec, "disagree", "Ничего не начато")
    sent = await notices(services, OFFICIAL)
    assert len(sent) == before + 1  # one message, not a notice and a follower's notice
    kind, _, payload = sent[-1]
    assert kind == "responsible" and payload["text"] == matches("responsible.disagree")
    assert "Ничего не начато" in payload["text"]


async def test_the_bodys_official_hears_of_a_report_entered_from_its_letter(services, clock, amur):
    """The coordinator records «Выполнено частично» from the body's letter: its official
    hears at once (once, also when following), as of any change on its items."""
    from bot.reporting import Letter

    rec = amur
    await services.reporting.follow(OFFICIAL, rec, True)
    letter = Letter("01-12/345", dt.date(2026, 10, 28))
    await services.reporting.report_status(COORD, rec, "partially_done", "Частично", letter=letter)
    [(kind, _, payload)] = await notices(services, OFFICIAL)
    assert kind == "responsible" and payload["text"] == matches("responsible.letter")
    assert "01-12/345" in payload["text"] and payload["recommendation_ids"] == [rec]
    # The coordinator's own status (no letter) on the card is not the body's answer.
    await services.reporting.report_status(COORD, rec, "in_progress", "Идёт работа")
    assert [n[0] for n in await notices(services, OFFICIAL)] == ["responsible", "notice"]


async def test_the_card_shows_a_recurring_terms_occurrence_due_now(services, amur):
    """«ежегодно до 1 марта» stored as its first date (2025): on 1 November 2026 the card
    names 1 March 2027, not a date long past."""
    await services.db.execute(
        "UPDATE recommendations SET deadline = '2025-03-01', deadline_precision = 'day',"
        " deadline_kind = 'recurring', deadline_period = 'year',"
        " deadline_note = 'ежегодно до 1 марта' WHERE id = ?",
        (amur,),
    )
    card = render_card(services.texts, await services.reporting.card(MEMBER, amur))
    note, date = "ежегодно до 1 марта", "до 1 марта 2027 г."
    assert expect("card.deadline_recurring", note=note, date=date) in card
    assert "2025" not in card.split("Срок:")[1].split("\n")[0]


async def test_a_follower_with_changes_in_the_digest_and_digests_off_still_hears(
    services, clock, amur
):
    rec = amur
    await services.reporting.follow(MEMBER, rec, True)
    await services.preferences.set_follow_notify(MEMBER, "digest")
    await services.preferences.set_digest(MEMBER, frequency="off")
    await services.reporting.report_status(OFFICIAL, rec, "in_progress", "Начали")
    # No digest will ever carry the change: it comes at once instead of never.
    assert [kind for kind, _, _ in await notices(services, MEMBER)] == ["notice"]


async def test_a_follower_with_changes_in_a_running_digest_waits_for_it(services, clock, amur):
    rec = amur
    await services.reporting.follow(MEMBER, rec, True)
    await services.preferences.set_follow_notify(MEMBER, "digest")
    await services.reporting.report_status(OFFICIAL, rec, "in_progress", "Начали")
    assert await notices(services, MEMBER) == []
