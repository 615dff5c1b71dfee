"""Deadlines and dates in Russian text.

``find_deadline`` returns the first date in an item that reads as a term for doing it:
"до 1 марта 2025 г." (day), "до конца марта 2025 года" (month), "в 2016 году" (year),
"в 2022-2023 гг." (end of the period), an event "17-18 февраля 2016 года" (its last day).
Not deadlines: anything inside quotes (titles of programmes: «… на 2014-2020 годы»), a
period of a named programme or plan ("программы … на 2017-2024 годы"), dates of acts
("Федерального закона от 28.12.2013 № 442-ФЗ"), reference points ("до уровня 2012 года",
"с 2016 года"), and dates before the adoption of the document.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache

from bot.ingest.model import Deadline, Precision

_MONTH_STEMS = (
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("ма", 5),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
)
_MONTH_GEN = (
    r"(?:января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря)"
)
_MONTH_ANY = (
    r"(?:январ[ьяе]|феврал[ьяе]|март[ае]?|апрел[ьяе]|ма[йяе]|июн[ьяе]|июл[ьяе]|август[ае]?"
    r"|сентябр[ьяе]|октябр[ьяе]|ноябр[ьяе]|декабр[ьяе])"
)
_YEAR_WORD = r"(?:\s*(?:года|году|год|г\.|г(?![а-яё])))?"
_PREP = (  # a whole word: the "в" that ends "Псков" is not a preposition
    r"(?:(?<![А-Яа-яЁё])(?:не\s+позднее|не\s+позже|в\s+срок\s+до|в\s+течение|до\s+конца|к\s+концу|по\s+итогам"
    r"|до|к|в|во|на|с|со|по|от|после)\s+)?"
)

_DAY_RE = re.compile(
    rf"{_PREP}[«\"]?(?P<d1>\d{{1,2}})[»\"]?(?:\s*[-–—]\s*(?P<d2>\d{{1,2}}))?\s+(?P<mon>{_MONTH_GEN})"
    rf"\s+(?P<y>\d{{4}}){_YEAR_WORD}",
    re.IGNORECASE,
)
_NUMERIC_RE = re.compile(
    rf"{_PREP}(?P<d>\d{{1,2}})\.(?P<m>\d{{1,2}})\.(?P<y>\d{{4}})(?:\s*(?:года|г\.|г(?![а-яё])))?",
    re.IGNORECASE,
)
_MONTH_RE = re.compile(
    rf"{_PREP}(?P<mon>{_MONTH_ANY})\s+(?P<y>\d{{4}}){_YEAR_WORD}",
    re.IGNORECASE,
)
_QUARTER_RE = re.compile(
    rf"{_PREP}(?P<q>IV|I{{1,3}}|[1-4]|перв[а-я]*|втор[а-я]*|трет[а-я]*|четв[её]рт[а-я]*)"
    rf"(?:-?[а-я]{{1,2}})?\s+квартал[а-я]*\s+(?P<y>\d{{4}}){_YEAR_WORD}",
    re.IGNORECASE,
)
_HALF_RE = re.compile(
    rf"{_PREP}(?P<h>перв|втор|1|2|I|II)[а-я-]*\s+полугоди[а-я]*\s+(?P<y>\d{{4}}){_YEAR_WORD}",
    re.IGNORECASE,
)
_RANGE_RE = re.compile(
    rf"{_PREP}(?P<y1>\d{{4}})\s*[-–—]\s*(?P<y2>\d{{4}})\s*"
    r"(?:гг\.?|г\.\s?г\.?|годы|годах|годов|года|г\.|г(?![а-яё]))",
    re.IGNORECASE,
)
_YEAR_RE = re.compile(
    rf"{_PREP}(?P<y>\d{{4}})\s*(?:годы|годах|годов|года|году|год|гг\.?|г\.|г(?![а-яё]))",
    re.IGNORECASE,
)
_HAS_YEAR_RE = re.compile(r"\d{4}")
_QUOTED_RE = re.compile(r"«[^«»]*»|\"[^\"\n]*\"|“[^”\n]*”|„[^“\n]*“")
# Periods that belong to a programme or plan ("программы … на 2017-2024 годы").
_PROGRAMME_RE = re.compile(
    r"(?:под)?программ|стратеги|концепци|план[аеуыо]?\b|проект[а-я]*\s+«|закон|бюджет"
    r"|плановый\s+период",
    re.IGNORECASE,
)
_REFERENCE_PREPS = frozenset({"с", "со", "по итогам", "от", "после"})
_REFERENCE_BEFORE_RE = re.compile(
    r"(?:уровн[яюеи]|сравнению\s+с|итог[а-я]*|состоянию\s+на|начиная)\s*$", re.IGNORECASE
)
_LAW_BEFORE_RE = re.compile(r"(?:\bот|№)\s*$", re.IGNORECASE)
_LAW_AFTER_RE = re.compile(r"^\s*(?:г\.|года)?\s*(?:№|N\s*\d)")
# "до 1 декабря", "в срок до 1 сентября", "К 5 декабря" with no year: the next such day.
_DAY_NO_YEAR_RE = re.compile(
    rf"(?P<prep>не\s+позднее|не\s+позже|в\s+срок\s+до|до|к)\s+(?P<d>\d{{1,2}})\s+"
    rf"(?P<mon>{_MONTH_GEN})(?![\s,]*\d)(?!\s*\d{{4}})",
    re.IGNORECASE,
)
_PERIODIC_RE = re.compile(
    r"(?<![А-Яа-яЁё])(?P<word>ежегодно|ежеквартально|ежемесячно)(?![А-Яа-яЁё])", re.IGNORECASE
)
_NUMBER_WORDS = {"одного": 1, "двух": 2, "трех": 3, "трёх": 3, "четырех": 4, "четырёх": 4,
                 "пяти": 5, "шести": 6, "десяти": 10, "тридцати": 30}  # fmt: skip
_RELATIVE_RE = re.compile(
    r"в\s+течение\s+(?:(?P<n>\d{1,3}|одного|двух|тр[её]х|четыр[её]х|пяти|шести|десяти"
    r"|тридцати)\s+)?(?P<unit>месяца|месяцев|недели|недель|календарных\s+дней|рабочих\s+дней"
    r"|дней|года|лет)\s+(?:со\s+дня|с\s+даты|с\s+момента|после)[^.;,]{0,80}",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class DateMatch:
    date: dt.date
    precision: Precision
    start: int
    end: int
    phrase: str
    prep: str  # the preposition written before the date ("до", "в" …), lowercased


def _quarter_word(q: str) -> int:
    if q.isdigit():
        return int(q)
    low = q.lower()
    return next(n for stem, n in (("перв", 1), ("втор", 2), ("трет", 3), ("четв", 4))
                if low.startswith(stem))  # fmt: skip


def _month_number(word: str) -> int:
    low = word.lower()
    for stem, number in _MONTH_STEMS:
        if low.startswith(stem):
            return number
    return 0


def _end_of_month(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _prep_of(phrase: str, number_start: int) -> str:
    return re.sub(r"\s+", " ", phrase[:number_start].strip().lower())


def _masked(text: str) -> str:
    """Text with quoted titles blanked out (nested «…» included), same length."""
    if "«" not in text:  # nothing for the loop below to blank
        return _QUOTED_RE.sub(lambda m: " " * len(m.group(0)), text)
    out = list(text)
    depth, start = 0, -1
    for i, ch in enumerate(text):
        if ch == "«":
            if depth == 0:
                start = i
            depth += 1
        elif ch == "»" and depth:
            depth -= 1
            if depth == 0:
                out[start : i + 1] = " " * (i + 1 - start)
    masked = "".join(out)
    return _QUOTED_RE.sub(lambda m: " " * len(m.group(0)), masked)


def _year_ok(year: int) -> bool:
    return 1900 <= year <= 2200


def find_dates(text: str) -> list[DateMatch]:
    """All dates, months, quarters, years and periods in ``text`` (quotes included), in order."""
    return list(_find_dates(text))


@lru_cache(maxsize=512)
def _find_dates(text: str) -> tuple[DateMatch, ...]:
    """Cached: the parser asks again about the same text (with and without the document's
    date); the matches are immutable."""
    return tuple(_scan_dates(text))


def _scan_dates(text: str) -> list[DateMatch]:
    found: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    if not _HAS_YEAR_RE.search(text):
        return found  # every pattern needs a four-digit year

    def free(a: int, b: int) -> bool:
        return all(b <= x or a >= y for x, y in taken)

    def add(m: re.Match[str], date: dt.date | None, precision: Precision, first_group: str) -> None:
        if not free(m.start(), m.end()):
            return
        taken.append((m.start(), m.end()))
        if date is None:
            return
        phrase = m.group(0).strip()
        prep = _prep_of(m.group(0), m.start(first_group) - m.start())
        found.append(DateMatch(date, precision, m.start(), m.end(), phrase, prep))

    for m in _DAY_RE.finditer(text):
        year = int(m.group("y"))
        day = int(m.group("d2") or m.group("d1"))
        date = _safe_date(year, _month_number(m.group("mon")), day) if _year_ok(year) else None
        add(m, date, "day", "d1")
    for m in _NUMERIC_RE.finditer(text):
        year = int(m.group("y"))
        date = _safe_date(year, int(m.group("m")), int(m.group("d"))) if _year_ok(year) else None
        add(m, date, "day", "d")
    for m in _QUARTER_RE.finditer(text):
        year, q = int(m.group("y")), m.group("q").upper()
        quarter = {"I": 1, "II": 2, "III": 3, "IV": 4}.get(q) or _quarter_word(q)
        date = _end_of_month(year, quarter * 3) if _year_ok(year) else None
        add(m, date, "month", "q")
    for m in _HALF_RE.finditer(text):
        year, h = int(m.group("y")), m.group("h").lower()
        month = 6 if h in ("перв", "1", "i") else 12
        date = _end_of_month(year, month) if _year_ok(year) else None
        add(m, date, "month", "h")
    for m in _MONTH_RE.finditer(text):
        year = int(m.group("y"))
        month = _month_number(m.group("mon"))
        date = _end_of_month(year, month) if _year_ok(year) and month else None
        add(m, date, "month", "mon")
    for m in _RANGE_RE.finditer(text):
        y1, y2 = int(m.group("y1")), int(m.group("y2"))
        date = dt.date(y2, 12, 31) if _year_ok(y2) and y1 <= y2 else None
        add(m, date, "year", "y1")
    for m in _YEAR_RE.finditer(text):
        year = int(m.group("y"))
        add(m, dt.date(year, 12, 31) if _year_ok(year) else None, "year", "y")
    found.sort(key=lambda d: d.start)
    return found


def _is_programme_period(masked: str, match: DateMatch) -> bool:
    if match.prep not in ("на", "") or match.precision != "year":
        return False
    clause = re.split(r"[;:.!?]\s", masked[max(0, match.start - 160) : match.start])[-1]
    return bool(_PROGRAMME_RE.search(clause))


def _is_reference(text: str, match: DateMatch) -> bool:
    if match.prep in _REFERENCE_PREPS:
        return True
    before = text[max(0, match.start - 30) : match.start]
    if _REFERENCE_BEFORE_RE.search(before) or _LAW_BEFORE_RE.search(before):
        return True
    return bool(_LAW_AFTER_RE.match(text[match.end : match.end + 12]))


def find_deadline(text: str, adopted: dt.date | None = None) -> Deadline | None:
    """The deadline stated in a recommendation, or None.  With ``adopted``, a day without a
    year ("до 1 декабря") is the next such day on or after it."""
    found = _first_dated(text, adopted)
    return found[1] if found else None


def _first_dated(text: str, adopted: dt.date | None) -> tuple[int, Deadline] | None:
    if not text:
        return None
    masked = _masked(text)
    candidates: list[tuple[int, Deadline]] = []
    for match in find_dates(masked):
        if _is_programme_period(masked, match) or _is_reference(masked, match):
            continue
        if adopted is not None and match.date < adopted:
            continue
        phrase = text[match.start : match.end].strip()
        candidates.append(
            (match.start, Deadline(date=match.date, precision=match.precision, phrase=phrase))
        )
        break
    if adopted is not None:
        for m in _DAY_NO_YEAR_RE.finditer(masked):
            date = next_day_of_year(adopted, _month_number(m["mon"]), int(m["d"]))
            if date is not None:
                phrase = text[m.start() : m.end()].strip()
                candidates.append((m.start(), Deadline(date=date, precision="day", phrase=phrase)))
                break
    return min(candidates, key=lambda c: c[0]) if candidates else None


def next_day_of_year(after: dt.date, month: int, day: int) -> dt.date | None:
    """The first ``day``.``month`` on or after ``after`` (29 February: the next leap year)."""
    for year in range(after.year, after.year + 9):
        date = _safe_date(year, month, day)
        if date is not None and date >= after:
            return date
    return None


def _end_of_quarter(date: dt.date) -> dt.date:
    return _end_of_month(date.year, ((date.month - 1) // 3 + 1) * 3)


def find_term(text: str, adopted: dt.date | None = None) -> Deadline | None:
    """The item's term: a date (``find_deadline``), a recurring one ("ежегодно до 1 марта",
    "ежеквартально": the next occurrence after ``adopted``) or a relative one ("в течение
    месяца со дня опубликования": counted from ``adopted``), whichever the text names first."""
    if not text:
        return None
    candidates: list[tuple[int, Deadline]] = []
    dated = _first_dated(text, adopted)
    if dated is not None:
        candidates.append(dated)
    base = adopted
    m = _PERIODIC_RE.search(_masked(text))
    if m is not None and base is not None:
        word = m["word"].lower()
        follow = dated[1] if dated is not None and 0 <= dated[0] - m.end() <= 12 else None
        if word == "ежегодно" and follow is not None and follow.precision == "day":
            date, phrase, period = follow.date, f"{m['word']} {follow.phrase}", "year"
            candidates = [c for c in candidates if c is not dated]
        elif word == "ежегодно":
            date, phrase, period = dt.date(base.year, 12, 31), m["word"], "year"
        elif word == "ежеквартально":
            date, phrase, period = _end_of_quarter(base), m["word"], "quarter"
        else:
            date, phrase, period = _end_of_month(base.year, base.month), m["word"], "month"
        note = phrase[:1].lower() + phrase[1:]
        precision: Precision = "day" if follow is not None and word == "ежегодно" else "month"
        if period == "year" and follow is None:
            precision = "year"
        candidates.append((m.start(), Deadline(date, precision, phrase, "recurring", note, period)))
    r = _RELATIVE_RE.search(text)
    if r is not None and base is not None:
        date = _add_term(base, r["n"], r["unit"])
        phrase = r.group(0).strip()
        note = f"{phrase} (отсчитано от даты документа)"
        candidates.append((r.start(), Deadline(date, "day", phrase, "relative", note)))
    return min(candidates, key=lambda c: c[0])[1] if candidates else None


def next_occurrence(deadline: dt.date, period: str | None, today: dt.date) -> dt.date:
    """A recurring term's occurrence due now: ``deadline`` until it passes, then the next
    one on or after ``today`` (a year later on the same day, the quarter's or month's end)."""
    if deadline >= today or period not in ("year", "quarter", "month"):
        return deadline
    if period == "quarter":
        return _end_of_quarter(today)
    if period == "month":
        return _end_of_month(today.year, today.month)
    for year in range(deadline.year + 1, today.year + 2):
        day = _safe_date(year, deadline.month, deadline.day) or dt.date(year, deadline.month, 28)
        if day >= today:
            return day
    return deadline


def _add_term(base: dt.date, n: str | None, unit: str) -> dt.date:
    count = 1 if not n else (int(n) if n.isdigit() else _NUMBER_WORDS.get(n.lower(), 1))
    low = unit.lower()
    if low.startswith(("дн", "календ")):
        return base + dt.timedelta(days=count)
    if low.startswith("рабоч"):
        return base + dt.timedelta(days=count + 2 * (count // 5) + 2)
    if low.startswith("недел"):
        return base + dt.timedelta(weeks=count)
    if low.startswith(("год", "лет")):
        return _safe_date(base.year + count, base.month, min(base.day, 28)) or base
    month0 = base.month - 1 + count
    year, month = base.year + month0 // 12, month0 % 12 + 1
    return _safe_date(year, month, min(base.day, calendar.monthrange(year, month)[1])) or base
