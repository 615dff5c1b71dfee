"""Addressees and mentioned organisations, found by morphology rather than by a list of bodies.

An addressee is a noun group whose head is in the dative ("Правительству области",
"Законодательному Собранию …", "органам местного самоуправления"), written as a heading or
after a lead-in verb ("Рекомендовать X:", "Поручить X …", "Предложить X …"; "Просить X"
takes the accusative).  One heading or lead-in may name several bodies: "X и Y", "X, Y",
"X совместно с Y" (the partner is in the instrumental).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from bot.morph import (
    has_case,
    head_index,
    is_abbreviation,
    is_finite_verb,
    is_infinitive,
    normal_form,
    parse,
    pos_cases,
    to_nominative,
)
from bot.vocabulary import is_organisation_noun, may_be_organisation_noun

_TOKEN_RE = re.compile(
    r"(?P<word>[A-Za-zА-Яа-яЁё0-9]+(?:[-‑][A-Za-zА-Яа-яЁё0-9]+)*)"
    r"|(?P<open>«)|(?P<close>»)|(?P<dq>[\"“”„])|(?P<punct>[^\sA-Za-zА-Яа-яЁё0-9])"
)
_NOUN_GROUP_POS = frozenset({"ADJF", "PRTF", "NUMR"})
_NOUN = frozenset({"NOUN"})
# Prepositions whose object is in the dative: a dative noun after them is not a new body.
_DATIVE_PREPS = frozenset({"по", "к", "ко", "согласно", "благодаря", "вопреки", "навстречу"})
# Abbreviations that end with a period without ending the sentence ("г. Благовещенска").
_ABBR_WITH_PERIOD = frozenset({"г", "гг", "д", "ул", "пер", "пр", "им", "т", "п", "с", "обл", "р"})

LEAD_VERBS: dict[str, frozenset[str]] = {
    "рекомендовать": frozenset({"datv"}),
    "поручить": frozenset({"datv"}),
    "предложить": frozenset({"datv"}),
    "предлагать": frozenset({"datv"}),
    "порекомендовать": frozenset({"datv"}),
    "просить": frozenset({"accs"}),
    "попросить": frozenset({"accs"}),
    "обратиться": frozenset({"datv"}),  # "Обратиться к Губернатору …"
    "считать": frozenset({"datv"}),  # "Считать целесообразным комитету … учесть"
    "признать": frozenset({"datv"}),
}
_LEAD_VERB_RE = re.compile(
    r"^(?:(?:считать\s+(?:необходимым|целесообразным)|признать\s+целесообразным)\s+)?"
    r"(рекомендовать|порекомендовать|поручить|предложить|предлагать|просить|попросить"
    r"|обратиться\s+к|обратиться\s+ко|считать(?=\s+(?:необходимым|целесообразным)\s)"
    r"|признать(?=\s+целесообразным\s))\s+(?:(?:необходимым|целесообразным)\s+)?",
    re.IGNORECASE,
)


class Tok(NamedTuple):
    kind: str  # word | quote | punct
    text: str
    start: int
    end: int


@dataclass
class Group:
    """One addressee named in a heading or a lead-in: its text as written and its case."""

    text: str
    case: str
    joint: bool = False  # a partner after "совместно с"


@dataclass
class LeadIn:
    groups: list[Group]
    rest: str  # what follows the addressees: the action ("совершенствовать …") or ""
    terminator: str  # "colon" | "infn" | "end" | "verb" | "period"
    verb: str | None = None
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=512)
def tokenize(text: str) -> tuple[Tok, ...]:
    """Words, punctuation, and quoted spans as single tokens (nested «…» included).

    Cached: a line is tokenised once although several readings of it (an addressee group
    in each case, a lead-in, the mentions) look at it; tokens are immutable."""
    return tuple(_tokenize(text))


def _tokenize(text: str) -> Sequence[Tok]:
    toks: list[Tok] = []
    pos, n = 0, len(text)
    while pos < n:
        m = _TOKEN_RE.search(text, pos)
        if m is None:
            break
        if m.group("open"):
            depth, j = 0, m.start()
            while j < n:
                if text[j] == "«":
                    depth += 1
                elif text[j] == "»":
                    depth -= 1
                    if depth == 0:
                        break
                elif text[j] in ";\n":
                    j -= 1
                    break
                j += 1
            end = min(j + 1, n)
            toks.append(Tok("quote", text[m.start() : end], m.start(), end))
            pos = end
            continue
        if m.group("dq"):
            close = text.find(m.group("dq") if m.group("dq") == '"' else "”", m.end())
            if close == -1 or "\n" in text[m.end() : close]:
                toks.append(Tok("punct", m.group(0), m.start(), m.end()))
                pos = m.end()
            else:
                toks.append(Tok("quote", text[m.start() : close + 1], m.start(), close + 1))
                pos = close + 1
            continue
        kind = "word" if m.group("word") else "punct"
        toks.append(Tok(kind, m.group(0), m.start(), m.end()))
        pos = m.end()
    return toks


_CYRILLIC_LETTER_RE = re.compile(r"[А-Яа-яЁё]")


def _is_group_word(word: str) -> bool:
    return _CYRILLIC_LETTER_RE.search(word) is not None


def noun_group_end(toks: Sequence[Tok], i: int, cases: frozenset[str]) -> int | None:
    """If a noun group in one of ``cases`` starts at ``toks[i]``, the index of its head noun."""
    saw_modifier = False
    j = i
    while j < len(toks) and j < i + 8:
        t = toks[j]
        if t.kind != "word" or not _is_group_word(t.text):
            return None
        w = t.text
        if is_abbreviation(w):
            # Indeclinable heads (НКО, АНО): accept when any modifier agreed, or none was needed.
            return j
        low = w.lower()
        if low == "и" and saw_modifier:
            j += 1
            continue
        tags = pos_cases(w)
        is_mod = any(pos in _NOUN_GROUP_POS and case in cases for pos, case in tags)
        is_head = any(pos == "NOUN" and case in cases for pos, case in tags)
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        nxt_word = nxt is not None and nxt.kind == "word" and _is_group_word(nxt.text)
        if is_mod and j == i and w[:1].isupper() and nxt is not None and nxt.text == "по":
            # "Уполномоченному по правам ребёнка": an adjective used as a noun heads the group.
            return j
        if is_mod and nxt is not None and nxt_word and (not is_head or _continues(nxt.text, cases)):
            saw_modifier = True
            j += 1
            continue
        if is_head:
            if tags[0][0] in ("PREP", "CONJ", "PRCL"):
                return None
            return j
        if tags and tags[0][0] == "ADVB" and nxt_word and not saw_modifier:
            j += 1
            continue
        return None
    return None


def _continues(word: str, cases: frozenset[str]) -> bool:
    if is_abbreviation(word):
        return True
    return any(
        (pos in _NOUN_GROUP_POS or pos == "NOUN") and case in cases for pos, case in pos_cases(word)
    )


def _ends_sentence(toks: Sequence[Tok], j: int) -> bool:
    if toks[j].text != ".":
        return False
    prev = toks[j - 1] if j > 0 else None
    if prev is not None and prev.kind == "word" and prev.text.lower() in _ABBR_WITH_PERIOD:
        return False
    # Initials ("В.П.") do not end a sentence either.
    initial = prev is not None and prev.kind == "word" and len(prev.text) == 1
    return not (initial and prev is not None and prev.text.isupper())


def parse_groups(text: str, cases: frozenset[str]) -> LeadIn | None:
    """Addressee groups at the start of ``text`` and what follows them.

    Returns None when ``text`` does not start with a noun group in ``cases``.
    """
    toks = tokenize(text)
    if not toks:
        return None
    head = noun_group_end(toks, 0, cases)
    if head is None:
        return None
    groups: list[Group] = []
    g_start = 0
    g_case = _group_case(toks, head, cases)
    g_joint = False
    j = head + 1
    terminator = "end"
    rest_at = len(text)

    def close_group(end_tok: int) -> None:
        if end_tok <= g_start:
            return
        a = toks[g_start].start
        b = toks[end_tok - 1].end
        phrase = text[a:b].strip(" ,;")
        phrase = re.sub(r"\s+(?:и|а также|а)$", "", phrase).strip(" ,;")
        if phrase:
            groups.append(Group(phrase, g_case, g_joint))

    while j < len(toks):
        t = toks[j]
        low = t.text.lower()
        if t.kind == "punct" and t.text == ":":
            close_group(j)
            terminator, rest_at = "colon", t.end
            break
        if t.kind == "punct" and (t.text == ";" or _ends_sentence(toks, j)):
            close_group(j)
            terminator, rest_at = "period", t.end
            break
        if t.kind == "word":
            if is_infinitive(t.text) and not is_abbreviation(t.text):
                close_group(j)
                terminator, rest_at = "infn", t.start
                break
            if j > head and _stops_name(toks, j):
                # "… края в срок до 1 сентября представить", "… края шире привлекать":
                # a term, a circumstance or an adverb is not part of the body's name.
                close_group(j)
                terminator, rest_at = "infn", t.start
                break
            if is_finite_verb(t.text) and not t.text[:1].isupper():
                close_group(j)
                terminator, rest_at = "verb", t.start
                break
            # "X совместно с Y" / "X вместе с Y": Y is a joint addressee in the instrumental.
            if low in ("совместно", "вместе") and j + 2 < len(toks):
                prep = toks[j + 1].text.lower()
                if prep in ("с", "со"):
                    k = noun_group_end(toks, j + 2, frozenset({"ablt"}))
                    if k is not None:
                        close_group(j)
                        g_start, g_case, g_joint = j + 2, _group_case(toks, k, {"ablt"}), True
                        j = k + 1
                        continue
        # "X и Y", "X, Y", "X, а также Y": a new body when Y is a noun group in the same case.
        if (t.kind == "punct" and t.text == ",") or (t.kind == "word" and low == "и"):
            k0 = j + 1
            while k0 < len(toks) and toks[k0].text.lower() in ("а", "также", "и"):
                k0 += 1
            if k0 < len(toks):
                k = noun_group_end(toks, k0, cases)
                if k is not None and _starts_new_body(toks, g_start, j, k):
                    close_group(j)
                    g_start, g_case, g_joint = k0, _group_case(toks, k, cases), False
                    j = k + 1
                    continue
        j += 1
    else:
        close_group(len(toks))
    if not groups:
        return None
    rest = text[rest_at:].strip()
    return LeadIn(groups=groups, rest=rest, terminator=terminator)


# After "в"/"во" these start a circumstance, not a part of the name ("в срок до …").
_CIRCUMSTANCE_AFTER_V = frozenset(
    {"срок", "течение", "рамка", "период", "ход", "цель", "год", "квартал", "полугодие",
     "месяц", "порядок", "число", "случай", "соответствие", "интерес", "пределы", "дальнейший",
     "первый", "второй", "третий", "четвертый", "текущий", "следующий", "ближайший", "весь",
     "целое", "установленный", "сжатый", "кратчайший", "приоритетный", "обязательный", "том",
     "части", "часть", "работа", "деятельность", "отношение", "связь", "качество"}
)  # fmt: skip
_NOT_ADVERB_STOPS = frozenset({"также", "еще", "ещё", "а", "и", "или", "либо", "совместно"})


def _stops_name(toks: Sequence[Tok], j: int) -> bool:
    """Does the word at ``j`` (after the head noun) end an addressee's name?"""
    t = toks[j]
    low = t.text.lower()
    nxt = toks[j + 1] if j + 1 < len(toks) else None
    nxt_low = nxt.text.lower() if nxt is not None else ""
    if low in ("до", "к", "ко", "начиная", "ежегодно", "ежеквартально", "ежемесячно"):
        return True
    if low == "не" and nxt_low in ("позднее", "позже", "реже"):
        return True
    if low in ("с", "со") and nxt_low in ("просьбой", "предложением", "учетом", "учётом"):
        return True
    if low in ("в", "во") and nxt is not None:
        if nxt.kind != "word" or nxt.text[:1].isdigit() or re.fullmatch(r"[IVX]+", nxt.text):
            return nxt.kind == "word"
        if normal_form(nxt.text) in _CIRCUMSTANCE_AFTER_V:
            return True
        # "в месячный срок", "в двухнедельный срок".
        after = toks[j + 2] if j + 2 < len(toks) else None
        return after is not None and normal_form(after.text) == "срок"
    if low == "при" and nxt is not None and nxt.kind == "word":
        return not is_organisation_noun(normal_form(nxt.text))
    if low in _NOT_ADVERB_STOPS or t.text[:1].isupper() or is_abbreviation(t.text):
        return False
    parses = parse(t.text)
    if not parses or parses[0].tag.POS not in ("ADVB", "COMP"):
        return False
    # "социально ориентированных": an adverb before an adjective is inside the name.
    return not (nxt is not None and nxt.kind == "word" and _is_adjective(nxt.text))


