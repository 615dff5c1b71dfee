"""Kinds of lines in the body of a resolution, one small test per kind.

``classify_line`` names the kind of a cleaned line; the parser has one step per kind:
- ``num`` "1.", "«1.", "(2)", "– 3)"; ``sub`` "1.1"; ``letter`` "а)"; ``bullet`` "- …";
- ``decision`` "РЕШИЛИ:", "ПОСТАНОВЛЯЕТ:", "… Совет решил:" (what came before is the agenda
  or the preamble);
- ``opener`` "Участники ПРЕДЛАГАЮТ:", "Рекомендовать:", "… считают необходимым:";
- ``stop`` "СЛУШАЛИ:", "Повестка дня:", a signature ("Председатель …", "И.И. Петров");
- ``recipients`` "Направить настоящие рекомендации в X, Y" (the document's recipients);
- ``procedural`` "Информацию принять к сведению", "Контроль за исполнением … возложить";
- ``preamble`` "Заслушав …", "Рассмотрев …", "Обсудив …";
- ``text`` anything else (headings, lead-ins and items are told apart by the parser).
"""

from __future__ import annotations

import re

from bot.ingest.addressees import (
    Group,
    LeadIn,
    normalise_rest,
    parse_groups,
    parse_heading,
    parse_lead_in,
    to_nominative_name,
)
from bot.morph import is_finite_verb, is_infinitive

NUM_RE = re.compile(r"^[«\"“„'(\[–—-]*\s*(\d{1,3}|[IVX]{1,4})\s?[.)\]](?![\d.])\s*(.*)$")
SUB_RE = re.compile(r"^(\d{1,3})\.(\d{1,3})(?:\.\d{1,3})*[.)]?(?:\s+|$)(.*)$")
LETTER_RE = re.compile(r"^([а-яё]|[a-z])\)\s*(.*)$")
BULLET_RE = re.compile(r"^[·-]\s+(.*)$")

_DECISION_RE = re.compile(
    r"(?:^|[\s,])(?:РЕШИЛИ|РЕШИЛ|РЕШИЛА|РЕШАЕТ|РЕШАЮТ|ПОСТАНОВЛЯЕТ|ПОСТАНОВЛЯЮТ|ПОСТАНОВИЛИ"
    r"|ПОСТАНОВИЛ|ПОСТАНОВИЛА)\s*:?\s*$"
    r"|(?:^|[\s,])(?:решил|решила|решили|решает|постановил|постановила|постановили"
    r"|постановляет)\s*:\s*$"
)
_OPENER_RE = re.compile(
    r"(?:^|[\s,])(?:РЕКОМЕНДУЕТ|РЕКОМЕНДУЮТ|ПРЕДЛАГАЕТ|ПРЕДЛАГАЮТ|ПРОСИТ|ПРОСЯТ|ОБРАЩАЕТСЯ"
    r"|ОБРАЩАЮТСЯ|СЧИТАЕТ\s+НЕОБХОДИМЫМ|СЧИТАЮТ\s+НЕОБХОДИМЫМ)\s*:?\s*$"
    r"|(?:^|[\s,])(?:[Рр]екомендует|[Рр]екомендуют|[Пп]редлагает|[Пп]редлагают|[Рр]екомендовать"
    r"|[Пп]редложить|[Пп]росить|[Пп]росит|[Пп]росят|считает\s+(?:необходимым|важным)"
    r"|считают\s+(?:необходимым|важным))\s*:\s*$"
)
_STOP_RE = re.compile(
    r"^(?:Приложение|Исп\.|Исполнитель:|[Тт]ел\.|Председатель(?:ствующий|ствовал)?\b"
    r"|Секретарь\b|Заместитель\s+председателя\b|Руководитель\s+аппарата\b)"
)
# Parts of a protocol that are not its decisions.
_PROTOCOL_PART_RE = re.compile(
    r"^(?:СЛУШАЛИ|ВЫСТУПИЛИ|ГОЛОСОВАЛИ|Слушали|Выступили|Голосовали|Повестка\s+дня|ПОВЕСТКА"
    r"|Присутствовали|ПРИСУТСТВОВАЛИ|Приглашенные|Приглашённые)\b"
)
_INITIALS_END_RE = re.compile(
    r"(?:[А-ЯЁ]\.\s?[А-ЯЁ]\.\s?[А-ЯЁ][а-яё]+(?:-[А-ЯЁ][а-яё]+)?|[А-ЯЁ][а-яё]+\s+[А-ЯЁ]\.\s?[А-ЯЁ]\.?)$"
)
PROCEDURAL_RE = re.compile(
    r"^(?:Информаци\w*(?:\s+\S+){0,6}\s+принять\s+к\s+сведению|Принять\s+к\s+сведению"
    r"|Контроль\s+за\s+(?:исполнением|выполнением)|(?:Следующее|Очередное)\s+заседание"
    r"|Принято\s+единогласно|(?:Настоящее\s+)?[Рр]ешение\s+вступает|Опубликовать\s+настоящ"
    r"|Разместить\s+настоящ)",
    re.IGNORECASE,
)
_RECIPIENTS_RE = re.compile(
    r"^Направить\s+(?:настоящ\w+\s+|данн\w+\s+|эт\w+\s+)?(?:решение|рекомендаци\w+|резолюци\w+"
    r"|обращение|заключение|итогов\w+\s+документ|документ|предложени\w+|материал\w+|протокол)"
    r"(?:\s+для\s+\w+)?\s+(?:в\s+адрес\s+|в\s+|во\s+)?(?P<rest>.+?)\.?$",
    re.IGNORECASE,
)
_PREAMBLE_RE = re.compile(
    r"^(?:Заслушав|Рассмотрев|Обсудив|Руководствуясь|Учитывая|Отмечая|Принимая\s+во\s+внимание"
    r"|В\s+соответствии\s+с|Мы,)\b"
)
_INLINE_VERB_RE = re.compile(
    r"(?<![А-Яа-яЁё])(?P<verb>рекомендовать|рекомендует|рекомендуют|рекомендуем|предлагает"
    r"|предлагают|предлагаем|просит|просят|просим|обращаются\s+к|обращается\s+к|обращаемся\s+к"
    r"|обратиться\s+к)\s+",
)
_SENTENCE_START_RE = re.compile(r"(?:^|(?<=[.!?;])\s+)(?=[А-ЯЁ«\"])")


