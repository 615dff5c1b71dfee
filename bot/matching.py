"""Matching rules and question parsing for search: pure functions, no storage.

Everything compares *lemma sequences* (pymorphy normal forms, ё→е) of abbreviation-expanded
text, so "Общественной палате Амурской области" equals "Общественная палата Амурской
области" and "СО НКО" equals "социально ориентированных некоммерческих организаций".
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from functools import lru_cache

from bot.morph import (
    WORD_RE,
    is_abbreviation,
    is_known,
    match_case,
    normal_form,
    parse,
    to_nominative,
    tokens,
)
from bot.regions import Region, all_regions, find_regions, region_by_name, search_regions
from bot.vocabulary import (
    KINDS,
    Kind,
    classify_addressee,
    expand_abbreviations,
    is_organisation_noun,
    kind_dative,
    vocabulary,
)

# ---------------------------------------------------------------------------------------
# Normalisation


@lru_cache(maxsize=1)
def _abbreviations_folded() -> dict[str, str]:
    """Abbreviations by their lowercase form, for user input typed without caps ("нко")."""
    return {k.lower(): v for k, v in vocabulary().abbreviations.items()}


def expand_loose(text: str) -> str:
    """``expand_abbreviations`` plus lowercase abbreviations of 3+ letters ("нко", "омсу")."""
    text = expand_abbreviations(text)
    folded = _abbreviations_folded()

    def repl(match: re.Match[str]) -> str:
        word = match.group(0)
        if len(word) >= 3 and word.lower() in folded and not is_known(word):
            return folded[word.lower()]
        return word

    return WORD_RE.sub(repl, text)


def lemma_list(text: str, *, loose: bool = False) -> list[str]:
    expanded = expand_loose(text) if loose else expand_abbreviations(text)
    return [normal_form(w) for w in tokens(expanded)]


def normalise(text: str) -> str:
    """What the index stores: lemmas of the abbreviation-expanded text, space-separated."""
    return " ".join(lemma_list(text))


def contains_seq(haystack: list[str] | tuple[str, ...], needle: tuple[str, ...]) -> bool:
    n = len(needle)
    if n == 0:
        return False
    first = needle[0]
    return any(
        haystack[i] == first and tuple(haystack[i : i + n]) == needle
        for i in range(len(haystack) - n + 1)
    )


def region_tag(region: str | None) -> str:
    """One FTS token per region (letters and digits only, so the tokenizer keeps it whole)."""
    return "r" + hashlib.sha1((region or "").encode()).hexdigest()[:12]


def kind_tag(kind: str) -> str:
    return "k" + kind.replace("_", "")


# ---------------------------------------------------------------------------------------
# Inflection of names for reasons ("Камчатского края", "Агентством по …")


def _inflect_word(word: str, case: str, number: str | None = None) -> tuple[str, str | None]:
    """``word`` (nominative) in ``case``; returns the form and the parse's number."""
    for p in parse(word):
        if p.tag.case != "nomn" or p.tag.POS not in ("NOUN", "ADJF", "PRTF"):
            continue
        if number and p.tag.number and p.tag.number != number:
            continue
        inflected = p.inflect({case} | ({number} if number else set()))
        if inflected is None:
            continue
        new = inflected.word
        if "ё" not in word.lower():
            new = new.replace("ё", "е")
        return _restore_case(word, new), p.tag.number
    return word, number


def _restore_case(original: str, new: str) -> str:
    """Capitalisation of ``original`` on ``new``, hyphen part by part ("Ханты-Мансийского")."""
    old_parts, new_parts = original.split("-"), new.split("-")
    if len(old_parts) != len(new_parts):
        return match_case(original, new)
    return "-".join(match_case(o, n) for o, n in zip(old_parts, new_parts, strict=True))


