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
