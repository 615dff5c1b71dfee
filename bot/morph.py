"""Russian morphology shared by ingestion, matching and search.

One ``pymorphy3.MorphAnalyzer`` is built lazily by a cached factory (no work at import time);
per-word results are memoised because the same few thousand words recur in every document.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pymorphy3
from pymorphy3.analyzer import Parse  # untyped: pymorphy3 ships no type information

WORD_RE = re.compile(r"[A-Za-zА-Яа-яЁё0-9]+(?:-[A-Za-zА-Яа-яЁё0-9]+)*")
_LETTER_RE = re.compile(r"[A-Za-zА-Яа-яЁё]")
_CYRILLIC_RE = re.compile(r"[А-Яа-яЁё]")

# Parts of speech that can stand in a noun group before its head noun.
_ADJ_POS = frozenset({"ADJF", "PRTF", "NUMR"})
_CASES = ("nomn", "gent", "datv", "accs", "ablt", "loct")


@lru_cache(maxsize=1)
def get_morph() -> pymorphy3.MorphAnalyzer:
    """The process-wide analyzer (loads the dictionaries on first use, ~0.1 s)."""
    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def parse(word: str) -> tuple[Parse, ...]:
    """All pymorphy parses of a lowercased word, cached (the hot path of every feature)."""
    return tuple(get_morph().parse(word.lower()))


@lru_cache(maxsize=200_000)
def pos_cases(word: str) -> tuple[tuple[str | None, str | None], ...]:
    """(part of speech, case) of each parse of a word, in ``parse``'s order: what the noun
    group checks read, without pymorphy's lookup on every tag attribute read (cached)."""
    return tuple((p.tag.POS, p.tag.case) for p in parse(word))


@lru_cache(maxsize=200_000)
def is_known(word: str) -> bool:
    """True when the word is in the dictionary (not merely predicted)."""
    return bool(get_morph().word_is_known(word.lower()))


@lru_cache(maxsize=200_000)
def normal_form(word: str) -> str:
    """Dictionary form of one word, lowercased, with ё folded to е."""
    low = word.lower().replace("ё", "е")
    if not _CYRILLIC_RE.search(low):
        return low
    parses = parse(low)
    if not parses:
        return low
    lemma: str = parses[0].normal_form
    return lemma.replace("ё", "е")


def tokens(text: str) -> list[str]:
    """Words of a text (Cyrillic/Latin, hyphenated compounds kept whole), as written."""
    return [m.group(0) for m in WORD_RE.finditer(text) if _LETTER_RE.search(m.group(0))]


def lemmas(text: str) -> list[str]:
    """Normal forms of the words of ``text``, in order; digits-only tokens are skipped."""
    return [normal_form(w) for w in tokens(text)]


def is_infinitive(word: str) -> bool:
    return any(p.tag.POS == "INFN" for p in parse(word))


def is_finite_verb(word: str) -> bool:
    parses = parse(word)
    return bool(parses) and parses[0].tag.POS == "VERB"


def has_case(word: str, pos: frozenset[str] | set[str], cases: frozenset[str] | set[str]) -> bool:
    return any(p.tag.POS in pos and p.tag.case in cases for p in parse(word))


def is_abbreviation(word: str) -> bool:
    """An all-caps short word (НКО, АНО, ОМСУ): indeclinable, may head a noun group."""
    letters = word.replace("-", "")
    return 2 <= len(letters) <= 8 and letters.isalpha() and letters.isupper()


def match_case(original: str, new: str) -> str:
    """Give ``new`` the capitalisation pattern of ``original``."""
    if original.isupper() and len(original) > 1:
        return new.upper()
    if original[:1].isupper():
        return new[:1].upper() + new[1:]
    return new


def _inflect(word: str, parsed: Parse, grammemes: set[str]) -> str:
    try:
        inflected = parsed.inflect(grammemes)
    except ValueError:
        inflected = None
    if inflected is None:
        return word
    new: str = inflected.word
    if "ё" not in word.lower():
        new = new.replace("ё", "е")  # keep the document's spelling of е/ё
    return match_case(word, new)


def _can_continue_group(word: str) -> bool:
    if not word or not _CYRILLIC_RE.search(word):
        return False
    if is_abbreviation(word):
        return True
    return any(p.tag.POS in _ADJ_POS or p.tag.POS == "NOUN" for p in parse(word))


def _head_group(words: list[str]) -> tuple[int, list[int]] | None:
    """Index of the head noun and the indices of the modifiers before it, or None."""
    modifiers: list[int] = []
    for i, w in enumerate(words):
        if not _CYRILLIC_RE.search(w):
            return None
        if is_abbreviation(w):
            return i, modifiers
        if w.lower() == "и":
            if modifiers:
                continue
            return None
        parses = parse(w)
        is_noun = any(p.tag.POS == "NOUN" for p in parses)
        is_adj = any(p.tag.POS in _ADJ_POS for p in parses)
        nxt = words[i + 1] if i + 1 < len(words) else ""
        # An adjective-or-noun form is a modifier when a group word follows it.
        if is_adj and (not is_noun or _can_continue_group(nxt)):
            modifiers.append(i)
            continue
        if is_noun:
            return i, modifiers
        if parses and parses[0].tag.POS == "ADVB":
            continue
        return None
    return None


def _choose_head_parse(word: str, modifier_words: list[str], case_hint: str | None) -> Parse | None:
    best, best_score = None, -1.0
    for p in parse(word):
        if p.tag.POS != "NOUN" or p.tag.case not in _CASES:
            continue
        score = p.score
        if case_hint and p.tag.case == case_hint:
            score += 3
        if p.tag.number == "sing":
            score += 1.5  # organisation names are mostly singular: "Агентства" → Агентство
        for m in modifier_words:
            if any(
                q.tag.POS in _ADJ_POS
                and q.tag.case == p.tag.case
                and (q.tag.number == p.tag.number or q.tag.number is None)
                for q in parse(m)
            ):
                score += 1
        if score > best_score:
            best, best_score = p, score
    return best


