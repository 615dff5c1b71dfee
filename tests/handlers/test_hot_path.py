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
