"""Message texts live in ``content/texts/ru.toml``; this renders them as safe Telegram HTML.

Every value substituted into a template is HTML-escaped unless it is already ``Html``
(a fragment we built ourselves from escaped parts).  A format spec with two bars picks the
Russian plural form: ``"{n} {n:рекомендация|рекомендации|рекомендаций}"``.
"""

from __future__ import annotations

import html
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from bot.paths import CONTENT_DIR

_TAG = re.compile(r"<[^>]+>")


class Html(str):
    """A string that is already valid Telegram HTML and must not be escaped again."""


def escape(value: Any) -> str:
    return value if isinstance(value, Html) else html.escape(str(value), quote=False)


def plural_form(number: int, one: str, few: str, many: str) -> str:
    """Russian agreement: 1 рекомендация, 2 рекомендации, 5 рекомендаций, 21 рекомендация."""
    n = abs(int(number))
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def plural(number: int, forms: str) -> str:
    """``plural(5, "рекомендация|рекомендации|рекомендаций")`` → ``"рекомендаций"``."""
    one, few, many = forms.split("|")
    return plural_form(number, one, few, many)


class _Safe:
    """A template value that escapes itself (or picks a plural form) when formatted.

    ``str.format_map`` with these wrappers does in C what a ``string.Formatter`` subclass
    would do in Python: digests render tens of thousands of lines per run.
    """

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __format__(self, spec: str) -> str:
        if spec.count("|") == 2:
            return plural(self.value, spec)
        if isinstance(self.value, Html) and not spec:
            return self.value
        return escape(format(self.value, spec))


def render(template: str, **params: Any) -> Html:
    return Html(template.format_map({k: _Safe(v) for k, v in params.items()}))


MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024


def join_within(parts: Sequence[str], limit: int = MESSAGE_LIMIT, sep: str = "\n\n") -> Html:
    """Join whole HTML sections, leaving out trailing ones that would pass Telegram's limit.

    Sections are dropped whole, so a tag is never cut in half.
    """
    kept: list[str] = []
    size = 0
    for part in parts:
        extra = len(part) + (len(sep) if kept else 0)
        if size + extra > limit - 2:
            kept.append("…")
            break
        kept.append(part)
        size += extra
    return Html(sep.join(kept))


class Texts:
    """All user-facing strings, by dotted key (``"start.greeting"``)."""

    def __init__(self, templates: Mapping[str, str]) -> None:
        self._templates = dict(templates)

    @classmethod
    def load(cls, path: Path | None = None) -> Texts:
        path = path or CONTENT_DIR / "texts" / "ru.toml"
        with path.open("rb") as fh:
            return cls(_flatten(tomllib.load(fh)))

    def __call__(self, key: str, **params: Any) -> Html:
        return render(self.raw(key), **params)

    def plain(self, key: str, **params: Any) -> str:
        """The text without markup, for places Telegram shows as is (button pop-ups)."""
        return html.unescape(_TAG.sub("", self(key, **params)))

    def raw(self, key: str) -> str:
        try:
            return self._templates[key]
        except KeyError:
            raise KeyError(f"no text {key!r} in content/texts") from None

    def names(self) -> list[str]:
        return sorted(self._templates)


def _flatten(data: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in data.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, f"{name}."))
        else:
            flat[name] = str(value)
    return flat
