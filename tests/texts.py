"""Assert against text keys, not copied sentences: a wording change in ``ru.toml`` breaks no test.

``expect(key, **params)`` renders the text exactly as the bot sends it (HTML, escaped values,
plural forms).  ``plain(key, **params)`` is the form without markup the bot uses for pop-ups
and alerts.  For a text with parts a test cannot know (a date, an id, a list built elsewhere),
``matches(key, **known)`` is built from the template: its literal fragments in order, the
params given rendered in place, every other param a wildcard::

    assert calls[0].text == expect("start.greeting_new", name="Анна")
    assert alert.params["text"] == plain("fallback.stale_button")
    assert card.text == matches("card.head", number="3")       # the whole message
    assert matches("report.saved").within(calls[-1].text)      # one part of a message
    assert matches("history.line", what=matches("history.status")).within(card.text)

Golden screens — whole messages compared with their Russian wording on purpose — live in
``tests/handlers/test_golden_screens.py``; everything else goes through these helpers.
"""

from __future__ import annotations

import html
import re
import string
from typing import Any

from bot.texts import _TAG, Html, Texts, render

TEXTS = Texts.load()


def expect(key: str, **params: Any) -> Html:
    """The text as the bot sends it (Telegram HTML; a param of another text stays unescaped)."""
    return TEXTS(key, **params)


def plain(key: str, **params: Any) -> str:
    """The text without markup, as the bot puts it in pop-ups, alerts and button texts."""
    return TEXTS.plain(key, **params)


def fragments(key: str) -> list[str]:
    """The template's literal pieces, in order (what stays whatever the params are)."""
    return [literal for literal, *_ in string.Formatter().parse(TEXTS.raw(key)) if literal]


class Matches:
    """A text built from a template, some params left open; ``==`` matches the whole text."""

    def __init__(self, key: str, markup: bool, known: dict[str, Any]) -> None:
        self.key = key
        pieces = []
        for literal, field, spec, _conversion in string.Formatter().parse(TEXTS.raw(key)):
            pieces.append(re.escape(_strip(literal, markup)))
            if field is None:
                continue
            if isinstance(known.get(field), Matches):  # a text inside a text, itself open
                pieces.append(f"(?:{known[field].pattern.pattern})")
            elif field in known:
                placeholder = "{" + field + (f":{spec}" if spec else "") + "}"
                pieces.append(re.escape(_strip(render(placeholder, **known), markup)))
            else:
                pieces.append("(?:.*?)")
        self.pattern = re.compile("".join(pieces), re.DOTALL)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and self.pattern.fullmatch(other) is not None

    def __hash__(self) -> int:
        return hash(self.pattern)

    def within(self, text: str | None) -> bool:
        """The text appears somewhere in ``text`` (a message made of several texts)."""
        return text is not None and self.pattern.search(text) is not None

    def __repr__(self) -> str:
        return f"<text {self.key!r} ~ /{self.pattern.pattern}/>"


def matches(key: str, **known: Any) -> Matches:
    """The text of ``key`` as the bot sends it, with the params not given as wildcards."""
    return Matches(key, markup=True, known=known)


def matches_plain(key: str, **known: Any) -> Matches:
    """As ``matches``, for the form without markup (alerts, pop-ups)."""
    return Matches(key, markup=False, known=known)


def _strip(text: str, markup: bool) -> str:
    return text if markup else html.unescape(_TAG.sub("", text))