_WRAP_END_RE = re.compile(r"[.;:!?]$")


def join_wrapped(lines: list[str]) -> list[str]:
    """A paragraph broken over lines (text from a PDF or a narrow column): a line that starts
    with a small letter continues the one above when that one does not end a sentence or a
    list's lead-in ("… Ханты-Мансийского" / "автономного округа – Югры до 1 июня …")."""
    out: list[str] = []
    for line in lines:
        prev = out[-1] if out else ""
        if (
            prev
            and not _WRAP_END_RE.search(prev)
            and ((line[:1].islower() and not LETTER_RE.match(line)) or _item_goes_on(prev, line))
        ):
            out[-1] = f"{prev} {line}"
        else:
            out.append(line)
    return out


_MARKER_RES = (NUM_RE, SUB_RE, LETTER_RE, BULLET_RE)


def _item_goes_on(prev: str, line: str) -> bool:
    """ "– предусмотреть софинансирование проектов общин коренных малочисленных народов" /
    "Севера, реализуемых …": an item cut in the middle of a word group goes on, even with a
    capital (a proper name), unless the next line is an item, a heading or a lead-in."""
    if not prev[-1:].isalpha() or not prev[-1:].islower():
        return False
    if not any(r.match(prev) for r in _MARKER_RES) or any(r.match(line) for r in _MARKER_RES):
        return False
    if classify_text(line) != "text" or parse_heading(line) is not None:
        return False
    return parse_lead_in(line) is None


_SECTION_WORD_RE = re.compile(r"[А-Яа-яЁё]+")


def is_section_title(text: str) -> bool:
    """ "Добровольчество", "Молодёжное предпринимательство": a short title over a group of
    items (after "I." or "2."), naming no addressee and asking nothing."""
    words = _SECTION_WORD_RE.findall(text)
    if not words or len(words) > 8 or not text[:1].isupper() or text[-1:] in ".;:,!?":
        return False
    if any(is_infinitive(w) or is_finite_verb(w) for w in words):
        return False
    return parse_groups(text, frozenset({"datv"})) is None


def is_signature(text: str) -> bool:
    """ "Председатель …   А.В. Кузьмичёв", "Исп. Смирнова А.А.": a name with initials."""
    return len(text) < 160 and bool(_INITIALS_END_RE.search(text.rstrip(" ")))


def classify_text(text: str) -> str:
    """The kind of an unmarked line (see the module's docstring)."""
    if _DECISION_RE.search(text) and len(text) < 600:
        return "decision"
    if _RECIPIENTS_RE.match(text):
        return "recipients"
    if PROCEDURAL_RE.match(text):
        return "procedural"
    if _OPENER_RE.search(text) and len(text) < 600:
        return "opener"
    if _PROTOCOL_PART_RE.match(text):
        return "stop"
    if (_STOP_RE.match(text) and len(text) < 200 and not text.endswith(".")) or is_signature(text):
        return "stop"
    if _PREAMBLE_RE.match(text):
        return "preamble"
    return "text"