@lru_cache(maxsize=4096)
def inflect_name(name: str, case: str) -> str:
    """Put the leading noun group of a nominative name into ``case``; the tail stays.

    "Камчатский край" → "Камчатского края"; "Агентство по внутренней политике …" →
    "Агентством по внутренней политике …"; "Москва" → "Москвы".
    """
    pieces = re.split(r"(\s+)", name)
    out = list(pieces)
    head_at = None
    for i in range(0, len(pieces), 2):
        word = pieces[i]
        bare = word.strip('«»"(),')
        if not bare or not re.search(r"[А-Яа-яЁё]", bare):
            break
        all_parses = parse(bare)
        if all_parses and all_parses[0].tag.POS == "ADVB":
            continue  # "Социально ориентированные …": the adverb does not decline
        parses = [p for p in all_parses if p.tag.case == "nomn"]
        if not parses:
            break
        is_noun = any(p.tag.POS == "NOUN" for p in parses)
        is_adj = any(p.tag.POS in ("ADJF", "PRTF") for p in parses)
        if is_adj and not (is_noun and i + 2 >= len(pieces)):
            new, _ = _inflect_word(bare, case)
            out[i] = word.replace(bare, new, 1)
            continue
        if is_noun:
            new, _ = _inflect_word(bare, case)
            out[i] = word.replace(bare, new, 1)
            head_at = i
        break
    if head_at is not None:
        # ", осуществляющие взаимодействие …" agrees with the head: decline it too.
        for i in range(head_at + 2, len(pieces), 2):
            if not pieces[i - 2].endswith(","):
                continue
            bare = pieces[i].strip('«»"(),')
            if any(p.tag.POS == "PRTF" and p.tag.case == "nomn" for p in parse(bare)):
                new, _ = _inflect_word(bare, case)
                out[i] = pieces[i].replace(bare, new, 1)
    return "".join(out)


def region_genitive(region: str) -> str:
    return inflect_name(region, "gent")


def region_locative(region: str) -> str:
    return inflect_name(region, "loct")


def _lower_if_common(name: str) -> str:
    """Mid-sentence, "Органы местного самоуправления" reads better in lower case."""
    first = name.split(" ", 1)[0]
    parses = parse(first.lower())
    if parses and parses[0].tag.number == "plur" and not first.isupper():
        return name[:1].lower() + name[1:]
    return name


# ---------------------------------------------------------------------------------------
# Reasons


def reason_kind(kind: str, region: str | None) -> str:
    where = f" {region_genitive(region)}" if region else ""
    return f"адресовано {kind_dative(kind)}{where}"


def reason_named_addressee(canonical: str) -> str:
    return f"адресовано вашей организации: {canonical}"


REASON_NAMED_TEXT = "ваша организация названа в тексте рекомендации"


def reason_joint(main_canonical: str | None) -> str:
    if not main_canonical:
        return "совместно с другими участниками"
    return f"совместно с {_lower_if_common(inflect_name(main_canonical, 'ablt'))}"


def reason_participants(region: str | None) -> str:
    where = f" в {region_locative(region)}" if region else ""
    return f"адресовано всем участникам форума{where}"


def reason_words(words: list[str]) -> str:
    return "совпали слова: " + ", ".join(words)


def reason_title_words(words: list[str]) -> str:
    """Words found only in the title of the item's document."""
    return "в названии документа: " + ", ".join(words)


# ---------------------------------------------------------------------------------------
# Addressees: joint partners, participants, several kinds in one heading

_JOINT_RE = re.compile(r"\b(?:совместно|вместе)\s+со?\s+", re.IGNORECASE)
_PAREN_RE = re.compile(r"\([^()]*\)")
_SPLIT_RE = re.compile(r"\s*,\s*|\s+и\s+(?:со?\s+)?|\s+а\s+также\s+", re.IGNORECASE)
# Words after "совместно с …" that end the list of partners.
_CLAUSE_END = frozenset({"в", "во", "на", "по", "для", "при", "о", "об", "в целях"})
_PARTICIPANT_LEMMAS = frozenset({"участник", "участница"})
_PREPOSITIONS = frozenset(
    {"по", "с", "со", "при", "в", "во", "на", "для", "о", "об", "к", "ко", "от", "за"}
)


@lru_cache(maxsize=20_000)
def _has_pos(word: str, wanted: str) -> bool:
    return any(wanted == p.tag.POS for p in parse(word))


