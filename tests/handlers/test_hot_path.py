"""The path people wait on: few database trips per update, nothing rebuilt per update."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods import Response
from aiogram.types import Message

from bench.hotpath import count_loop_reads, count_trips


async def test_answer_models_are_built_once_while_the_dispatcher_lives(harness):
    model = weakref.ref(Response[Message])
    gc.collect()
    assert model() is not None


async def test_a_known_sender_is_read_once_and_not_rewritten(harness, services):
    await harness.send(7, "/help")
    before = await services.users.get(7)
    writes = []
    original = services.db.execute_rowcount, services.db.execute

    async def rowcount(sql, params=()):
        writes.append(sql)
        return await original[0](sql, params)

    async def execute(sql, params=()):
        writes.append(sql)
        return await original[1](sql, params)

    services.db.execute_rowcount, services.db.execute = rowcount, execute
    await harness.send(7, "/help")
    assert not [w for w in writes if "users" in w]
    assert (await services.users.get(7)).updated_at == before.updated_at


async def test_a_new_telegram_name_is_written_on_the_next_update(harness, services):
    await harness.send(7, "/help")
    await harness.send(7, "/help", first_name="Анна-Мария")
    assert (await services.users.get(7)).first_name == "Анна-Мария"


async def test_a_dialog_state_is_written_only_when_it_changes(harness, services):
    await harness.send(7, "/help")
    await services.profiles.set_region(7, "Амурская область")
    await services.profiles.set_kind(7, "ngo")
    await harness.send(7, "/my")  # clears a dialog there is none of
    rows = await services.db.fetchint("SELECT count(*) FROM fsm_state")
    assert rows == 0
    key = "42:7:7:0:default"
    await services.fsm.set_state(key, "Form:x")
    await services.db.execute("UPDATE fsm_state SET updated_at = 'then' WHERE key = ?", (key,))
    await services.fsm.set_state(key, "Form:x")
    await services.fsm.set_data(key, {})
    assert await services.db.fetchtext("SELECT updated_at FROM fsm_state") == "then"
    await services.fsm.set_data(key, {"page": 2})
    assert await services.db.fetchtext("SELECT data FROM fsm_state") == '{"page": 2}'


async def test_a_forgotten_person_s_dialog_is_gone_from_memory_too(harness, services):
    await harness.send(7, "/help")
    key = "42:7:7:0:default"
    await services.fsm.set_state(key, "Form:x")
    await services.fsm.set_data(key, {"draft": "текст"})
    await services.privacy.forget(7)
    assert await services.fsm.get_state(key) is None
    assert await services.fsm.get_data(key) == {}


async def _amur_government(services, seeded):
    amur = seeded["002"]
    government = next(
        a
        for a in await services.documents.addressees(amur.document_id)
        if a.canonical == "Правительство области"
    )
    by_rec = await services.documents.addressee_ids_by_recommendation(amur.document_id)
    rec_id = next(r for r, a in by_rec.items() if a == [government.id])
    return government.id, rec_id


async def test_a_revoked_official_cannot_report_from_the_next_card_on(harness, services, seeded):
    from handlers.callbacks import CardCallback

    coordinator, official = 501, 502
    for user_id in (coordinator, official):
        await harness.send(user_id, "/help")
    await services.access.appoint_coordinator(900, coordinator, "Амурская область")
    government, rec_id = await _amur_government(services, seeded)
    invite = await services.invites.create(coordinator, government)
    await services.invites.accept(official, invite.token)
    open_card = CardCallback(rec_id=rec_id).pack()

    card = (await harness.click(official, open_card))[0]
    assert (await services.reporting.card(official, rec_id)).can_report
    assert len(card.buttons()) > 1

    await services.invites.revoke_official(coordinator, official, government)
    assert not (await services.reporting.card(official, rec_id)).can_report
    after = (await harness.click(official, open_card))[0]
    assert len(after.buttons()) < len(card.buttons())


async def test_a_profile_change_shows_in_the_next_my(harness, services):
    await harness.send(7, "/help")
    await services.profiles.set_region(7, "Амурская область")
    await services.profiles.set_kind(7, "ngo")
    first = harness.sent_texts(await harness.send(7, "/my"))[0]
    await services.profiles.set_region(7, "Алтайский край")
    second = harness.sent_texts(await harness.send(7, "/my"))[0]
    assert first != second
    assert "Алтайский край" in second or "Алтайском крае" in second


async def test_a_card_is_one_short_read_and_my_nothing_besides_its_search(
    harness, services, seeded
):
    from handlers.callbacks import CardCallback

    await harness.send(7, "/help")
    await services.profiles.set_region(7, "Амурская область")
    await services.profiles.set_kind(7, "regional_government")
    _, rec_id = await _amur_government(services, seeded)
    await harness.send(7, "/my")
    harness.auto_consent = False  # given above; the harness's own check is no trip of the bot's
    trips, loop_reads = count_trips(services.db), count_loop_reads(services.db)
    await harness.click(7, CardCallback(rec_id=rec_id).pack())
    # The card's rows, read in the loop; the sender is known, the reference held back.
    assert (trips[0], loop_reads[0]) == (0, 1)
    # The search's own queries are bench/query.py's concern (the ranking in SQL).
    search_trips = [0]
    search = services.search.my

    async def my(*args, **kwargs):
        before = trips[0]
        try:
            return await search(*args, **kwargs)
        finally:
            search_trips[0] += trips[0] - before

    services.search.my = my
    trips[0] = loop_reads[0] = 0
    await harness.send(7, "/my")
    assert search_trips[0] >= 1
    assert trips[0] - search_trips[0] == 0  # the sender and their profile are known
    assert loop_reads[0] == 0


async def test_no_filter_or_handler_waits_for_a_thread(harness, services, monkeypatch):
    """aiogram runs a plain (non-async) filter, such as ``F.text``, through asyncio.to_thread:
    a hop to another thread and back for a check of a few attributes."""
    import asyncio

    await harness.send(7, "/help")
    await services.profiles.set_region(7, "Амурская область")
    await services.profiles.set_kind(7, "ngo")
    hops = []
    to_thread = asyncio.to_thread

    async def counted(func, *args, **kwargs):
        hops.append(func)
        return await to_thread(func, *args, **kwargs)

    monkeypatch.setattr(asyncio, "to_thread", counted)
    await harness.send(7, "/my")
    await harness.send(7, "поддержка НКО в Амурской области")
    await harness.send(7, "/nosuchcommand")
    assert len(harness.sent_texts(await harness.send(7, "привет"))) == 1
    assert hops == []


async def _shown_card(harness, services, seeded, user_id=7):
    from handlers.callbacks import CardCallback

    await harness.send(user_id, "/help")
    _, rec_id = await _amur_government(services, seeded)
    calls = await harness.click(user_id, CardCallback(rec_id=rec_id).pack())
    card = next(c for c in calls if c.method == "sendMessage")
    return rec_id, card


async def _stored_refs(services, chat_id):
    return await services.db.fetchall(
        "SELECT message_id, recommendation_id FROM message_refs WHERE chat_id = ?", (chat_id,)
    )


async def test_a_card_s_message_reference_is_written_later_with_others(harness, services, seeded):
    rec_id, card = await _shown_card(harness, services, seeded)
    message_id = card.result["message_id"]
    assert await _stored_refs(services, 7) == []  # held back: no write of its own
    # Held back, it is still found: a reply at once is a comment on the card.
    assert await services.reporting.recommendations_of_message(7, message_id) == [rec_id]
    await services.reporting.flush_message_refs()
    assert [tuple(r) for r in await _stored_refs(services, 7)] == [(message_id, rec_id)]
    assert await services.reporting.recommendations_of_message(7, message_id) == [rec_id]


async def test_held_back_references_are_written_within_the_delay(harness, services, seeded):
    import asyncio

    refs = services.reporting.reporting.refs
    refs.delay = 0.0
    written = asyncio.Event()
    executemany = services.db.executemany

    async def noticed(sql, rows):
        await executemany(sql, rows)
        if "message_refs" in sql:
            written.set()

    services.db.executemany = noticed
    rec_id, card = await _shown_card(harness, services, seeded)
    await asyncio.wait_for(written.wait(), timeout=30)
    assert [tuple(r) for r in await _stored_refs(services, 7)] == [
        (card.result["message_id"], rec_id)
    ]


async def test_a_reply_to_a_card_just_shown_is_a_comment(harness, services, seeded):
    from bot.texts import Texts

    _, card = await _shown_card(harness, services, seeded)
    calls = await harness.reply(7, card, "Ничего не сделано")
    # A member may not comment on it: the reply was taken as about this card all the same.
    assert calls[-1].text == Texts.load()("access.not_responsible")


async def test_forgetting_a_person_drops_their_held_back_references(harness, services, seeded):
    rec_id, card = await _shown_card(harness, services, seeded)
    exported = await services.privacy.export(7)
    assert [r["recommendation_id"] for r in exported["message_refs"]] == [rec_id]
    await services.privacy.forget(7)
    await services.reporting.flush_message_refs()
    assert await _stored_refs(services, 7) == []
    assert await services.reporting.recommendations_of_message(7, card.result["message_id"]) == []


async def test_the_region_index_is_built_at_startup_not_on_someone_s_update(services):
    from bot.regions import _index
    from bot.telegram.app import create_dispatcher, warm_up

    dp = create_dispatcher(services)
    assert warm_up in [h.callback for h in dp.startup.handlers]
    _index.cache_clear()
    await warm_up()
    assert _index.cache_info().currsize == 1


async def test_a_button_s_filter_turns_away_other_buttons_by_their_prefix(services, monkeypatch):
    from aiogram.filters.callback_data import CallbackData, CallbackQueryFilter
    from aiogram.types import CallbackQuery, User

    from bot.telegram.app import create_dispatcher
    from handlers.callbacks import CardCallback, FollowCallback

    dp = create_dispatcher(services)
    filters = [
        f
        for router in dp.chain_tail
        for h in router.observers["callback_query"].handlers
        for f in h.filters or ()
        # aiogram's own, or wrapped (the wrapper keeps it as ``original``)
        if isinstance(getattr(f.callback, "original", f.callback), CallbackQueryFilter)
    ]
    assert len(filters) > 20  # every button's filter of the bot's routers

    def pressed(data):
        user = User(id=7, is_bot=False, first_name="Анна")
        return CallbackQuery(id="1", from_user=user, chat_instance="c", data=data)

    unpacked = []
    unpack = CallbackData.unpack.__func__

    def counted(cls, value):
        unpacked.append(value)
        return unpack(cls, value)

    monkeypatch.setattr(CallbackData, "unpack", classmethod(counted))
    card = CardCallback(rec_id=5).pack()
    answers = [await f.call(pressed(card)) for f in filters]
    # Only the card's own filter unpacked the data, and it matched as before.
    assert unpacked == [card]
    assert [a for a in answers if a] == [{"callback_data": CardCallback(rec_id=5)}]
    follow = FollowCallback(rec_id=5, on=True)
    answers = [await f.call(pressed(follow.pack())) for f in filters]
    assert [a for a in answers if a] == [{"callback_data": follow}]