def parse_recipients(text: str) -> list[str]:
    """The bodies a line "Направить … в X, Y и Z" sends the document to, in the nominative."""
    m = _RECIPIENTS_RE.match(re.sub(r"^\d{1,3}[.)]\s*", "", text.strip()))
    if m is None:
        return []
    rest = re.sub(r"\s+для\s+(?:сведения|рассмотрения|использования\s+в\s+работе)$", "", m["rest"])
    out: list[str] = []
    for part in re.split(r",\s*|\s+и\s+(?=[А-ЯЁ])|;\s*", rest):
        part = re.sub(r"^(?:в|во|в\s+адрес)\s+", "", part.strip(" .;"))
        if len(part) < 3:
            continue
        name = to_nominative_name(part)
        if name and name not in out:
            out.append(name)
    return out


_PASSIVE_INLINE_RE = re.compile(
    r"(?<![А-Яа-яЁё])(?:рекомендуется|предлагается)\s+(?=[а-яё])", re.IGNORECASE
)
_PARTICIPANTS_RE = re.compile(r"^(?:е[её]|их|его)?\s*участникам$", re.IGNORECASE)


def find_passive_lead(text: str) -> tuple[LeadIn, int] | None:
    """ "…, ее участникам рекомендуется использовать …" inside a sentence: the dative right
    before the verb is the addressee (the document's own participants: no named body)."""
    for m in _PASSIVE_INLINE_RE.finditer(text):
        before = text[: m.start()].rstrip()
        words = list(re.finditer(r"[А-Яа-яЁё«»\"-]+", before))
        best: tuple[LeadIn, int] | None = None
        # The longest dative group that ends at the verb, within the clause.
        for k in range(len(words) - 1, max(-1, len(words) - 9), -1):
            start = words[k].start()
            if re.search(r"[,;:.]", before[words[k].end() :]):
                break
            found = parse_groups(before[start:] + " " + text[m.start() :], frozenset({"datv"}))
            if found is None or found.terminator != "verb":
                continue
            if found.rest.lower().startswith(("рекомендуется", "предлагается")):
                best = (found, start)
        if best is None:
            continue
        found, start = best
        phrase = " ".join(g.text for g in found.groups)
        groups = [] if _PARTICIPANTS_RE.match(phrase) else found.groups
        rest = text[m.end() :].strip()
        starts = [s.end() for s in _SENTENCE_START_RE.finditer(text[:start])]
        return LeadIn(groups, rest, "infn", "рекомендовать"), (starts[-1] if starts else 0)
    return None


def find_inline_lead(text: str) -> tuple[LeadIn, int] | None:
    """A recommending verb inside a sentence ("По итогам слушаний рекомендовать администрации
    … рассмотреть …", "Участники обращаются к Правительству … с предложением:") and the
    offset of that sentence's start."""
    for m in _INLINE_VERB_RE.finditer(text):
        if m.start() == 0:
            continue
        verb = m["verb"].lower()
        cases = frozenset({"accs"}) if verb.startswith("прос") else frozenset({"datv"})
        found = parse_groups(text[m.end() :], cases)
        if found is None or found.terminator not in ("infn", "colon"):
            continue
        found = normalise_rest(found)
        if found.terminator == "infn" and not found.rest:
            continue
        starts = [s.end() for s in _SENTENCE_START_RE.finditer(text[: m.start()])]
        # "… просит X провести … и рекомендует Y усилить …": one item, both addressees.
        sentence_end = re.search(r"[.!?](?:\s|$)", text[m.end() :])
        tail = text[m.end() : m.end() + sentence_end.start()] if sentence_end else text[m.end() :]
        for more in _INLINE_VERB_RE.finditer(tail):
            if tail[: more.start()].rstrip().endswith((" и", ",")):
                verb2 = more["verb"].lower()
                cases2 = frozenset({"accs"}) if verb2.startswith("прос") else frozenset({"datv"})
                extra = parse_groups(tail[more.end() :], cases2)
                if extra is not None and extra.terminator == "infn":
                    found = LeadIn(found.groups + extra.groups, found.rest, found.terminator,
                                   found.verb, found.notes)  # fmt: skip
        return found, (starts[-1] if starts else 0)
    return None


__all__ = [
    "BULLET_RE",
    "LETTER_RE",
    "NUM_RE",
    "PROCEDURAL_RE",
    "SUB_RE",
    "Group",
    "classify_text",
    "find_inline_lead",
    "is_section_title",
    "is_signature",
    "join_wrapped",
    "normalise_rest",
    "parse_recipients",
]
