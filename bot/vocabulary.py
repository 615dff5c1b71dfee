"""The addressee-kind vocabulary (one list everywhere) and the abbreviations, from ``content/``."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache

from bot.morph import WORD_RE, head_index, normal_form
from bot.paths import CONTENT_DIR

KINDS_FILE = CONTENT_DIR / "addressee_kinds.json"


class Kind(StrEnum):
    """The kinds of addressee, in the order pickers offer them."""

    REGIONAL_GOVERNMENT = "regional_government"
    LEGISLATURE = "legislature"
    MINISTRY_OR_AGENCY = "ministry_or_agency"
    LOCAL_GOVERNMENT = "local_government"
    PUBLIC_CHAMBER = "public_chamber"
    PUBLIC_COUNCIL = "public_council"
    NGO = "ngo"
    RESOURCE_CENTER = "resource_center"
    BUSINESS = "business"
    MEDIA = "media"
    EDUCATION = "education"
    FEDERAL_BODY = "federal_body"
    OTHER = "other"


KINDS: tuple[Kind, ...] = tuple(Kind)

_QUOTED_RE = re.compile(r"«[^»]*»?|\"[^\"]*\"?|“[^”]*”?")


@dataclass(frozen=True)
class KindInfo:
    kind: str
    label: str
    dative_plural: str
    keywords: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Vocabulary:
    kinds: dict[str, KindInfo]
    priority: dict[str, int]
    federal_markers: tuple[tuple[str, ...], ...]
    federal_override: frozenset[str]
    part_of_heads: tuple[tuple[str, ...], ...]
    legal_forms: tuple[tuple[str, ...], ...]
    organisation_nouns: frozenset[str]
    abbreviations: dict[str, str]


def _lemma_seq(phrase: str) -> tuple[str, ...]:
    return tuple(normal_form(m.group(0)) for m in WORD_RE.finditer(phrase))


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = json.loads(KINDS_FILE.read_text(encoding="utf-8"))
    kinds = {}
    for item in data["kinds"]:
        kinds[item["kind"]] = KindInfo(
            kind=item["kind"],
            label=item["label"],
            dative_plural=item["dative_plural"],
            keywords=tuple(_lemma_seq(k) for k in item["keywords"] if k.strip()),
        )
    missing = set(KINDS) - set(kinds)
    if missing:
        raise ValueError(f"addressee_kinds.json lacks kinds: {sorted(missing)}")
    return Vocabulary(
        kinds=kinds,
        priority={k: i for i, k in enumerate(data["priority"])},
        federal_markers=tuple(_lemma_seq(k) for k in data["federal_markers"]),
        federal_override=frozenset(data["federal_override"]),
        part_of_heads=tuple(_lemma_seq(k) for k in data["part_of_heads"]),
        legal_forms=tuple(_lemma_seq(k) for k in data["legal_forms"]),
        organisation_nouns=frozenset(normal_form(w) for w in data["organisation_nouns"]),
        abbreviations=dict(data["abbreviations"]),
    )


def kind_label(kind: str | None) -> str:
    """Russian label for a picker: "Органы местного самоуправления"."""
    info = vocabulary().kinds.get(kind) if kind else None
    return info.label if info else vocabulary().kinds[Kind.OTHER].label


def kind_dative(kind: str | None) -> str:
    """The kind in the dative plural for sentences: "органам местного самоуправления"."""
    info = vocabulary().kinds.get(kind) if kind else None
    return info.dative_plural if info else vocabulary().kinds[Kind.OTHER].dative_plural


def is_organisation_noun(lemma: str) -> bool:
    return lemma in vocabulary().organisation_nouns


@lru_cache(maxsize=1)
def _organisation_stems() -> tuple[str, ...]:
    # Inflected forms keep the stem: "министерству" starts with "министерств".
    stems = set()
    for lemma in vocabulary().organisation_nouns:
        stem = lemma[:-1] if len(lemma) > 4 and lemma[-1] in "аеиоуыьяй" else lemma
        stems.add(stem[:-1] if stem.endswith("ц") and len(stem) > 4 else stem)
    return tuple(sorted(stems))


def may_be_organisation_noun(word: str) -> bool:
    """Cheap pre-check (no morphology) before ``is_organisation_noun(normal_form(word))``."""
    return word.lower().replace("ё", "е").startswith(_organisation_stems())


def _starts_with(lems: list[str], at: int, seqs: tuple[tuple[str, ...], ...]) -> bool:
    return any(tuple(lems[at : at + len(s)]) == s for s in seqs)


def _contains(lems: list[str], seq: tuple[str, ...]) -> bool:
    n = len(seq)
    return any(tuple(lems[i : i + n]) == seq for i in range(len(lems) - n + 1))


@lru_cache(maxsize=4096)
def classify_addressee(name: str) -> str:
    """The vocabulary kind of an addressee name (any case; best in the nominative).

    The head noun decides ("Министерство …" → ministry_or_agency); for a part of a body
    ("Комиссия … Общественной палаты …") the named owner decides; for a legal form
    ("АНО «Ресурсный центр …»", "Союз «… торгово-промышленная палата»") the quoted name
    decides.  Keyword lemma sequences come from ``content/addressee_kinds.json``.
    """
    vocab = vocabulary()
    words = [(m.group(0), m.start()) for m in WORD_RE.finditer(name)]
    if not words:
        return Kind.OTHER
    lems = [normal_form(w) for w, _ in words]
    quoted_spans = [(m.start(), m.end()) for m in _QUOTED_RE.finditer(name)]
    quoted = [any(a <= pos < b for a, b in quoted_spans) for _, pos in words]
    caps = [w[:1].isupper() for w, _ in words]

    matches: list[tuple[int, int, str]] = []  # start, end (exclusive), kind
    for known, info in vocab.kinds.items():
        for seq in info.keywords:
            n = len(seq)
            for i in range(len(lems) - n + 1):
                if tuple(lems[i : i + n]) == seq:
                    matches.append((i, i + n, known))

    def best(cands: list[tuple[int, int, str]]) -> str | None:
        if not cands:
            return None
        cands.sort(key=lambda m: (m[0], -(m[1] - m[0]), vocab.priority.get(m[2], 99)))
        return cands[0][2]

    head = head_index([w for w, _ in words])
    head = 0 if head is None else head
    unquoted = [m for m in matches if not quoted[m[0]]]
    kind: str | None
    if _starts_with(lems, head, vocab.part_of_heads):
        after = [m for m in unquoted if m[0] > head]
        owners = [m for m in after if caps[m[0]]]
        kind = owners[-1][2] if owners else best(after)
        if kind is None:
            kind = best([m for m in unquoted if m[0] <= head < m[1]])
    elif _starts_with(lems, head, vocab.legal_forms) and any(quoted):
        kind = best([m for m in matches if quoted[m[0]]]) or best(
            [m for m in matches if m[0] <= head < m[1]]
        )
    else:
        covering = [m for m in unquoted if m[0] <= head < m[1]]
        if covering:
            covering.sort(key=lambda m: (-(m[1] - m[0]), vocab.priority.get(m[2], 99)))
            kind = covering[0][2]
        else:
            kind = best(unquoted) or best(matches)
    kind = kind or Kind.OTHER
    # "Администрация Кашинского городского округа", "Комитет архитектуры города Курска":
    # a municipality's body, not the region's (federal cities are regions).
    municipal = any(_contains(lems, m) for m in _MUNICIPAL_MARKERS) or _names_municipality(lems)
    if (
        (
            kind == Kind.REGIONAL_GOVERNMENT
            and lems[head] in ("администрация", "глава")
            and municipal
        )
        or (kind == Kind.MINISTRY_OR_AGENCY and _names_municipality(lems))
        # "Совет МО ГО «Сыктывкар»", "Собрание депутатов … района": a municipality's council.
        or (
            kind in (Kind.OTHER, Kind.LEGISLATURE)
            and lems[head] in _COUNCIL_HEADS
            and _names_municipality(lems)
        )
    ):
        kind = Kind.LOCAL_GOVERNMENT
    # "… субъектов Российской Федерации" names the regions, not a federal body.
    marked = [w for i, w in enumerate(lems) if not _in_subject_phrase(lems, i)]
    if kind in vocab.federal_override and any(_contains(marked, s) for s in vocab.federal_markers):
        kind = Kind.FEDERAL_BODY
    return kind


_MUNICIPAL_MARKERS = (
    ("городской", "округ"),
    ("муниципальный",),
    ("поселение",),
    ("район",),
    ("город",),
    ("г",),
)


_FEDERAL_CITIES = frozenset({"москва", "санкт-петербург", "севастополь"})


_COUNCIL_HEADS = frozenset({"совет", "собрание", "дума"})


def _names_municipality(lems: list[str]) -> bool:
    for i, lemma in enumerate(lems):
        # "МО ГО «Сыктывкар»" (муниципальное образование), "городов-курортов Кисловодска …"
        if lemma == "мо" or lemma.startswith("город-"):
            return True
        if lemma == "город" and i + 1 < len(lems) and lems[i + 1] not in _FEDERAL_CITIES:
            return True
        if lemma == "поселение" or tuple(lems[i : i + 2]) in (
            ("городской", "округ"),
            ("муниципальный", "район"),
            ("муниципальный", "округ"),
            ("муниципальный", "образование"),
        ):
            return True
    return False


def _in_subject_phrase(lems: list[str], i: int) -> bool:
    """Is ``lems[i]`` part of "субъект(ов) Российской Федерации" / "субъектов РФ"?"""
    for start in range(max(0, i - 2), i + 1):
        if lems[start] == "субъект" and start < i <= start + 2:
            return True
    return False


@lru_cache(maxsize=1)
def _abbreviation_re() -> re.Pattern[str]:
    keys = sorted(vocabulary().abbreviations, key=len, reverse=True)
    alternation = "|".join(re.escape(k).replace(r"\ ", r"\s+") for k in keys)
    return re.compile(rf"(?<![\w-])(?:{alternation})(?![\w-])")


@lru_cache(maxsize=1)
def abbreviation_first_words() -> frozenset[str] | None:
    """The first word (``WORD_RE`` token) of every abbreviation ``expand_abbreviations``
    knows: a text none of whose words is one of these has nothing to expand.  None when an
    abbreviation does not start with such a word or has a hyphen (then no shortcut holds)."""
    firsts = set()
    for key in vocabulary().abbreviations:
        word = WORD_RE.match(key)
        if word is None or "-" in key:
            return None
        firsts.add(word.group(0))
    return frozenset(firsts)


def expand_abbreviations(text: str) -> str:
    """Replace known abbreviations (НКО, СО НКО, ОМСУ, ТОС …) with their expansions."""
    abbreviations = vocabulary().abbreviations

    def repl(match: re.Match[str]) -> str:
        key = re.sub(r"\s+", " ", match.group(0))
        return abbreviations.get(key, match.group(0))

    return _abbreviation_re().sub(repl, text)