def _modifier_parse(word: str, case: str, number: str | None, gender: str | None) -> Parse | None:
    candidates = [p for p in parse(word) if p.tag.POS in _ADJ_POS and p.tag.case == case]
    if number:
        same_number = [p for p in candidates if p.tag.number == number]
        candidates = same_number or candidates
    if gender and number == "sing":
        same_gender = [p for p in candidates if p.tag.gender == gender]
        candidates = same_gender or candidates
    return candidates[0] if candidates else None


_PIECE_RE = re.compile(r"\S+|\s+")


@lru_cache(maxsize=4096)
def to_nominative(phrase: str, case: str | None = None) -> str:
    """Put the head noun group of a noun phrase in the nominative; tails stay as written.

    "Законодательному Собранию Амурской области" → "Законодательное Собрание Амурской
    области"; "органам местного самоуправления" → "органы местного самоуправления".
    ``case`` is a hint for ambiguous forms ("Комиссии" is genitive, dative or locative).
    A participle clause after a comma that agrees with the head ("…, осуществляющим
    деятельность") is put in the nominative too.
    """
    pieces = _PIECE_RE.findall(phrase)
    word_pos = [i for i, p in enumerate(pieces) if not p.isspace()]
    if not word_pos:
        return phrase
    # Words of the leading group, stripped of trailing punctuation for analysis.
    bare = [pieces[i].strip(',;:.()«»"') for i in word_pos]
    found = _head_group(bare[:12])
    if found is None:
        return phrase
    head_i, mods = found
    head_word = bare[head_i]
    out = list(pieces)
    if is_abbreviation(head_word):
        target_case = case or "datv"
        number = None
        gender = None
        head_parse = None
    else:
        head_parse = _choose_head_parse(head_word, [bare[m] for m in mods], case)
        if head_parse is None:
            return phrase
        target_case = head_parse.tag.case
        number = head_parse.tag.number
        gender = head_parse.tag.gender
        if target_case != "nomn":
            new = _inflect(head_word, head_parse, {"nomn"})
            out[word_pos[head_i]] = pieces[word_pos[head_i]].replace(head_word, new, 1)
    if target_case == "nomn":
        return phrase
    for m in mods:
        w = bare[m]
        mp = _modifier_parse(w, target_case, number, gender)
        if mp is None:
            continue
        grammemes = {"nomn"}
        num = number or mp.tag.number
        if num == "plur":
            grammemes.add("plur")
        elif num == "sing":
            grammemes.add("sing")
            if gender or mp.tag.gender:
                grammemes.add(gender or mp.tag.gender)
        new = _inflect(w, mp, grammemes)
        out[word_pos[m]] = pieces[word_pos[m]].replace(w, new, 1)
    # ", осуществляющим деятельность" agrees with the head: inflect that participle too.
    for k in range(head_i + 1, len(word_pos)):
        prev = pieces[word_pos[k - 1]]
        if not prev.endswith(","):
            continue
        w = bare[k]
        pp = [
            p
            for p in parse(w)
            if p.tag.POS == "PRTF"
            and p.tag.case == target_case
            and (number is None or p.tag.number == number)
        ]
        if pp:
            grammemes = {"nomn", pp[0].tag.number or "plur"}
            if pp[0].tag.number == "sing" and pp[0].tag.gender:
                grammemes.add(pp[0].tag.gender)
            new = _inflect(w, pp[0], grammemes)
            out[word_pos[k]] = pieces[word_pos[k]].replace(w, new, 1)
    return "".join(out)


def head_index(words: list[str]) -> int | None:
    """Index of the head noun of the noun group that starts ``words`` (None if there is none)."""
    found = _head_group([w.strip(',;:.()«»"') for w in words[:12]])
    return found[0] if found else None


@lru_cache(maxsize=4096)
def to_genitive(phrase: str) -> str | None:
    """Put the head noun group of a name in the nominative into the genitive, for
    «представитель …»: "Правительство Амурской области" → "Правительства Амурской области",
    "органы местного самоуправления" → "органов местного самоуправления".  Abbreviations stay
    as they are; None when the phrase does not start with a nominative noun group."""
    pieces = _PIECE_RE.findall(phrase)
    word_pos = [i for i, p in enumerate(pieces) if not p.isspace()]
    bare = [pieces[i].strip(',;:.()«»"') for i in word_pos]
    found = _head_group(bare[:12])
    if found is None:
        return None
    head_i, mods = found
    if is_abbreviation(bare[head_i]):
        return phrase
    head = _choose_head_parse(bare[head_i], [bare[m] for m in mods], "nomn")
    if head is None or head.tag.case != "nomn":
        return None
    number = head.tag.number or "sing"
    out = list(pieces)
    changes = [(head_i, head, {"gent", number})]
    for m in mods:
        mp = _modifier_parse(bare[m], "nomn", number, head.tag.gender)
        if mp is not None:
            grammemes = {"gent", number}
            if number == "sing" and (head.tag.gender or mp.tag.gender):
                grammemes.add(head.tag.gender or mp.tag.gender)
            changes.append((m, mp, grammemes))
    for i, parsed, grammemes in changes:
        new = _inflect(bare[i], parsed, grammemes)
        out[word_pos[i]] = pieces[word_pos[i]].replace(bare[i], new, 1)
    return "".join(out)
