"""Replies by letter: «№ 01-12/345 от 05.11.2026» as a coordinator types it.

State and municipal bodies often answer by official letter, not in a messenger; the
coordinator records the status the letter states, with the letter's number and date as the
basis (``ReportingService.report_status(letter=…)``).
"""

from __future__ import annotations

import datetime as dt
import re

from bot.errors import InvalidInput
from bot.ingest.deadlines import find_dates
from bot.reporting import Letter

NUMBER_LIMIT = 60
_LETTER_RE = re.compile(
    r"^\s*(?:письм[оа]\s*)?(?:№|N\s|No\.?|#)?\s*(?P<number>\S.*?)\s+от\s+(?P<date>.+?)\s*\.?$",
    re.IGNORECASE | re.DOTALL,
)


class LetterError(InvalidInput):
    """The letter's number or date cannot be used; ``key`` names the text that says why."""


def read_letter(text: str, today: dt.date) -> Letter:
    """The number and date of a letter; a date in the future is a slip, not a letter."""
    found = _LETTER_RE.match(text or "")
    if found is None:
        raise LetterError("reports.letter.bad_letter")
    number = found.group("number").strip(" №,;:")
    days = [d for d in find_dates(found.group("date")) if d.precision == "day"]
    if not number or len(number) > NUMBER_LIMIT or not days:
        raise LetterError("reports.letter.bad_letter")
    date = days[0].date
    if date > today:
        raise LetterError("reports.letter.future_date", date=date.strftime("%d.%m.%Y"))
    return Letter(number, date)