def _group_case(toks: Sequence[Tok], head: int, cases: frozenset[str] | set[str]) -> str:
    for p in parse(toks[head].text):
        if p.tag.case in cases:
            return str(p.tag.case)
    return next(iter(sorted(cases)))


def _starts_new_body(toks: Sequence[Tok], g_start: int, at: int, head: int) -> bool:
    """Is the noun group after a conjunction a second addressee, not part of the first?"""
    governed = any(t.kind == "word" and t.text.lower() in _DATIVE_PREPS for t in toks[g_start:at])
    if not governed:
        # "… политики и реализации программ …": a genitive chain goes on unless the word
        # names a body ("… края и органам местного самоуправления").
        word = toks[head].text
        if is_abbreviation(word) or is_organisation_noun(normal_form(word)):
            return True
        return not any(p.tag.case in ("gent", "loct") for p in parse(word))
    # After "по …" a dative noun is usually that preposition's object ("по культуре и
    # туризму"), unless it names a body ("… и министерству образования").
    return is_organisation_noun(normal_form(toks[head].text))


def parse_lead_in(text: str) -> LeadIn | None:
    """ "Рекомендовать X [совместно с Y]: …" / "Поручить X …" / "Просить X …" → addressees;
    also "X рекомендуется …" and "Совместно с Y X-у сделать …"."""
    m = _LEAD_VERB_RE.match(text)
    if m is None:
        return _passive_lead(text) or _joint_first_lead(text)
    verb = normal_form(m.group(1).split()[0])
    cases = LEAD_VERBS.get(verb, frozenset({"datv"}))
    found = parse_groups(text[m.end() :], cases)
    if found is None:
        return None
    found.verb = verb
    return normalise_rest(found)