def joint_partners(text: str) -> list[str]:
    """Bodies named after "совместно с" / "вместе с", as written (instrumental)."""
    found: list[str] = []
    folded = text.casefold()  # what IGNORECASE matches, cheaper than the pattern
    if "совместно" not in folded and "вместе" not in folded:
        return found
    for m in _JOINT_RE.finditer(text):
        tail = _PAREN_RE.sub(" ", text[m.end() : m.end() + 400])
        stop = len(tail)
        for w in WORD_RE.finditer(tail):
            word = w.group(0)
            low = word.lower()
            if low in _CLAUSE_END or _has_pos(low, "INFN") or _has_pos(low, "VERB"):
                stop = w.start()
                break
        segment = re.split(r"[;:.]", tail[:stop], maxsplit=1)[0]
        for piece in _SPLIT_RE.split(segment):
            piece = _trim_partner(piece.strip(' -–—«»"'))
            if _is_partner(piece):
                found.append(piece)
    return found


# Partners recur across items and documents ("органами местного самоуправления"): each
# piece is trimmed and judged once (pure functions of the words; nothing to invalidate).
@lru_cache(maxsize=4096)
def _trim_partner(piece: str) -> str:
    """Cut "органами местного самоуправления площадки…" after the name: past the head,
    a word that cannot be genitive (or a quoted name) starts something else."""
    seen_noun = False
    for m in WORD_RE.finditer(piece):
        word = m.group(0)
        parses = parse(word)
        genitive = any(p.tag.case == "gent" for p in parses)
        if seen_noun and not (genitive or is_abbreviation(word) or word[:1].isupper()):
            return piece[: m.start()].rstrip(" ,")
        if any(p.tag.POS == "NOUN" for p in parses) or is_abbreviation(word):
            seen_noun = True
    return piece


@lru_cache(maxsize=4096)
def _is_partner(piece: str) -> bool:
    """A body in the instrumental ("ресурсными центрами НКО"), not "приглашением …"."""
    words = tokens(piece)
    for word in words:
        if is_abbreviation(word):
            break
        parses = parse(word)
        if any(p.tag.POS == "NOUN" for p in parses):
            if not any(p.tag.POS == "NOUN" and p.tag.case == "ablt" for p in parses):
                return False
            lemma = normal_form(word)
            if not (is_organisation_noun(lemma) or lemma in _kind_heads()):
                return False
            break
    else:
        return False
    return partner_kind(piece) != Kind.OTHER


@lru_cache(maxsize=4096)
def is_instrumental(name: str) -> bool:
    """A joint partner stored as an addressee keeps its instrumental form ("органами …")."""
    for word in tokens(name):
        if is_abbreviation(word):
            return False
        parses = [p for p in parse(word) if p.tag.POS == "NOUN"]
        if parses:
            cases = {p.tag.case for p in parses}
            return "ablt" in cases and not cases & {"datv", "accs", "nomn"}
    return False


def to_partner_nominative(piece: str) -> str:
    name = to_nominative(piece, "ablt")
    return name[:1].upper() + name[1:]


@lru_cache(maxsize=1)
def _kind_heads() -> frozenset[str]:
    """Lemmas that start a kind keyword ("волонтер", "активист"): bodies of people."""
    return frozenset(seq[0] for info in vocabulary().kinds.values() for seq in info.keywords)


@lru_cache(maxsize=4096)
def partner_kind(phrase: str) -> str:
    return classify_addressee(phrase)


def is_participants(canonical: str) -> bool:
    """ "Участники конференции", "Всем участникам форума" — the items are for everyone."""
    return any(lem in _PARTICIPANT_LEMMAS for lem in lemma_list(canonical)[:3])


@lru_cache(maxsize=4096)
def addressee_kinds(name: str, kind: str) -> tuple[str, ...]:
    """The stored kind plus the kinds of an enumeration in one heading.

    "Руководителям СО НКО, ресурсных центров, проектных команд" concerns resource centres
    too.  A name with prepositions ("Комиссия по … взаимодействию с органами …") names
    topics, not bodies, and keeps its one kind.
    """
    kinds = [kind]
    words = [w.lower() for w in tokens(name)]
    if any(w in _PREPOSITIONS for w in words):
        return tuple(kinds)
    for piece in _SPLIT_RE.split(name):
        if not piece.strip():
            continue
        other = classify_addressee(piece.strip())
        if other not in kinds and other != Kind.OTHER:
            kinds.append(other)
    return tuple(kinds)


