"""``arranged`` lays buttons out as aiogram's keyboard builder does, without the builder."""

from __future__ import annotations

import pytest
from aiogram.utils.keyboard import InlineKeyboardBuilder

from handlers.callbacks import CardCallback
from handlers.keyboards import arranged


@pytest.mark.parametrize("sizes", [(), (1,), (3,), (5, 3), (2, 2, 1), (2, 2, 2, 1, 1)])
@pytest.mark.parametrize("count", [0, 1, 2, 5, 7, 11])
def test_rows_are_the_builders(count, sizes):
    buttons = [(str(i), CardCallback(rec_id=i)) for i in range(count)]
    builder = InlineKeyboardBuilder()
    for text, data in buttons:
        builder.button(text=text, callback_data=data)
    builder.adjust(*sizes)
    assert arranged(buttons, *sizes) == builder.as_markup()
