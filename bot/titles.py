"""Document titles for reading: one typed in capitals reads as an ordinary sentence.

Resolutions are often headed «ИТОГОВАЯ РЕЗОЛЮЦИЯ …» in capitals; the stored title keeps
the document's own spelling, and cards, notices and digests show it in sentence case with
abbreviations (НКО, СОНКО) and region names (Амурской области) written as they should be.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.morph import parse
from bot.regions import find_regions
from bot.vocabulary import vocabulary

_CAPS_SHARE = 0.6  # of the words: from it on, the title was typed in capitals
_MIN_LETTERS = 12
_WORD_RE = re.compile(r"[A-Za-zА-Яа-яЁё]+")


@lru_cache(maxsize=1)
def _known_abbreviations() -> frozenset[str]:
    out: set[str] = set()
    for key in vocabulary().abbreviations:
        out.update(w for w in key.split() if w.isupper())
    return frozenset(out)


def _is_abbreviation(word: str) -> bool:
    if len(word) < 2:  # "В", "Г." in capitals are a preposition and «город»
        return False
    if word in _known_abbreviations():
        return True
    parses = parse(word.lower())
    return bool(parses) and "Abbr" in parses[0].tag


@lru_cache(maxsize=512)
def readable_title(title: str) -> str:
    words = [w for w in _WORD_RE.findall(title) if len(w) > 1]
    if sum(len(w) for w in words) < _MIN_LETTERS:
        return title
    if sum(w.isupper() for w in words) < _CAPS_SHARE * len(words):
        return title
    # Only words in capitals change; a word typed as «Межсекторной» stays as it is.
    text = _WORD_RE.sub(
        lambda m: (
            m.group(0)
            if not m.group(0).isupper() or _is_abbreviation(m.group(0))
            else m.group(0).lower()
        ),
        title,
    )
    chars = list(text)
    # Region names keep their capitals ("Амурской области", "Республике Татарстан").
    for match in find_regions(text):
        label_words = _WORD_RE.findall(match.label)
        for i, w in enumerate(_WORD_RE.finditer(text[match.start : match.end])):
            if i < len(label_words) and label_words[i][:1].isupper():
                chars[match.start + w.start()] = chars[match.start + w.start()].upper()
    # A sentence and a quoted name start with a capital.
    starts = [m.start() for m in re.finditer(r"(?:^|«)\W*(?=[а-яёa-z])", text)]
    for at in starts:
        m = re.compile(r"[а-яёa-z]").search(text, at)
        if m is not None:
            chars[m.start()] = chars[m.start()].upper()
    return "".join(chars)
