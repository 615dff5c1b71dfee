"""Deadlines as a coordinator types them: «до 31 марта 2027», «31.03», «через две недели»,
«конец квартала», «31.12.2026» — or «нет» to remove the deadline.

Full dates are read by the parser's own date understanding (``bot.ingest.deadlines``), so a
date means the same in a document and in a chat; this module adds only what people type and
documents do not: a date without a year, a term counted from today, the end of this quarter.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.ingest.deadlines import find_dates

CLEAR_WORDS = frozenset(
    {"нет", "без срока", "без даты", "-", "—", "убрать", "убрать срок", "удалить"}
)
_NUMBERS = {
    "один": 1, "одну": 1, "одна": 1, "два": 2, "две": 2, "три": 3, "четыре": 4, "пять": 5,
    "шесть": 6, "семь": 7, "восемь": 8, "девять": 9, "десять": 10, "пару": 2, "полтора": 1.5,
}  # fmt: skip
_UNITS = (("дн", "day"), ("ден", "day"), ("недел", "week"), ("месяц", "month"), ("год", "year"))
_RELATIVE_RE = re.compile(r"^(?:через|в течение)\s+(?:(?P<n>\d{1,3}|[а-я]+)\s+)?(?P<unit>[а-я]+)$")
_SHORT_NUMERIC_RE = re.compile(r"^(?P<d>\d{1,2})[./](?P<m>\d{1,2})(?:[./](?P<y>\d{2}))?$")
_DAY_MONTH_RE = re.compile(r"^(?P<d>\d{1,2})\s+(?P<mon>[а-я]+)$")
_MONTHS = (
    "январ", "феврал", "март", "апрел", "ма", "июн",
    "июл", "август", "сентябр", "октябр", "ноябр", "декабр",
)  # fmt: skip
_PERIOD_END_RE = re.compile(
    r"(?:до\s+|к\s+)?кон(?:ец|ца|цу|це)\s+(следующего\s+)?(квартала|месяца|года)"
)
_LEAD_RE = re.compile(r"^(?:не\s+позднее|не\s+позже|в\s+срок\s+до|до|к|по)\s+")


@dataclass(frozen=True)
class TypedDeadline:
    """What the coordinator meant: a day, or ``None`` for «без срока»."""

    day: dt.date | None
    past: bool = False  # the day is already behind: worth a word before saving


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _add_months(day: dt.date, months: int) -> dt.date:
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _relative(text: str, today: dt.date) -> dt.date | None:
    match = _RELATIVE_RE.match(text)
    if not match:
        return None
    raw = match.group("n")
    count = 1 if raw is None else int(raw) if raw.isdigit() else _NUMBERS.get(raw)
    unit = next((name for stem, name in _UNITS if match.group("unit").startswith(stem)), None)
    if not count or unit is None:
        return None
    if unit == "day":
        return today + dt.timedelta(days=int(count))
    if unit == "week":
        return today + dt.timedelta(days=round(7 * count))
    months = round(count * (12 if unit == "year" else 1))
    return _add_months(today, months)


def _period_end(text: str, today: dt.date) -> dt.date | None:
    """«конец квартала», «конец месяца», «конец года» (this one, or the next one)."""
    match = _PERIOD_END_RE.fullmatch(text)
    if not match:
        return None
    ahead = 1 if match.group(1) else 0
    if match.group(2) == "года":
        return dt.date(today.year + ahead, 12, 31)
    months = 3 if match.group(2) == "квартала" else 1
    first = _add_months(today.replace(day=1), ahead * months)
    last_month = ((first.month - 1) // months + 1) * months if months == 3 else first.month
    return _end_of_month(first.year, last_month)


def _next_occurrence(day: int, month: int, today: dt.date) -> dt.date | None:
    """A day and month without a year: the next such date from today on."""
    for year in (today.year, today.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    return None


def _last_occurrence(day: int, month: int, today: dt.date) -> dt.date | None:
    """A day and month without a year, in the past: the last such date up to today."""
    for year in (today.year, today.year - 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if candidate <= today:
            return candidate
    return None


def _without_year(
    text: str,
    today: dt.date,
    occurrence: Callable[[int, int, dt.date], dt.date | None] = _next_occurrence,
) -> dt.date | None:
    match = _SHORT_NUMERIC_RE.match(text)
    if match:
        day, month = int(match.group("d")), int(match.group("m"))
        if match.group("y"):
            try:
                return dt.date(2000 + int(match.group("y")), month, day)
            except ValueError:
                return None
        return occurrence(day, month, today) if 1 <= month <= 12 else None
    match = _DAY_MONTH_RE.match(text)
    if match:
        month = next(
            (n for n, stem in enumerate(_MONTHS, 1) if match.group("mon").startswith(stem)), 0
        )
        return occurrence(int(match.group("d")), month, today) if month else None
    return None


def _normalised(text: str) -> str:
    return " ".join((text or "").lower().replace("ё", "е").split()).rstrip(".!")


def _one_full_date(text: str, today: dt.date) -> TypedDeadline | None:
    """Full dates as documents write them: the parser's own reading (one date, not a range)."""
    dates = find_dates(text)
    if len(dates) != 1:
        return None
    return TypedDeadline(dates[0].date, dates[0].date < today)


def read_deadline(text: str, today: dt.date) -> TypedDeadline | None:
    """The deadline a person typed, or None when it cannot be understood."""
    text = _normalised(text)
    if text in CLEAR_WORDS:
        return TypedDeadline(None)
    if not text or len(text) > 100:
        return None
    bare = _LEAD_RE.sub("", text)
    for reader in (_relative, _period_end, _without_year):
        day = reader(text, today) or reader(bare, today)
        if day is not None:
            return TypedDeadline(day, day < today)
    return _one_full_date(text, today)


def read_adoption_date(text: str, today: dt.date) -> TypedDeadline | None:
    """The date a document was adopted, as typed: «15 марта», «15.03», «14.03.2026», «нет».

    A document is adopted in the past, so a day without a year is the last such day (a
    deadline's is the next one); terms («через неделю», «конец квартала») are not dates.
    """
    text = _normalised(text)
    if text in CLEAR_WORDS:
        return TypedDeadline(None)
    if not text or len(text) > 100:
        return None
    day = _without_year(text, today, _last_occurrence)
    if day is not None:
        return TypedDeadline(day, day < today)
    return _one_full_date(text, today)