_PASSIVE_RE = re.compile(
    r"^(?:рекомендуется|рекомендовано|предлагается|поручается|поручено)\b\s*(?P<colon>:)?\s*",
    re.IGNORECASE,
)


def _passive_lead(text: str) -> LeadIn | None:
    """ "Органам местного самоуправления рекомендуется: …" / "X рекомендуется сделать …"."""
    if not text[:1].isupper():
        return None
    found = parse_groups(text, frozenset({"datv"}))
    if found is None or found.terminator != "verb":
        return None
    m = _PASSIVE_RE.match(found.rest)
    if m is None:
        return None
    rest = found.rest[m.end() :].strip()
    terminator = "colon" if m["colon"] and not rest else "infn"
    if terminator == "infn" and not rest:
        return None
    return LeadIn(found.groups, rest, terminator, verb="рекомендовать")


_JOINT_FIRST_RE = re.compile(r"^(?:Совместно|Вместе)\s+со?\s+", re.IGNORECASE)


def _joint_first_lead(text: str) -> LeadIn | None:
    """ "Совместно с Общественной палатой края управлению … провести …": both are addressees."""
    m = _JOINT_FIRST_RE.match(text)
    if m is None:
        return None
    toks = tokenize(text[m.end() :])
    head = noun_group_end(toks, 0, frozenset({"ablt"}))
    if head is None:
        return None
    # The partner runs until a dative noun group that names a body starts.
    j = head + 1
    while j < len(toks):
        t = toks[j]
        if t.kind == "word" and noun_group_end(toks, j, frozenset({"datv"})) is not None:
            k = noun_group_end(toks, j, frozenset({"datv"}))
            head_word = toks[k].text if k is not None else ""
            if (
                k is not None
                and is_organisation_noun(normal_form(head_word))
                and not any(p.tag.case == "gent" for p in parse(head_word))
            ):
                break
        j += 1
    if j >= len(toks):
        return None
    partner_text = text[m.end() : m.end() + toks[j - 1].end].strip(" ,")
    main = parse_groups(text[m.end() + toks[j].start :], frozenset({"datv"}))
    if main is None or main.terminator not in ("infn", "colon"):
        return None
    partner = Group(partner_text, "ablt", joint=True)
    return LeadIn([*main.groups, partner], main.rest, main.terminator, verb="рекомендовать")


