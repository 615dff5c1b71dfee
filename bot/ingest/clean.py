"""Cleaning of text exported from Word: artefacts, markdown, odd spaces, glued words.

Lines are kept (each is a paragraph of the source); runs of blank lines collapse to one.
Glued words are split only where morphology vouches for both halves.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.morph import is_known, parse

_BOOKMARK_RE = re.compile(r"\[bookmark:[^\]\n]*\]", re.IGNORECASE)
_BOLD_RE = re.compile(r"\*\*(.+?)\*\*|__(?=\S)(.+?)(?<=\S)__")
_ITALIC_RE = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_STRAY_STARS_RE = re.compile(r"\*{2,}")
_ESCAPE_RE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>«»])")
_SPACES_RE = re.compile(r"[ \t\u00a0\u2007\u202f\u2000-\u200a\u3000]+")
_INVISIBLE_RE = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_BULLET_RE = re.compile(r"^[·•●▪◦▫■□➢►✓✔∙⁃\uf0b7\uf0a7]\s*")
_DASH_BULLET_RE = re.compile(r"^[-–—−]\s*(?=\S)")

# Glue seams: "вАмурской", "РегиональногоФорума", "вдействующий212-ФЗ«Об".
_LOWER_UPPER_RE = re.compile(r"(?<![А-Яа-яЁё])([а-яё]+)([А-ЯЁ][а-яё]+)")
_CAP_CAP_RE = re.compile(r"(?<![А-Яа-яЁё])([А-ЯЁ][а-яё]{2,})([А-ЯЁ][а-яё]{2,})")
_LETTER_DIGIT_RE = re.compile(r"(?<=[а-яё])(?=\d)")
_QUOTE_OPEN_RE = re.compile(r"(?<=[\wа-яёА-ЯЁ,])«")
_QUOTE_CLOSE_RE = re.compile(r"»(?=[а-яёА-ЯЁ\w])")
_COMMA_RE = re.compile(r"([,;])(?=[А-Яа-яЁёA-Za-z])")
_PERIOD_RE = re.compile(r"(?<=[а-яё»)])\.(?=[А-ЯЁ][а-яё])")
_ABBR_PERIOD_RE = re.compile(r"(?<![А-Яа-яЁё])(г|гг|ул|пр|д|им)\.(?=[А-ЯЁ])")
_HYPHEN_GAP_RE = re.compile(r"(?<=[а-яё]) -(?=[а-яё])|(?<=[а-яё])- (?=[а-яё])")
_LONG_WORD_RE = re.compile(r"(?<![А-Яа-яЁё-])[А-ЯЁа-яё][а-яё]{6,}(?![А-Яа-яЁё])")

PREPOSITIONS = frozenset(
    [
        "в",
        "во",
        "на",
        "с",
        "со",
        "к",
        "ко",
        "о",
        "об",
        "обо",
        "у",
        "по",
        "до",
        "из",
        "от",
        "для",
        "при",
        "за",
        "без",
        "под",
        "над",
        "про",
        "через",
    ]
)
# First halves that are prefixes of real compounds ("межсекторный"), never split there.
_PREFIXES = frozenset(
    [
        "меж",
        "сверх",
        "пред",
        "анти",
        "обще",
        "само",
        "взаимо",
        "много",
        "мало",
        "полу",
        "супер",
        "контр",
        "ново",
        "авто",
        "внутри",
        "около",
        "после",
        "гипер",
        "экс",
        "вне",
        "медиа",
        "видео",
        "аудио",
        "фото",
        "теле",
        "радио",
        "эко",
        "био",
        "агро",
        "нано",
        "кибер",
        "интернет",
        "социально",
        "обще",
        "лже",
        "псевдо",
        "квази",
        "мини",
        "макси",
        "мега",
        "пост",
        "пре",
        "ре",
        "де",
    ]
)


# A half that is a name, a pronoun or an abbreviation is a coincidence ("копирайт|инга").
_BAD_HALF_TAGS = frozenset({"Name", "Surn", "Patr", "Abbr", "Init", "NPRO", "INTJ", "Geox"})


def _known_word(word: str) -> bool:
    if len(word) < 4 or not is_known(word):
        return False
    parses = parse(word)
    return bool(parses) and not (_BAD_HALF_TAGS & parses[0].tag.grammemes)


def _word_or_glued(part: str, depth: int, other: str) -> bool:
    if len(part) >= 4 and is_known(part):
        return _known_word(part)
    # Three glued words ("со|стороны|государственных"): only a preposition + a long word,
    # next to another long word, is trusted.
    if depth > 0 or len(other) < 6:
        return False
    for prep in PREPOSITIONS:
        rest = part[len(prep) :]
        if part.startswith(prep) and len(rest) >= 6 and _known_word(rest):
            return True
    return False


@lru_cache(maxsize=50_000)
def split_glued(word: str, depth: int = 0) -> str:
    """Split a word made of glued words ("состороныгосударственных"), if morphology is sure."""
    low = word.lower()
    if len(low) < 7 or is_known(low):
        return word
    best: tuple[float, int] | None = None
    for i in range(1, len(low) - 1):
        left, right = low[:i], low[i:]
        if left in PREPOSITIONS:
            ok = _known_word(right)
        elif len(left) < 4 or len(right) < 4 or left in _PREFIXES:
            ok = False
        elif not (is_known(left) or is_known(right)):
            ok = False  # at most one half can be a glued pair itself
        else:
            ok = (
                left not in _PREFIXES
                and _word_or_glued(left, depth, right)
                and _word_or_glued(right, depth, left)
            )
        if ok:
            # Prefer balanced splits: a long known word on both sides is the safest reading.
            score = (min(len(left), len(right)), i)
            if best is None or score > best:
                best = score
    if best is None:
        # "министерствв целях": a known word with a trailing glued preposition "в".
        if low[-1] in "вк" and len(low) >= 6 and is_known(low[:-1]):
            return f"{word[:-1]} {word[-1]}"
        return word
    i = best[1]
    left, right = word[:i], word[i:]
    if depth == 0:
        left, right = _split_prep(left), _split_prep(right)
    return f"{left} {right}"


def _split_prep(part: str) -> str:
    low = part.lower()
    if _known_word(low):
        return part
    for prep in sorted(PREPOSITIONS, key=len, reverse=True):
        if low.startswith(prep) and _known_word(low[len(prep) :]):
            return f"{part[: len(prep)]} {part[len(prep) :]}"
    return part


def _fix_lower_upper(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    if left in PREPOSITIONS or (len(left) >= 3 and is_known(left) and is_known(right.lower())):
        return f"{left} {right}"
    return match.group(0)


def _fix_cap_cap(match: re.Match[str]) -> str:
    left, right = match.group(1), match.group(2)
    if is_known(left.lower() + right.lower()):
        return match.group(0)
    if is_known(left.lower()) and is_known(right.lower()):
        return f"{left} {right}"
    return match.group(0)


_LONG_PREPS = tuple(sorted((p for p in PREPOSITIONS if len(p) >= 2), key=len, reverse=True))


def _fix_long_word(match: re.Match[str]) -> str:
    word = match.group(0)
    # Dictionary lookups are the cost here: only words long enough to hold two words, or
    # starting like a glued preposition ("нарынок", "дляболее"), are worth checking.
    if len(word) < 10 and not word.lower().startswith(_LONG_PREPS):
        return word
    return split_glued(word)


def fix_glued(line: str) -> str:
    """Undo the glue typical of Word exports ("вАмурской", "дляразвития", "ФЗ«Об")."""
    line = _LETTER_DIGIT_RE.sub(" ", line)
    line = _QUOTE_OPEN_RE.sub(" «", line)
    line = _QUOTE_CLOSE_RE.sub("» ", line)
    line = _COMMA_RE.sub(r"\1 ", line)
    line = _ABBR_PERIOD_RE.sub(r"\1. ", line)
    line = _PERIOD_RE.sub(". ", line)
    line = _HYPHEN_GAP_RE.sub("-", line)
    line = _LOWER_UPPER_RE.sub(_fix_lower_upper, line)
    line = _CAP_CAP_RE.sub(_fix_cap_cap, line)
    # "администрацииг. Благовещенска": a word glued to the abbreviation "г.".
    line = re.sub(r"(?<=[а-яё]{4})г\.(?=\s*[А-ЯЁ])", " г.", line)
    line = _LONG_WORD_RE.sub(_fix_long_word, line)
    return line


def clean_line(line: str) -> str:
    line = _BOOKMARK_RE.sub("", line)
    line = _INVISIBLE_RE.sub("", line)
    line = _CONTROL_RE.sub(" ", line)
    line = _BOLD_RE.sub(lambda m: m.group(1) or m.group(2) or "", line)
    line = _ITALIC_RE.sub(r"\1", line)
    line = _STRAY_STARS_RE.sub("", line)
    line = _ESCAPE_RE.sub(r"\1", line)
    line = _SPACES_RE.sub(" ", line).strip()
    if _BULLET_RE.match(line):
        line = "· " + _BULLET_RE.sub("", line)
    elif _DASH_BULLET_RE.match(line):
        line = "- " + _DASH_BULLET_RE.sub("", line)
    return fix_glued(line).strip()


def clean_text(text: str) -> str:
    """Clean a whole document; one output line per source paragraph, single blank lines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    text = text.replace("\u2029", "\n").replace("\x0b", "\n").replace("\x0c", "\n")
    out: list[str] = []
    for raw in text.split("\n"):
        line = clean_line(raw)
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)
