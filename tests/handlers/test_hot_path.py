"""The path people wait on: few database trips per update, nothing rebuilt per update."""

from __future__ import annotations

import gc
import weakref

from aiogram.methods import Response
from aiogram.types import Message


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