def leading_partners(text: str) -> list[Group]:
    """ "совместно с Минэкономразвития России подготовить …" at the start of an item: the
    partners are joint addressees of that item."""
    m = _JOINT_FIRST_RE.match(text)
    # "совместно с" naming a body by its proper name ("… с Минюстом России", "… с
    # Правительством области", "… с министерством образования Воронежской области");
    # generic partners ("со специализированными учреждениями") are part of the task.
    if m is None:
        return []
    rest = text[m.end() :]
    if not rest[:1].isupper():
        found = parse_groups(rest, frozenset({"ablt"}))
        named = found is not None and found.terminator == "infn"
        if (
            found is not None
            and named
            and all(re.search(r"\s[А-ЯЁ]", " " + g.text[1:]) for g in found.groups)
        ):
            return [Group(g.text, g.case, joint=True) for g in found.groups]
        return []
    if _joint_first_lead(text) is not None:
        return []  # "Совместно с X Y-у сделать": the lead-in names both already
    found = parse_groups(rest, frozenset({"ablt"}))
    if found is not None and found.terminator == "infn":
        return [Group(g.text, g.case, joint=True) for g in found.groups]
    toks = tokenize(rest)
    if not toks or not toks[0].text[:1].isupper():
        return []
    # An indeclinable or unknown name ("Минэкономразвития России"): up to the action.
    for j, t in enumerate(toks):
        if t.kind == "word" and is_infinitive(t.text) and j > 0:
            return [Group(rest[: toks[j - 1].end].strip(" ,"), "ablt", joint=True)]
        if t.kind == "punct" and t.text in ",;:.":
            return []
    return []