# ---------------------------------------------------------------------------------------
# The organization's own name

_GENERIC_LEMMAS = frozenset(
    {
        "область",
        "край",
        "город",
        "г",
        "регион",
        "республика",
        "муниципальный",
        "район",
        "округ",
        "городской",
        "региональный",
        "областной",
        "краевой",
        "социально",
        "ориентированный",
        "ориентировать",
        "социальный",
        "поддержка",
        "развитие",
        "и",
        "по",
        "при",
        "для",
        "в",
        "на",
    }
)


@dataclass(frozen=True)
class OrgName:
    lemmas: tuple[str, ...]  # the name without its legal form, e.g. "общественный палата …"
    specific: bool  # names one body (not just a kind): may match outside the user's region


def org_name(name: str | None) -> OrgName | None:
    if not name or not name.strip():
        return None
    lems = lemma_list(name, loose=True)
    vocab = vocabulary()
    # A legal form ("АНО", "автономная некоммерческая организация") is not part of the name;
    # a noun one ("фонд", "союз") is, unless a quoted name follows: «Фонд поддержки
    # гражданских инициатив» is not «поддержка гражданских инициатив», «Росатом» is itself.
    quoted = any(mark in name for mark in '«"„“')
    forms = [
        form
        for form in vocab.legal_forms
        if quoted or not (len(form) == 1 and form[0] in vocab.organisation_nouns)
    ]
    changed = True
    while changed and lems:
        changed = False
        for form in sorted(forms, key=len, reverse=True):
            if len(lems) > len(form) and tuple(lems[: len(form)]) == form:
                lems = lems[len(form) :]
                changed = True
                break
    if not lems:
        return None
    rest = list(lems)
    for info in vocab.kinds.values():
        for seq in sorted(info.keywords, key=len, reverse=True):
            n = len(seq)
            i = 0
            while i <= len(rest) - n:
                if tuple(rest[i : i + n]) == seq:
                    del rest[i : i + n]
                else:
                    i += 1
    specific = any(
        lem not in _GENERIC_LEMMAS and lem not in vocab.organisation_nouns for lem in rest
    )
    return OrgName(tuple(lems), specific)


# ---------------------------------------------------------------------------------------
# Questions


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOP_LEMMAS = _word_set(
    """
    что какой какие который кто как где когда зачем почему ли же бы не ни уже еще
    рекомендовать рекомендованный рекомендуемый рекомендация рекомендоваться порекомендовать
    предложить предлагать предложение поручить поручение резолюция документ решение пункт
    должный сделать делать нужно надо нужный можно следовать стоить касаться относиться
    сказать сказано говорить написать написано показать найти искать список есть быть это
    этот тот такой весь все всё мой наш ваш свой я мы вы он она они мне нам нас меня
    по в во на о об обо для и или а с со к ко у из от до за при про над под без через между
    там тут здесь сейчас теперь год
    """
)
# Kind keywords too ambiguous to decide the addressee from a question on their own.
_AMBIGUOUS_KIND_KEYWORDS = frozenset(
    {
        ("управление",),
        ("служба",),
        ("ро",),
        ("оо",),
        ("роо",),
        ("ип",),
        ("федеральный",),
        ("рф",),
        ("российский", "федерация"),
        ("президент",),
        ("институт",),
        ("община",),
        ("радио",),
        ("благотворительный",),
        ("добровольческий",),
        ("волонтерский",),
    }
)


# Left over from a region's name ("в области", "края"): no topic in themselves.
_QUESTION_GENERIC = frozenset({"область", "край", "город", "г", "регион", "республика", "округ"})


@dataclass
class Word:
    text: str  # as typed
    lemma: str  # folded (ё→е), as in the index
    display: str  # dictionary form with ё, for reasons: "молодёжный"
    start: int
    end: int
    abbr: str | None = None  # the abbreviation this word was expanded from ("СО НКО")


