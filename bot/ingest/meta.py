"""Document metadata: title, date of adoption, place and region."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass

from bot.ingest.addressees import Group, parse_groups
from bot.ingest.deadlines import DateMatch, find_dates
from bot.morph import normal_form
from bot.regions import find_city_in_text, find_region_in_text, find_regions

_MAX_TITLE_LINE = 250
_LIST_MARKER_RE = re.compile(r"^(?:\d{1,3}[.)](?![\d.])|\d{1,3}\.\d{1,3}\s|[а-яa-z]\)|[-·]\s)")
_EVENT_VERB_RE = re.compile(
    r"\b(?:состоял[а-я]*|прош(?:ел|ёл|ла|ли)|проходил[а-я]*|проведен[а-я]*|принят[а-я]*"
    r"|состоится)\b",
    re.IGNORECASE,
)
_PLACE_MARKER_RE = re.compile(r"(?:^|[\s,(])(?:г\.|город|гор\.)\s*[А-ЯЁ]")
_EVENT_NOUNS = (
    ("конференция", "конференции"),
    ("форум", "форума"),
    ("съезд", "съезда"),
    ("совещание", "совещания"),
    ("семинар", "семинара"),
    ("слушание", "слушаний"),
    ("заседание", "заседания"),
    ("стол", "круглого стола"),
    ("собрание", "собрания"),
    ("сессия", "сессии"),
)


@dataclass
class Meta:
    title: str
    title_end: int  # index of the first line after the title block
    date: dt.date | None
    place: str | None
    region: str | None
    date_line: int | None
    scope: str | None = None  # "Российская Федерация" for a federal body's document


def _day_dates(line: str) -> list[DateMatch]:
    return [d for d in find_dates(line) if d.precision == "day"]


def _date_line_rest(line: str) -> tuple[DateMatch, str] | None:
    """A line that is just a date (and maybe a place): "23 декабря 2015 г.  г. Благовещенск"."""
    if len(line) > 140:
        return None
    dates = _day_dates(line)
    if len(dates) != 1:
        return None
    d = dates[0]
    rest = (line[: d.start] + " " + line[d.end :]).strip(" ,.;–—-")
    if len(rest) > 60:
        return None
    return d, re.sub(r"\s+", " ", rest)


def find_title(lines: list[str]) -> tuple[str, int]:
    i = 0
    while i < len(lines) and not lines[i]:
        i += 1
    parts: list[str] = []
    while i < len(lines) and lines[i] and len(parts) < 10:
        line = lines[i]
        # A title has no colon at the end and no list marker: those lines open the body.
        if (
            _date_line_rest(line) is not None
            or len(line) > _MAX_TITLE_LINE
            or line.endswith(":")
            or _LIST_MARKER_RE.match(line)
        ):
            break
        parts.append(line)
        i += 1
    if not parts and i < len(lines):
        first = lines[i]
        sentence = re.split(r"(?<=[.!?])\s", first, maxsplit=1)[0]
        return sentence[:150].rstrip(" :"), i
    return re.sub(r"\s+", " ", " ".join(parts)).strip(), i


FEDERAL_SCOPE = "Российская Федерация"
_FEDERAL_TITLE_RE = re.compile(
    r"(?:Общественн\w+\s+палат\w+|Государственн\w+\s+Дум\w+|Совет\w*\s+Федерации"
    r"|Правительств\w+|Президент\w*)\s+Российской\s+Федерации|Общественн\w+\s+палат\w+\s+РФ"
)


_SUBJECT_WORD_RE = re.compile(r"област|кра[йя]|республик|округ|Республик", re.IGNORECASE)


def _region_line(lines: list[str], start: int) -> str | None:
    """A header line that starts with a region: "Тульская область, Щёкинский район"."""
    for i in range(start, min(len(lines), start + 8)):
        line = lines[i]
        if not line or len(line) > 100 or _LIST_MARKER_RE.match(line):
            continue
        found = find_regions(line)
        if (
            found
            and found[0].kind in ("name", "alias")
            and found[0].start == 0
            and _SUBJECT_WORD_RE.search(line[: found[0].end])
        ):
            return line.strip(" ,.")
    return None


def _place_from_rest(rest: str) -> str | None:
    rest = rest.strip(" ,.;")
    if rest and (_PLACE_MARKER_RE.search(" " + rest) or find_regions(rest)):
        return rest
    return None


def _header_place(lines: list[str], start: int, skip: int | None) -> str | None:
    for i in range(start, min(len(lines), start + 15)):
        line = lines[i]
        if len(line) > 200:
            break
        if not line or i == skip:
            continue
        # A city, by marker ("г. Москва") or by name ("Санкт-Петербург, Кирпичный пер.").
        if _PLACE_MARKER_RE.search(" " + line) or any(
            m.label in m.region.cities for m in find_regions(line)
        ):
            parts = [line]
            j = i + 1
            while parts[-1].endswith(",") and j < len(lines) and lines[j] and len(lines[j]) < 80:
                parts.append(lines[j])
                j += 1
            return " ".join(parts).strip(" ,")
    return None


def _event_date_and_place(text: str) -> tuple[dt.date | None, str | None]:
    for m in _EVENT_VERB_RE.finditer(text):
        window_after = text[m.end() : m.end() + 120]
        dates = _day_dates(window_after)
        date = dates[0].date if dates else None
        if date is None:
            before = text[max(0, m.start() - 100) : m.start()]
            prior = _day_dates(before)
            date = prior[-1].date if prior else None
        if date is None:
            continue
        sentence = text[max(0, m.start() - 100) : m.end() + 160]
        city = find_city_in_text(sentence)
        return date, city.label if city else None
    return None, None


_GATHERING_RE = re.compile(
    r"форум|конференци|съезд|кругл\w*\s+стол|семинар|совещани|сл[её]т|фестивал|конгресс"
    r"|ассамбле|стратегическ\w*\s+сесси",
    re.IGNORECASE,
)


def is_gathering(title: str, lead_text: str | None) -> bool:
    """A forum, conference, round table …: its items without an addressee are its
    participants'.  A body's decision, a hearing's conclusion or an appeal is not."""
    return bool(_GATHERING_RE.search(title) or _GATHERING_RE.search(lead_text or ""))