_REQUEST_RE = re.compile(r"^с\s+(?:просьбой|предложением)\s*(?P<colon>:)?\s*", re.IGNORECASE)


def normalise_rest(lead: LeadIn) -> LeadIn:
    """ "… к X с просьбой: …" / "с предложением": the request words are not the action."""
    m = _REQUEST_RE.match(lead.rest)
    if m is None:
        return lead
    rest = lead.rest[m.end() :].strip()
    terminator = "colon" if m["colon"] or not rest else lead.terminator
    return LeadIn(lead.groups, rest, terminator, lead.verb, lead.notes)


def to_nominative_name(phrase: str) -> str:
    """A body's name as written after "в" (accusative) or "к"/bare dative, in the nominative."""
    toks = tokenize(phrase)
    if not toks:
        return ""
    first = parse(toks[0].text) if toks[0].kind == "word" else ()
    nxt = toks[1].text.lower() if len(toks) > 1 else ""
    if nxt in ("по", "при", "") or nxt in _DATIVE_PREPS:
        # "Уполномоченному по правам человека": a participle used as a noun is a person.
        for p in first:
            if p.tag.POS in ("ADJF", "PRTF") and p.tag.case == "datv" and p.tag.gender == "masc":
                word = p.inflect({"nomn", "sing", "masc"})
                if word is not None:
                    rest = phrase[toks[0].end :]
                    nominative: str = word.word
                    return nominative[:1].upper() + nominative[1:] + rest
    if first and not any(p.tag.case == "nomn" for p in first):
        for case in ("datv", "accs"):
            if any(p.tag.case == case for p in first):
                return canonical_name(Group(phrase, case))
    return phrase[:1].upper() + phrase[1:]