@dataclass
class Question:
    region: str | None
    kind: str | None
    topic: list[Word] = field(default_factory=list)
    kind_words: list[Word] = field(default_factory=list)
    status: str | None = None  # a status or deadline question: a key of search.STATUS_RULES


# Lemma sequences, longest first within each filter; the first that matches wins.
_STATUS_PHRASES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("без", "срок"), "no_deadline"),
    (("бессрочный",), "no_deadline"),
    (("выполнить", "частично"), "partially_done"),
    (("частично", "выполнить"), "partially_done"),
    (("частично",), "partially_done"),
    (("не", "быть", "выполнить"), "wont_do"),
    (("не", "выполнить"), "open"),
    (("не", "начать"), "not_started"),
    (("в", "работа"), "in_progress"),
    (("просрочить",), "overdue"),
    (("просрочка",), "overdue"),
    (("просроченный",), "overdue"),
    (("выполнить",), "done"),
    (("исполнить",), "done"),
    (("завершить",), "done"),
    (("срок",), "with_deadline"),
    (("дедлайн",), "with_deadline"),
)


# Words that are a status question only when nothing else is asked.
_WEAK_STATUSES = frozenset({"with_deadline", "done"})


def find_status(words: list[Word]) -> tuple[str, list[Word]] | None:
    """A status or deadline asked about, and the words that said it."""
    lemmas = [w.lemma for w in words]
    for seq, status in _STATUS_PHRASES:
        n = len(seq)
        for i in range(len(lemmas) - n + 1):
            if tuple(lemmas[i : i + n]) == seq:
                return status, words[i : i + n]
    return None


_REGION_GENERIC = frozenset({"область", "край", "округ", "автономный"})
_ADJ_ENDINGS = frozenset(
    [
        "ая",
        "ой",
        "ую",
        "ий",
        "ый",
        "ого",
        "ому",
        "ом",
        "ым",
        "ых",
        "ие",
        "ые",
        "ыми",
        "ими",
        "ей",
        "его",
        "ему",
        "им",
    ]
)


@lru_cache(maxsize=1)
def _region_stems() -> dict[str, Region]:
    """ "амурск" → Амурская область: the stem of a name's leading adjective, when unique.

    pymorphy does not know every regional adjective ("Тверской" lemmatises apart from
    "Тверская"), so questions are also matched by the stem, with or without "области".
    """
    stems: dict[str, list[Region]] = {}
    for region in all_regions():
        words = region.name.split()
        if len(words) < 2 or normal_form(words[1]) not in _REGION_GENERIC:
            continue
        first = words[0].lower()
        if first[-2:] not in _ADJ_ENDINGS:
            continue
        stems.setdefault(first[:-2], []).append(region)
    return {stem: found[0] for stem, found in stems.items() if len(found) == 1}


def find_question_region(text: str) -> tuple[str, list[tuple[int, int]]] | None:
    """The region a question names, in any case form, and where it is named.

    "органам власти Тверской области", "в Амурской области", "по Амурской", "Камчатского
    края" all name their region; a city or an alias counts as in documents.
    """
    found = find_regions(text)
    if found:
        return found[0].region.name, [(f.start, f.end) for f in found]
    stems = _region_stems()
    matches = list(WORD_RE.finditer(text))
    for i, m in enumerate(matches):
        word = m.group(0)
        low = word.lower().replace("ё", "е")
        for cut in (2, 3):
            stem, ending = low[:-cut], low[-cut:]
            if stem in stems and ending in _ADJ_ENDINGS:
                end = m.end()
                nxt = matches[i + 1] if i + 1 < len(matches) else None
                if nxt is not None and normal_form(nxt.group(0)) in _REGION_GENERIC:
                    end = nxt.end()
                return stems[stem].name, [(m.start(), end)]
    return None


def _display(word: str) -> str:
    parses = parse(word.lower())
    return parses[0].normal_form if parses else word.lower()