_APPEAL_TITLE_RE = re.compile(
    r"^\s*ОБРАЩЕНИЕ\b.*?\sк\s+(?P<who>[А-ЯЁ][^«»:;.]{3,120})$", re.I | re.S
)
_YOU_REQUEST_RE = re.compile(r"\b(?:[Пп]росим|[Пп]редлагаем|[Рр]екомендуем)\s+Вас\b")


def appeal_addressee(title: str, text: str) -> Group | None:
    """ "ОБРАЩЕНИЕ … к Губернатору Архангельской области" whose body asks "Просим Вас: …":
    the items that name nobody are asked of the appeal's addressee."""
    m = _APPEAL_TITLE_RE.match(title)
    if m is None or not _YOU_REQUEST_RE.search(text):
        return None
    found = parse_groups(m["who"].strip(), frozenset({"datv"}))
    if found is None or found.terminator not in ("end", "period") or len(found.groups) != 1:
        return None
    return found.groups[0]


def participants_name(lead_text: str | None, text: str, title: str) -> str:
    """ "Участники конференции" / "Участники Форума" — who adopted the document."""
    pattern = re.compile(r"\b[Уу]частник[а-я]*\s+((?:[А-ЯЁа-яё-]+\s+){0,2}?[А-ЯЁа-яё-]+)")
    for source in (lead_text or "", *[ln for ln in text.split("\n") if len(ln) < 80], text):
        for m in pattern.finditer(source):
            words = m.group(1).split()
            picked: list[str] = []
            for w in words:
                picked.append(w)
                lemma = normal_form(w)
                if any(lemma == noun for noun, _ in _EVENT_NOUNS):
                    return "Участники " + " ".join(picked)
    low_title = title.lower()
    for noun, genitive in _EVENT_NOUNS:
        if genitive.split()[-1] in low_title or noun in low_title:
            return f"Участники {genitive}"
    return "Участники"


def extract_meta(lines: list[str], text: str) -> Meta:
    title, title_end = find_title(lines)
    date: dt.date | None = None
    place: str | None = None
    date_line: int | None = None
    candidates = list(range(title_end, min(len(lines), title_end + 25)))
    candidates += list(range(max(title_end, len(lines) - 8), len(lines)))
    for i in candidates:
        found = _date_line_rest(lines[i]) if lines[i] else None
        if found is not None:
            date, date_line = found[0].date, i
            place = _place_from_rest(found[1])
            break
    if place is None:
        place = _region_line(lines, title_end) or _header_place(lines, title_end, date_line)
    if date is None or place is None:
        event_date, event_place = _event_date_and_place(text)
        date = date or event_date
        place = place or event_place
    region = find_region_in_text(title)
    if region is None and place:
        region = find_region_in_text(place)
    if region is None:
        counts = Counter(m.region.name for m in find_regions(text))
        if counts:
            name, n = counts.most_common(1)[0]
            region_name = name if n >= 2 else None
        else:
            region_name = None
    else:
        region_name = region.name
    scope = None
    if _FEDERAL_TITLE_RE.search(title) and find_region_in_text(title) is None:
        scope, region_name = FEDERAL_SCOPE, None
    return Meta(title, title_end, date, place, region_name, date_line, scope)