def parse_heading(text: str) -> LeadIn | None:
    """A heading naming addressees in the dative ("Правительству области:"), or None."""
    stripped = text.strip()
    if not stripped or stripped[-1] in ".;!?" or len(stripped) > 400:
        return None
    if not stripped[0].isupper():
        return None
    found = parse_groups(stripped, frozenset({"datv"}))
    if found is None or found.terminator not in ("colon", "end"):
        return None
    if found.terminator == "colon" and found.rest:
        return None
    return found


def dative_item_lead(text: str) -> LeadIn | None:
    """An item that starts with its own addressee: "Коммерческим организациям повысить …"."""
    found = parse_groups(text, frozenset({"datv"}))
    if found is None or found.terminator not in ("infn", "colon"):
        return None
    return found


def canonical_name(group: Group) -> str:
    toks = tokenize(group.text)
    if len(toks) > 1 and toks[1].text == "по" and toks[0].kind == "word":
        # "Уполномоченного по правам ребёнка …" → "Уполномоченный по правам ребёнка …"
        for p in parse(toks[0].text):
            if (
                p.tag.POS in ("ADJF", "PRTF")
                and p.tag.case == group.case
                and p.tag.gender == "masc"
            ):
                word = p.inflect({"nomn", "sing", "masc"})
                if word is not None:
                    head: str = word.word
                    return head[:1].upper() + head[1:] + group.text[toks[0].end :]
    nominative = to_nominative(group.text, group.case)
    return nominative[:1].upper() + nominative[1:]


# ---------------------------------------------------------------------------------------
# Mentions: organisations named inside an item.

_LEGAL_FORM_ABBR = frozenset(
    [
        "АНО",
        "ОО",
        "РОО",
        "РО",
        "МОО",
        "ООО",
        "ПАО",
        "ОАО",
        "АО",
        "ЗАО",
        "НКО",
        "ФГАОУ",
        "ФГБОУ",
        "ГБУ",
        "ГКУ",
        "МБУ",
        "МАУ",
        "ГАУ",
        "ГБОУ",
        "МБОУ",
        "ВО",
        "ИП",
        "НП",
        "ТОС",
        "ОНФ",
        "ТПП",
    ]
)


def _is_capitalised_word(t: Tok) -> bool:
    return t.kind == "word" and t.text[:1].isupper() and _is_group_word(t.text)


def _is_adjective(word: str) -> bool:
    return any(p.tag.POS in _NOUN_GROUP_POS for p in parse(word))


def _is_function_word(word: str) -> bool:
    parses = parse(word)
    return len(word) < 2 or not parses or parses[0].tag.POS in ("PREP", "CONJ", "PRCL", "INTJ")


def _tail_end(toks: Sequence[Tok], i: int) -> int:
    """Extend an organisation name after its head: genitive chain, "по …", a quoted name."""
    j = i + 1
    words = 0
    while j < len(toks) and words < 9:
        t = toks[j]
        if t.kind == "quote":
            j += 1
            nxt = toks[j] if j < len(toks) else None
            # «серебряного» волонтёрства «Молоды душой»: a quote inside the name goes on.
            if (
                nxt is not None
                and nxt.kind == "word"
                and nxt.text.islower()
                and not _is_function_word(nxt.text)
                and has_case(nxt.text, _NOUN, {"gent"})
                and any(tok.kind == "quote" for tok in toks[j + 1 : j + 3])
            ):
                continue
            return j
        if t.kind != "word":
            break
        low = t.text.lower()
        if low in ("по", "при"):
            j += 1
            words += 1
            continue
        if _is_function_word(t.text) and low != "и":
            break
        if is_infinitive(t.text) or is_finite_verb(t.text):
            break
        nxt = toks[j + 1] if j + 1 < len(toks) else None
        if low == "и":
            if (
                nxt is not None
                and nxt.kind == "word"
                and nxt.text.islower()
                and not _is_function_word(nxt.text)
                and has_case(nxt.text, _NOUN_GROUP_POS | _NOUN, {"gent"})
            ):
                j += 1
                continue
            break
        if (
            parse(t.text)[0].tag.POS == "ADVB"
            and nxt is not None
            and nxt.kind == "word"
            and has_case(nxt.text, _NOUN_GROUP_POS, {"gent"})
        ):
            j += 1  # "поддержки социально ориентированных …"
            continue
        if has_case(t.text, _NOUN_GROUP_POS | _NOUN, {"gent", "datv", "loct"}) or is_abbreviation(
            t.text
        ):
            j += 1
            words += 1
            continue
        break
    return j