@lru_cache(maxsize=8192)
def _word_forms(raw: str) -> tuple[tuple[str, str, str], ...]:
    """(word, lemma, display) of one typed word: several for an abbreviation ("НКО").

    The one cache of question words' lemmas: a pure function of the word and the static
    vocabulary, so it never needs invalidating; bounded, least recently used out."""
    expansion = expand_loose(raw)
    words = tokens(expansion) if expansion != raw else [raw]
    return tuple((w, normal_form(w), _display(w)) for w in words)


def question_words(text: str) -> list[Word]:
    out: list[Word] = []
    for m in WORD_RE.finditer(text):
        raw = m.group(0)
        if not re.search(r"[A-Za-zА-Яа-яЁё]", raw):
            continue
        # An abbreviation stands for several words: keep them at the same place.
        abbr = raw if len(forms := _word_forms(raw)) > 1 or forms[0][0] != raw else None
        for w, lemma, display in forms:
            out.append(Word(w, lemma, display, m.start(), m.end(), abbr))
    return _merge_so_nko(text, out)


def _merge_so_nko(text: str, words: list[Word]) -> list[Word]:
    """ "со нко" typed in lower case: "со" is the abbreviation, not the preposition."""
    if re.search(r"\bсо\s+нко\b", text, re.IGNORECASE):
        expansion = vocabulary().abbreviations.get("СО НКО", "")
        m = re.search(r"\bсо\s+нко\b", text, re.IGNORECASE)
        assert m is not None
        kept = [w for w in words if not (m.start() <= w.start < m.end())]
        abbr = m.group(0)
        extra = [
            Word(w, normal_form(w), _display(w), m.start(), m.end(), abbr)
            for w in tokens(expansion)
        ]
        return sorted(kept + extra, key=lambda w: w.start)
    return words


def display_words(words: list[Word]) -> list[str]:
    """Words for "совпали слова: …": dictionary forms, an abbreviation as typed, no repeats."""
    out: list[str] = []
    for w in words:
        shown = w.abbr or w.display
        if shown not in out:
            out.append(shown)
    return out


def typed_words(words: list[Word]) -> list[str]:
    """Words for "совпали слова: …" as the person typed them, in the question's order:
    an abbreviation once, words typed next to each other as one phrase ("молодёжной
    политике", not "молодёжный, политика"), no repeats."""
    pieces: list[list[str]] = []
    last_start, last_end = -2, -2
    for w in sorted(words, key=lambda w: w.start):
        if w.start == last_start:  # an abbreviation's (a kind phrase's) other words
            last_end = max(last_end, w.end)
            continue
        shown = w.abbr or (w.text if len(w.text) > 1 and w.text.isupper() else w.text.lower())
        if pieces and 0 <= w.start - last_end <= 1:  # typed next to the one before
            pieces[-1].append(shown)
        else:
            pieces.append([shown])
        last_start, last_end = w.start, w.end
    return list(dict.fromkeys(" ".join(piece) for piece in pieces))


def find_kind(lemmas: list[str]) -> tuple[str, int, int] | None:
    """The addressee kind named in a question: (kind, start, end) over ``lemmas``."""
    vocab = vocabulary()
    best: tuple[int, int, int, str] | None = None  # (-length, priority, start, kind)
    for kind, info in vocab.kinds.items():
        for seq in info.keywords:
            if seq in _AMBIGUOUS_KIND_KEYWORDS:
                continue
            n = len(seq)
            for i in range(len(lemmas) - n + 1):
                if tuple(lemmas[i : i + n]) == seq:
                    cand = (-n, vocab.priority.get(kind, 99), i, kind)
                    if best is None or cand < best:
                        best = cand
    if best is None:
        return None
    return best[3], best[2], best[2] - best[0]


# A federal ministry's short name said together with a region means that region's ministry
# ("минкультуры Амурской области" is its Министерство культуры): the field it works in.
_MINISTRY_FIELDS = {
    "минкультуры": "культура",
    "минздрав": "здравоохранение",
    "минтруд": "труд",
    "минфин": "финансы",
    "минспорт": "спорт",
    "минпросвещения": "образование",
    "минобрнауки": "образование",
    "минстрой": "строительство",
    "минсельхоз": "сельский",
    "минприроды": "природный",
    "минцифры": "цифровой",
    "минэкономразвитие": "экономический",
    "минюст": "юстиция",
}


