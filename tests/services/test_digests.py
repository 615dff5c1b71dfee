"""Digests with controlled time: local hours, once per period, catch-up after downtime."""

import copy
import datetime as dt
import json

import pytest

from bot.buttons import OpenCard, SetDigestFrequency, from_json
from bot.clock import FrozenClock
from bot.container import build_services
from bot.users import TelegramIdentity
from tests.conftest import ADMIN_ID
from tests.texts import expect

UTC = dt.UTC
KAMCHATKA, KALININGRAD, MOSCOW = 31, 32, 33


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


async def member(services, user_id, region, kind):
    await services.users.touch(TelegramIdentity(user_id, f"U{user_id}"))
    await services.profiles.set_region(user_id, region)
    await services.profiles.set_kind(user_id, kind)
    await services.profiles.finish_onboarding(user_id)


async def outbox_keys(services, kind="digest", recipient=None):
    rows = await services.db.fetchall(
        "SELECT dedup_key FROM outbox WHERE kind = ? AND (? IS NULL OR recipient_id = ?)"
        " ORDER BY id",
        (kind, recipient, recipient),
    )
    return [r[0] for r in rows]


@pytest.fixture
async def world(services, clock, parsed_seeds):
    """Sunday 1 March 2026: three members register; then the resolutions are published."""
    clock.at = at(2026, 3, 1, 0, 0)
    await member(services, KAMCHATKA, "Камчатский край", "local_government")
    await member(services, KALININGRAD, "Калининградская область", "ngo")
    await member(services, MOSCOW, "Амурская область", "ngo")
    await services.digests.run(clock.now())  # schedules their first digests
    clock.at = at(2026, 3, 1, 1, 0)
    docs = {}
    for parsed in parsed_seeds:
        docs[parsed.source[:3]] = await services.importer.import_document(copy.deepcopy(parsed))
    return docs


async def test_each_user_gets_the_digest_at_ten_local(services, clock, world):
    kamchatka = await services.users.get(KAMCHATKA)
    kaliningrad = await services.users.get(KALININGRAD)
    # Monday 10:00 local: Kamchatka is UTC+12, Kaliningrad UTC+2.
    assert kamchatka.next_digest_at == "2026-03-01T22:00:00+00:00"
    assert kaliningrad.next_digest_at == "2026-03-02T08:00:00+00:00"

    stats = await services.digests.run(at(2026, 3, 1, 21, 59))
    assert stats["due"] == 0 and await outbox_keys(services) == []

    await services.digests.run(at(2026, 3, 1, 22, 0))
    assert await outbox_keys(services) == [f"digest:{KAMCHATKA}:2026-03-02"]

    # 10:00 in Amur (UTC+9) is 01:00 UTC.
    await services.digests.run(at(2026, 3, 2, 7, 59))
    keys = await outbox_keys(services)
    assert keys == [f"digest:{KAMCHATKA}:2026-03-02", f"digest:{MOSCOW}:2026-03-02"]
    # Kaliningrad has nothing new in its region: no message, but its slot moves on.
    stats = await services.digests.run(at(2026, 3, 2, 8, 0))
    assert stats == {"due": 1, "queued": 0, "empty": 1}
    assert len(await outbox_keys(services)) == 2
    kaliningrad = await services.users.get(KALININGRAD)
    assert kaliningrad.next_digest_at == "2026-03-09T08:00:00+00:00"


async def test_digest_lists_what_concerns_the_user(services, clock, world):
    await services.digests.run(at(2026, 3, 1, 22, 0))
    payload = await services.db.fetchval(
        "SELECT payload FROM outbox WHERE recipient_id = ?", (KAMCHATKA,)
    )
    import json

    data = json.loads(payload)
    text = data["text"]
    assert text.startswith(expect("digest.head_weekly"))
    assert "Межсекторной конференции" in text  # the Kamchatka resolution
    assert "Амурск" not in text  # nothing from another region
    assert len(text) <= 4096
    assert data["recommendation_ids"]
    actions = [b.action for row in from_json(data["buttons"]) for b in row]
    assert any(isinstance(a, OpenCard) for a in actions)
    assert SetDigestFrequency("daily") in actions


