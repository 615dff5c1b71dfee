"""Telegram's formatting turned into styled spans, and the screen that prints them."""

from __future__ import annotations

import io

from bot.tryout.render import entity_spans, html_spans, plain
from bot.tryout.screen import Screen


def test_html_styles_nesting_and_links():
    spans = html_spans(
        '<b>Статус: <i>В работе</i></b>\n<a href="https://t.me/x?start=1">ссылка</a>'
    )
    assert ("Статус: ", "bold") in spans
    assert ("В работе", "bold italic") in spans
    assert plain(spans) == "Статус: В работе\nссылка (https://t.me/x?start=1)"


def test_a_link_whose_text_is_its_address_is_not_repeated():
    assert plain(html_spans('<a href="https://example.org">https://example.org</a>')) == (
        "https://example.org"
    )


def test_entities_count_offsets_in_utf16_units():
    text = "🔔 Важно: сайт"  # the bell takes two UTF-16 units
    entities = [
        {"type": "bold", "offset": 3, "length": 5},
        {"type": "text_link", "offset": 10, "length": 4, "url": "https://example.org"},
    ]
    spans = entity_spans(text, entities)
    assert ("Важно", "bold") in spans
    assert plain(spans) == "🔔 Важно: сайт (https://example.org)"


def test_plain_screen_writes_no_escape_codes_and_indents_non_empty_lines():
    out = io.StringIO()
    Screen(out, styled=False).print([("Жирно", "bold"), ("\n\nдальше", "")], indent="  ")
    assert out.getvalue() == "  Жирно\n\n  дальше\n"


def test_styled_screen_uses_terminal_styles():
    out = io.StringIO()
    screen = Screen(out, styled=True)
    screen.print([("Жирно", "bold")])
    assert "\x1b[1m" in out.getvalue() and "Жирно" in out.getvalue()