def _regional_ministry(kind_words: list[Word]) -> tuple[Word, Word] | None:
    """A ministry abbreviation read as its full name: "минкультуры" → the kind word
    "министерство" and the field word "культура"."""
    if len(kind_words) != 1:
        return None
    word = kind_words[0]
    field = _MINISTRY_FIELDS.get(word.lemma)
    if field is None:
        return None
    head = "министерство"
    return (
        Word(head, normal_form(head), _display(head), word.start, word.end),
        Word(field, normal_form(field), _display(field), word.start, word.end),
    )


def parse_question(text: str) -> Question:
    region = None
    region_spans: list[tuple[int, int]] = []
    named = find_question_region(text)
    if named is not None:
        region, region_spans = named
    words = [w for w in question_words(text) if not any(a <= w.start < b for a, b in region_spans)]
    status = None
    said: list[Word] = []
    found_status = find_status(words)
    if found_status is not None:
        status, said = found_status
        words = [w for w in words if all(w is not s for s in said)]
    # Leftover region words ("в области", "края") say nothing about the topic.
    words = [w for w in words if w.lemma not in STOP_LEMMAS]
    kind = None
    kind_words: list[Word] = []
    found_kind = find_kind([w.lemma for w in words])
    if found_kind is not None:
        kind, a, b = found_kind
        kind_words = words[a:b]
        words = words[:a] + words[b:]
        ministry = _regional_ministry(kind_words) if region and kind == Kind.FEDERAL_BODY else None
        if ministry is not None:
            kind, kind_words = Kind.MINISTRY_OR_AGENCY, [ministry[0]]
            words = sorted([*words, ministry[1]], key=lambda w: w.start)
    topic = [w for w in words if w.lemma not in _QUESTION_GENERIC or len(words) == 1]
    if status is not None:
        # "какие сроки у правительства области?": "области" is the asker's own region.
        topic = [w for w in topic if w.lemma not in _QUESTION_GENERIC]
        # "какие сроки у министерства культуры?": "культуры" only names the body.
        names_body = bool(kind_words) and all(w.start >= kind_words[-1].start for w in topic)
        if topic and status in _WEAK_STATUSES and not names_body:
            # "сроки проведения конкурсов" is a topic, not a question about deadlines.
            back = [w for w in said if w.lemma not in STOP_LEMMAS]
            topic = sorted(topic + back, key=lambda w: w.start)
            status = None
    return Question(region=region, kind=kind, topic=topic, kind_words=kind_words, status=status)


def fts_terms(words: list[Word]) -> list[str]:
    """Query terms: one per word, one phrase per abbreviation ("СО НКО" → 4 lemmas)."""
    terms: list[str] = []
    i = 0
    while i < len(words):
        w = words[i]
        if w.abbr is not None:
            j = i
            while j < len(words) and words[j].abbr == w.abbr and words[j].start == w.start:
                j += 1
            terms.append('"' + " ".join(x.lemma.replace('"', "") for x in words[i:j]) + '"')
            i = j
            continue
        terms.append(fts_term(w))
        i += 1
    return list(dict.fromkeys(terms))


def fts_term(word: Word) -> str:
    """One word of a query: the lemma, or a prefix for an unknown (predicted) word."""
    lemma = word.lemma.replace('"', "")
    if len(lemma) >= 7 and not is_known(word.text):
        return f'"{lemma[:-2]}"*'
    return f'"{lemma}"'


def valid_kind(kind: str | None) -> str | None:
    return kind if kind in KINDS else None


def valid_region(region: str | None) -> str | None:
    if not region:
        return None
    found = region_by_name(region)
    if found is not None:
        return found.name
    matches = find_regions(region)
    if matches:
        return matches[0].region.name
    # A picker-style prefix ("амур", "камч") from the command line.
    found_prefix = search_regions(region, limit=1)
    return found_prefix[0].name if found_prefix else None
