"""Subjects of the Russian Federation: names, time zones, cities, and finding them in text.

The data lives in ``content/regions.json``.  Matching works on lemmas, so "Амурской
области", "в г. Благовещенске" and "Петропавловске-Камчатском" all find their region.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import lru_cache

from bot.morph import WORD_RE, is_abbreviation, normal_form, parse
from bot.paths import CONTENT_DIR

REGIONS_FILE = CONTENT_DIR / "regions.json"

# "г." / "город" before a city name: needed for names that are also ordinary words.
_CITY_MARKERS = frozenset({"г", "город", "гор"})
_CAMEL_GLUE_RE = re.compile(r"(?<=[а-яё])(?=[А-ЯЁ][а-яё])")


@dataclass(frozen=True)
class Region:
    name: str
    tz: str
    cities: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class RegionMatch:
    region: Region
    start: int  # character offsets in the searched text
    end: int
    kind: str  # "name" | "alias" | "city"
    label: str  # the canonical name, alias or city that matched


@dataclass(frozen=True)
class _Pattern:
    lemmas: tuple[str, ...]
    region: Region
    kind: str
    label: str
    exact: str | None  # surface form required (abbreviations such as ДНР, СПб)
    needs_marker: bool  # a city name that is also a common word or a person's name


def _split(text: str) -> list[tuple[str, int, int]]:
    return [(m.group(0), m.start(), m.end()) for m in WORD_RE.finditer(text)]


def _is_exact_alias(alias: str) -> bool:
    return " " not in alias and (is_abbreviation(alias) or alias[1:] != alias[1:].lower())


def _city_is_ambiguous(city: str) -> bool:
    if " " in city or "-" in city:
        return False
    parses = parse(city)
    return not parses or "Geox" not in parses[0].tag


@lru_cache(maxsize=1)
def all_regions() -> tuple[Region, ...]:
    data = json.loads(REGIONS_FILE.read_text(encoding="utf-8"))
    return tuple(
        Region(
            name=item["name"],
            tz=item["tz"],
            cities=tuple(item.get("cities", ())),
            aliases=tuple(item.get("aliases", ())),
        )
        for item in data["regions"]
    )


@lru_cache(maxsize=1)
def _by_name() -> dict[str, Region]:
    return {r.name.lower(): r for r in all_regions()}


def region_by_name(name: str | None) -> Region | None:
    if not name:
        return None
    return _by_name().get(name.strip().lower())


@lru_cache(maxsize=1)
def _index() -> dict[str, list[_Pattern]]:
    """First lemma → patterns starting with it, longest first."""
    index: dict[str, list[_Pattern]] = {}

    def add(text: str, region: Region, kind: str) -> None:
        words = [w for w, _, _ in _split(text)]
        if not words:
            return
        exact = text if kind == "alias" and _is_exact_alias(text) else None
        pattern = _Pattern(
            lemmas=tuple(_region_lemma(w) for w in words),
            region=region,
            kind=kind,
            label=text,
            exact=exact,
            needs_marker=kind == "city" and _city_is_ambiguous(text),
        )
        index.setdefault(pattern.lemmas[0], []).append(pattern)

    for region in all_regions():
        add(region.name, region, "name")
        for alias in region.aliases:
            add(alias, region, "alias")
        for city in region.cities:
            add(city, region, "city")
    rank = {"name": 0, "alias": 1, "city": 2}
    for patterns in index.values():
        patterns.sort(key=lambda p: (-len(p.lemmas), rank[p.kind]))
    return index


def _region_lemma(word: str) -> str:
    """The adjective's lemma when the word can be one: "Тверская" is also a street's name
    (a noun) to the dictionary, "Тверской области" is not."""
    for p in parse(word):
        if p.tag.POS == "ADJF":
            lemma: str = p.normal_form
            return lemma.replace("ё", "е")
    return normal_form(word)


def find_regions(text: str) -> list[RegionMatch]:
    """Every mention of a region (by name, alias or city) in ``text``, in order."""
    if not text:
        return []
    # Glued words ("вАмурской") would hide the name: split a lowercase-uppercase seam.
    text = _CAMEL_GLUE_RE.sub(" ", text)
    words = _split(text)
    lems = [_region_lemma(w) for w, _, _ in words]
    index = _index()
    found: list[RegionMatch] = []
    i = 0
    while i < len(words):
        matched = None
        for pattern in index.get(lems[i], ()):
            n = len(pattern.lemmas)
            if tuple(lems[i : i + n]) != pattern.lemmas:
                continue
            surface = text[words[i][1] : words[i + n - 1][2]]
            if pattern.exact is not None and surface != pattern.exact:
                continue
            if pattern.kind == "city":
                if not surface[:1].isupper():
                    continue
                if pattern.needs_marker and (i == 0 or lems[i - 1] not in _CITY_MARKERS):
                    continue
            matched = RegionMatch(
                pattern.region, words[i][1], words[i + n - 1][2], pattern.kind, pattern.label
            )
            i += n
            break
        if matched is None:
            i += 1
        else:
            found.append(matched)
    return found


def find_region_in_text(text: str) -> Region | None:
    """The first region named in ``text`` (by name, alias or one of its cities), or None."""
    matches = find_regions(text)
    return matches[0].region if matches else None


def find_city_in_text(text: str) -> RegionMatch | None:
    """The first city mentioned in ``text`` (``label`` is the city's nominative name)."""
    for match in find_regions(text):
        if match.kind == "city":
            return match
    return None


def _fold(text: str) -> str:
    return text.lower().replace("ё", "е")


def _words(text: str) -> list[str]:
    return [_fold(w) for w in re.split(r"[\s\-—–().,]+", text) if w]


def search_regions(query: str, limit: int = 10) -> list[Region]:
    """Regions for a picker: "амур" → Амурская область, "камч" → Камчатский край.

    Every word of the query must start a word of the region's name, an alias or a city;
    a match on the name ranks first, then aliases, then cities, then substrings.
    """
    q_words = _words(query or "")
    if not q_words:
        return []
    q_joined = " ".join(q_words)
    scored: list[tuple[tuple[int, int, str], Region]] = []
    for region in all_regions():
        best: tuple[int, int] | None = None
        fields = [(0, region.name)] + [(1, a) for a in region.aliases]
        fields += [(2, c) for c in region.cities]
        for rank, value in fields:
            words = _words(value)
            if all(any(w.startswith(q) for w in words) for q in q_words):
                first = 0 if words and words[0].startswith(q_words[0]) else 1
                cand = (rank * 2 + first, len(value))
            elif q_joined in _fold(value):
                cand = (10 + rank, len(value))
            else:
                continue
            if best is None or cand < best:
                best = cand
        if best is not None:
            scored.append(((best[0], best[1], region.name), region))
    if not scored:
        return _search_loosely(q_words, query, limit)
    scored.sort(key=lambda item: item[0])
    return [region for _, region in scored[:limit]]


# Words people put around a region's name in a picker: "в Амурской области", "из г. Тынды".
_PICKER_FILLER = frozenset({"в", "во", "из", "на", "по", "для", "у", "г", "гор", "город"})
_SLIP_MIN_LEN = 4  # shorter words must be a prefix: "обл", "респ"
_SLIP_RATIO = 0.8


@lru_cache(maxsize=1)
def _field_words() -> tuple[tuple[Region, tuple[tuple[int, tuple[str, ...]], ...]], ...]:
    """Each region's name, aliases and cities as words, folded and as lemmas."""
    out = []
    for region in all_regions():
        fields = [(0, region.name)] + [(1, a) for a in region.aliases]
        fields += [(2, c) for c in region.cities]
        rows = []
        for rank, value in fields:
            words = _words(value)
            rows.append(
                (rank, tuple(dict.fromkeys(words + [_fold(_region_lemma(w)) for w in words])))
            )
        out.append((region, tuple(rows)))
    return tuple(out)


def _word_fit(q: str, q_lemma: str, words: tuple[str, ...], slips: bool) -> float:
    """1.0 when ``q`` (or its lemma) starts one of ``words``; with ``slips``, the best
    similarity above the bar; else 0."""
    best = 0.0
    for w in words:
        if w.startswith(q) or w.startswith(q_lemma):
            return 1.0
        if slips and len(q) >= _SLIP_MIN_LEN:
            ratio = SequenceMatcher(None, q, w).ratio()
            if ratio >= _SLIP_RATIO:
                best = max(best, ratio)
    return best


def _search_loosely(q_words: list[str], query: str, limit: int) -> list[Region]:
    """The picker's second try: case forms ("Амурской обл", "из Благовещенска"), then slips
    ("Тверьская", "облать")."""
    found: list[Region] = [m.region for m in find_regions(query)]
    words = [w for w in q_words if w not in _PICKER_FILLER] or q_words
    lemmas = [_fold(_region_lemma(w)) for w in words]
    for slips in (False, True):
        scored: list[tuple[tuple[float, int, str], Region]] = []
        for region, rows in _field_words():
            best: tuple[float, int] | None = None
            for rank, fwords in rows:
                fits = [
                    _word_fit(q, ql, fwords, slips) for q, ql in zip(words, lemmas, strict=True)
                ]
                if all(fits):
                    cand = (-sum(fits), rank)
                    best = cand if best is None or cand < best else best
            if best is not None:
                scored.append(((best[0], best[1], region.name), region))
        scored.sort(key=lambda item: item[0])
        found += [region for _, region in scored if region not in found]
        if found:
            break
    return list(dict.fromkeys(found))[:limit]