async def test_exactly_once_across_a_restart_and_a_crash(services, clock, world, settings, db):
    moment = at(2026, 3, 2, 8, 0)
    # A crash after queueing but before rescheduling: the planner runs again on restart.
    async for _, digests in services.digests.batches(moment):
        from bot.outbox import Outgoing

        await services.outbox.enqueue_many(
            [
                Outgoing(d.user_id, "digest", f"digest:{d.user_id}:{d.period}", d.text)
                for d in digests
            ]
        )
    restarted = build_services(settings, db, FrozenClock(moment))
    await restarted.digests.run(moment)
    await restarted.digests.run(moment)
    keys = await outbox_keys(services)
    assert len(keys) == len(set(keys)) == 2  # Kamchatka and the Amur NGO, once each


async def test_one_catch_up_digest_after_three_days_down(services, clock, world):
    await services.preferences.set_digest(MOSCOW, frequency="daily")
    await services.digests.run(at(2026, 3, 2, 7, 0))  # Monday 10:00 in Amur is 01:00 UTC
    assert await outbox_keys(services, recipient=MOSCOW) == [f"digest:{MOSCOW}:2026-03-02"]

    # Something happens on Tuesday; the bot is down from Monday to Thursday afternoon.
    rec = (await services.documents.recommendations(world["002"].document_id))[0]
    clock.at = at(2026, 3, 3, 3, 0)
    await services.reporting.report_status(ADMIN_ID, rec.id, "in_progress", "начали")
    await services.reporting.follow(MOSCOW, rec.id, True)
    stats = await services.digests.run(at(2026, 3, 5, 6, 0))
    assert stats["queued"] == 1
    keys = await outbox_keys(services, recipient=MOSCOW)
    assert keys == [f"digest:{MOSCOW}:2026-03-02", f"digest:{MOSCOW}:2026-03-03"]
    payload = await services.db.fetchval("SELECT payload FROM outbox ORDER BY id DESC LIMIT 1")
    assert (
        expect("digest.event_status", status=expect("status.in_progress"))
        in (json.loads(payload)["text"])
    )
    user = await services.users.get(MOSCOW)
    assert user.next_digest_at == "2026-03-06T01:00:00+00:00"  # Friday 10:00 in Amur (UTC+9)


async def test_blocked_and_switched_off_users_get_nothing(services, clock, world):
    await services.users.mark_blocked(KAMCHATKA)
    await services.preferences.set_digest(MOSCOW, frequency="off")
    stats = await services.digests.run(at(2026, 3, 2, 8, 0))
    assert stats["queued"] == 0
    assert await outbox_keys(services) == []


async def test_a_recurring_term_is_announced_at_its_coming_occurrence(services, clock, world):
    """«ежегодно до 5 марта» first due in 2025: the digest of 2 March 2026 lists it as due on
    5 March 2026 (it would otherwise be skipped as long past)."""
    rec = await services.db.fetchval(
        "SELECT r.id FROM recommendations r JOIN documents d ON d.id = r.document_id"
        " WHERE d.region = 'Камчатский край' ORDER BY r.id LIMIT 1"
    )
    await services.db.execute(
        "UPDATE recommendations SET deadline = '2025-03-05', deadline_precision = 'day',"
        " deadline_kind = 'recurring', deadline_period = 'year' WHERE id = ?",
        (rec,),
    )
    await services.reporting.follow(KAMCHATKA, rec, True)
    await services.digests.run(at(2026, 3, 1, 22, 0))
    import json

    payload = await services.db.fetchval(
        "SELECT payload FROM outbox WHERE recipient_id = ?", (KAMCHATKA,)
    )
    text = json.loads(payload)["text"]
    assert "5 марта 2026" in text
    assert "5 марта 2025" not in text
