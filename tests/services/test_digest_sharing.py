"""Digests composed once per run for users alike, and planning that lets others run."""

import asyncio
import copy
import datetime as dt
import gc

import pytest

import bot.digests
from bot.users import TelegramIdentity
from tests.conftest import ADMIN_ID

UTC = dt.UTC
AMUR = "Амурская область"
ALIKE, TWIN, FOLLOWER, ACTOR = 41, 42, 43, 44
# Monday 2 March 2026, 10:00 in Amur (UTC+9).
SLOT = dt.datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def member(services, user_id, region, kind):
    await services.users.touch(TelegramIdentity(user_id, f"U{user_id}"))
    await services.profiles.set_region(user_id, region)
    await services.profiles.set_kind(user_id, kind)
    await services.profiles.finish_onboarding(user_id)


@pytest.fixture
async def amur(services, clock, parsed_seeds):
    """Amur NGOs alike, one who follows a recommendation, one who reported on it himself."""
    clock.at = dt.datetime(2026, 3, 1, 0, 0, tzinfo=UTC)
    for user_id in (ALIKE, TWIN, FOLLOWER, ACTOR):
        await member(services, user_id, AMUR, "ngo")
    await services.digests.run(clock.now())  # schedules their first digests
    clock.at = dt.datetime(2026, 3, 1, 1, 0, tzinfo=UTC)
    docs = {}
    for parsed in parsed_seeds:
        docs[parsed.source[:3]] = await services.importer.import_document(copy.deepcopy(parsed))
    return docs


async def other_region_rec(services) -> int:
    return await services.db.fetchval(
        "SELECT r.id FROM recommendations r JOIN documents d ON d.id = r.document_id"
        " WHERE d.region != ? ORDER BY r.id LIMIT 1",
        (AMUR,),
    )


async def amur_rec(services) -> int:
    return await services.db.fetchval(
        "SELECT r.id FROM recommendations r JOIN documents d ON d.id = r.document_id"
        " WHERE d.region = ? ORDER BY r.id LIMIT 1",
        (AMUR,),
    )


async def test_users_alike_share_one_digest_and_each_gets_their_own(services, clock, amur):
    followed = await other_region_rec(services)
    own = await amur_rec(services)
    await services.reporting.follow(FOLLOWER, followed, True)
    clock.at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    await services.reporting.report_status(ADMIN_ID, followed, "in_progress", "начали")
    await services.reporting.assess(ACTOR, own, "agree")

    digests = {d.user_id: d for d in await services.digests.due(SLOT)}
    assert set(digests) == {ALIKE, TWIN, FOLLOWER, ACTOR}
    # Composed once for both: the very same text and buttons.
    assert digests[ALIKE].text is digests[TWIN].text
    assert digests[ALIKE].keyboard is digests[TWIN].keyboard
    # Each digest is exactly what that user gets when composed alone.
    for user_id, digest in digests.items():
        alone = await services.digests.preview(await services.users.get(user_id), SLOT)
        assert alone is not None
        assert (digest.text, digest.keyboard, digest.recommendation_ids) == (
            alone.text,
            alone.keyboard,
            alone.recommendation_ids,
        )
    # The follower sees the followed item's change, the others do not.
    assert followed in digests[FOLLOWER].recommendation_ids
    assert followed not in digests[ALIKE].recommendation_ids
    # Composed apart: his own assessment must not be announced to him.
    assert digests[ACTOR].text is not digests[ALIKE].text


async def test_planning_gives_the_event_loop_back_between_users(services, clock, amur, monkeypatch):
    monkeypatch.setattr(bot.digests, "SLICE_SECONDS", 0.0)
    composed = 0
    compose = services.digests.compose

    def counting(*args, **kwargs):
        nonlocal composed
        composed += 1
        return compose(*args, **kwargs)

    monkeypatch.setattr(services.digests, "compose", counting)
    done = asyncio.Event()
    most = 0

    async def ticker():
        nonlocal most
        seen = composed
        while not done.is_set():
            await asyncio.sleep(0)
            most = max(most, composed - seen)
            seen = composed

    task = asyncio.create_task(ticker())
    try:
        digests = await services.digests.due(SLOT)
    finally:
        done.set()
        await task
    assert composed == 4 and len(digests) == 4
    assert most == 1  # another task ran between any two users


async def some_news(services, clock):
    """A followed item changed elsewhere, and an official reported on an Amur item."""
    await services.reporting.follow(FOLLOWER, await other_region_rec(services), True)
    clock.at = dt.datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    await services.reporting.report_status(
        ADMIN_ID, await other_region_rec(services), "in_progress", "начали"
    )
    await services.reporting.report_status(ADMIN_ID, await amur_rec(services), "done", "готово")


def queued(digests):
    return [(d.user_id, d.period, str(d.text), d.keyboard, d.recommendation_ids) for d in digests]


async def test_digests_are_the_same_whatever_the_run_keeps_rendered(
    services, clock, amur, monkeypatch
):
    await some_news(services, clock)
    kept = queued(await services.digests.due(SLOT))
    assert len(kept) == 4
    # Every part rendered anew (each cache starts afresh at every part): the same digests.
    monkeypatch.setattr(bot.digests, "CACHE_LIMIT", 1)
    monkeypatch.setattr(bot.digests, "LINE_CACHE_LIMIT", 1)
    assert queued(await services.digests.due(SLOT)) == kept


async def test_the_runs_activity_and_rendered_parts_are_nothing_for_the_garbage_collector(
    services, clock, amur
):
    """A full collection walks every tracked object: the run's many rendered parts must not
    be among them (plain strings in tuples of plain values are not tracked)."""
    await some_news(services, clock)
    planner = services.digests
    activity = await planner.load_activity(SLOT - bot.digests.WINDOW_CAP, SLOT)
    users = [await services.users.get(u) for u in (ALIKE, TWIN, FOLLOWER, ACTOR)]
    assert len(await planner.compose_batch(users, activity, SLOT)) == 4
    assert activity.lines and activity.sections
    for _ in range(3):  # a collection untracks a tuple once what it holds is: 3 levels deep
        gc.collect()
    parts = [*activity.lines.items(), *activity.sections.items()]
    assert [part for part in parts if gc.is_tracked(part[0]) or gc.is_tracked(part[1])] == []
    # The window's activity, kept for the whole run, is nothing for it either.
    indexes = (activity.new_recs, activity.events, activity.deadlines, activity.events_by_rec)
    rows = [row for index in indexes for found in index.values() for row in found]
    rows += [*activity.deadlines_by_rec.values(), *activity.new_docs]
    assert rows and [row for row in rows if gc.is_tracked(row)] == []
