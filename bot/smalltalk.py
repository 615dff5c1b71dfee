"""Messages that are not questions: greetings ("привет", "добрый день") and «как загрузить
резолюцию?», which asks about the bot, not about recommendations."""

from __future__ import annotations

import re


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_GREETING_WORDS = _words(
    "привет приветик приветствую здравствуйте здравствуй здрасте здрасьте добрый доброе"
    " доброго день вечер утро утра дня вечера хай салют алло hello hi hey бот ботик"
    " коллеги всем уважаемый уважаемые"
)
_OPENERS = _words(
    "привет приветик приветствую здравствуйте здравствуй здрасте здрасьте добрый доброе"
    " доброго хай салют hello hi hey"
)
_WORD = re.compile(r"[a-zа-яё]+")


def is_greeting(text: str) -> bool:
    """A message that only says hello ("Привет!", "Добрый день, бот"), nothing to search."""
    words = _WORD.findall(text.lower().replace("ё", "е"))
    return bool(words) and words[0] in _OPENERS and all(w in _GREETING_WORDS for w in words)


_HOW_TO_UPLOAD_RE = re.compile(
    r"\b(?:как|где|куда|можно)\b.*\b(?:загрузи|добави|опубликова|отправи|присла|выложи)\w*"
    r".*\b(?:резолюц|документ|решени|файл)\w*"
)


def asks_how_to_upload(text: str) -> bool:
    """«Как загрузить резолюцию?», «куда прислать документ» — a question about the bot."""
    return bool(_HOW_TO_UPLOAD_RE.search(text.lower().replace("ё", "е")))
