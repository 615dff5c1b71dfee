"""People's rows kept in memory (storage/people.py): one rule, any write to their tables."""

from __future__ import annotations

import asyncio

from bench.hotpath import count_loop_reads, count_trips
from storage.digests import DigestRepository
from storage.people import PeopleCache
from storage.privacy import PrivacyRepository
from storage.subscriptions import SubscriptionRepository
from storage.users import UserRepository

NOW = "2026-01-01T00:00:00+00:00"


async def _registered(db, user_id=1):
    await UserRepository(db).upsert(
        user_id, first_name="Анна", last_name=None, username=None, language_code="ru", now=NOW
    )


async def test_a_person_is_read_once_between_writes(db):
    await _registered(db)
    people = PeopleCache(db)
    trips, loop_reads = count_trips(db), count_loop_reads(db)
    first = await people.get(1)
    again = await people.get(1)
    assert again == first and first.user.first_name == "Анна"
    assert (trips[0], loop_reads[0]) == (0, 1)


async def test_every_writer_of_the_tables_is_seen_on_the_next_read(db, services):
    await _registered(db)
    people = PeopleCache(db)
    await people.get(1)
    await UserRepository(db).set_profile_field(1, "org_name", "Фонд", NOW)
    assert (await people.get(1)).user.org_name == "Фонд"
    await DigestRepository(db).set_pause(1, NOW)
    assert (await people.get(1)).user.nudges_paused_until == NOW
    await DigestRepository(db).set_schedules([(NOW, NOW, 1)])
    assert (await people.get(1)).user.next_digest_at == NOW
    await SubscriptionRepository(db, people).subscribe(1, "Амурская область", NOW)
    assert (await people.get(1)).regions == ("Амурская область",)
    privacy = PrivacyRepository(db, services.fsm, services.reporting.reporting.refs, people)
    await privacy.record_consent(1, "given", "1", NOW)
    assert (await people.get(1)).consent.given
    async with db.transaction():
        await privacy.forget(1, [], NOW)
    forgotten = await people.get(1)
    assert (forgotten.user, forgotten.consent, forgotten.regions) == (None, None, ())


async def test_a_read_under_way_when_a_write_lands_is_not_kept(db):
    await _registered(db)
    people = PeopleCache(db)
    read_done, release = asyncio.Event(), asyncio.Event()
    read = db.read_short

    async def held(job):
        result = await read(job)
        read_done.set()
        await release.wait()
        return result

    db.read_short = held
    reading = asyncio.create_task(people.get(1))
    await asyncio.wait_for(read_done.wait(), timeout=30)
    await UserRepository(db).set_profile_field(1, "org_name", "Фонд", NOW)
    release.set()
    assert (await reading).user.org_name is None  # read before the write: its answer
    db.read_short = read
    assert (await people.get(1)).user.org_name == "Фонд"


async def test_a_write_rolled_back_is_not_kept_either(db):
    await _registered(db)
    people = PeopleCache(db)
    try:
        async with db.transaction():
            await UserRepository(db).set_profile_field(1, "org_name", "Фонд", NOW)
            assert (await people.get(1)).user.org_name == "Фонд"  # its own transaction
            raise RuntimeError
    except RuntimeError:
        pass
    assert (await people.get(1)).user.org_name is None