def find_mentions(text: str, exclude: set[str] | None = None) -> list[str]:
    """Organisations named in a recommendation, in the nominative where possible.

    A mention is a body noun ("Фонд", "Правительство", "Агентство", "палата" …) written with
    a capital letter or followed by a quoted name, with its capitalised adjectives before it
    and its genitive/"по …" tail after it; or a legal form with a name ("АНО «…»",
    "ПАО Сбербанк").
    """
    toks = tokenize(text)
    out: list[str] = []
    seen = {e.lower() for e in (exclude or set())}
    # Each token's flags once, for the windows looked at around every word below.
    capital_word = [_is_capitalised_word(tok) for tok in toks]
    quoted = [tok.kind == "quote" for tok in toks]
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.kind != "word":
            i += 1
            continue
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        # Legal form + name: АНО «Мой бизнес», ПАО Сбербанк.
        if (
            t.text in _LEGAL_FORM_ABBR
            and nxt is not None
            and (nxt.kind == "quote" or (_is_capitalised_word(nxt) and not _is_adjective(nxt.text)))
        ):
            _add(out, seen, text[t.start : nxt.end])
            i += 2
            continue
        # Cheap filter before morphology: a mention has a capital nearby or a quote after.
        near_capital = any(capital_word[max(0, i - 4) : i + 1])
        near_quote = any(quoted[i + 1 : i + 4])
        if (
            not (near_capital or near_quote)
            or is_abbreviation(t.text)
            or not may_be_organisation_noun(t.text)
        ):
            i += 1
            continue
        if not is_organisation_noun(normal_form(t.text)):
            i += 1
            continue
        start = i
        while (
            start > 0
            and toks[start - 1].kind == "word"
            and _is_adjective(toks[start - 1].text)
            and not is_infinitive(toks[start - 1].text)
        ):
            start -= 1
        while start < i and not toks[start].text[:1].isupper():
            start += 1  # keep only the capitalised part: "ведущими … Департаментами" → none
        end = _tail_end(toks, i)
        # A lowercase body counts only with a proper name in quotes right after it.
        has_quote = any(
            tok.kind == "quote" and tok.text[1:2].isupper() for tok in toks[i + 1 : min(end, i + 4)]
        )
        capitalised = toks[start].text[:1].isupper()
        # "внутригородских Муниципальных объединений": a capital inside a common phrase.
        head_only = end == i + 1 and not t.text[:1].isupper() and i - start < 2
        if not (capitalised or has_quote) or end - start < 2 or head_only:
            i += 1
            continue
        if not capitalised:
            start = i  # lowercase body + quoted name: "организация «Поиск»"
            while (
                start > 0 and toks[start - 1].kind == "word" and _is_adjective(toks[start - 1].text)
            ):
                start -= 1
        phrase = text[toks[start].start : toks[end - 1].end]
        _add(out, seen, to_nominative(phrase))
        i = end
    return out


def _add(out: list[str], seen: set[str], phrase: str) -> None:
    phrase = re.sub(r"\s+", " ", phrase).strip(" ,;:-–—")
    phrase = re.sub(r"\s+(?:и|или|а)$", "", phrase)
    if not phrase:
        return
    phrase = phrase[:1].upper() + phrase[1:]
    key = phrase.lower()
    if key in seen or any(s.startswith(key) for s in seen):
        return
    seen.add(key)
    out.append(phrase)


__all__ = [
    "Group",
    "LeadIn",
    "canonical_name",
    "dative_item_lead",
    "find_mentions",
    "head_index",
    "parse_groups",
    "parse_heading",
    "parse_lead_in",
    "tokenize",
]
