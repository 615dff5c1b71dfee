"""Small helpers for human-readable Russian output: dates, deadlines, shortening."""

from __future__ import annotations

import datetime as dt

MONTHS_GENITIVE = (
    "января", "февраля", "марта", "апреля", "мая", "июня",
    "июля", "августа", "сентября", "октября", "ноября", "декабря",
)  # fmt: skip
WEEKDAYS = ("понедельник", "вторник", "среда", "четверг", "пятница", "суббота", "воскресенье")


def human_date(value: dt.date | str | None) -> str:
    """``23 декабря 2015 г.``; empty for None."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value.day} {MONTHS_GENITIVE[value.month - 1]} {value.year} г."


def human_date_weekday(value: dt.date) -> str:
    """``31 марта 2027 г., среда``."""
    return f"{human_date(value)}, {WEEKDAYS[value.weekday()]}"


def human_deadline(value: dt.date | str | None, precision: str | None) -> str:
    """A deadline as precise as it was written: a day, a month or a year."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    if precision == "year":
        return f"до конца {value.year} г."
    if precision == "month":
        return f"до конца {MONTHS_GENITIVE[value.month - 1]} {value.year} г."
    return f"до {human_date(value)}"


def shorten(text: str, limit: int) -> str:
    """Cut at a word boundary and add an ellipsis; never longer than ``limit``."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space > limit * 0.6:
        cut = cut[:space]
    return cut.rstrip(" ,.;:—-") + "…"
