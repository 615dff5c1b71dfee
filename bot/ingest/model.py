"""What the parser produces: plain dataclasses, no Telegram, no storage."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

Precision = Literal["day", "month", "year"]
# once: a date; recurring: "ежегодно до 1 марта" (``date`` is the next occurrence after the
# document's date); relative: "в течение месяца со дня опубликования" (``date`` counted from
# the document's date).  ``note`` explains the last two in Russian for the card.
DeadlineKind = Literal["once", "recurring", "relative"]
PRECISIONS: tuple[Precision, ...] = ("day", "month", "year")
DEADLINE_KINDS: tuple[DeadlineKind, ...] = ("once", "recurring", "relative")


def precision_of(value: str) -> Precision:
    """A stored precision back as its type (a value the parser never writes is refused)."""
    for precision in PRECISIONS:
        if value == precision:
            return precision
    raise ValueError(f"not a deadline precision: {value!r}")


def deadline_kind_of(value: str) -> DeadlineKind:
    for kind in DEADLINE_KINDS:
        if value == kind:
            return kind
    raise ValueError(f"not a deadline kind: {value!r}")


@dataclass(frozen=True)
class Deadline:
    date: datetime.date  # the last day of the term (end of month / year for coarse terms)
    precision: Precision
    phrase: str  # as written: "до 1 марта 2025 г.", "в 2022-2023 г.г."
    kind: DeadlineKind = "once"
    note: str = ""  # "ежегодно до 1 марта", "в течение месяца со дня опубликования …"
    period: str | None = None  # recurring: "year" | "quarter" | "month"


@dataclass
class ParsedAddressee:
    name: str  # as written (cleaned), usually in the dative: "Правительству области"
    canonical: str  # nominative, first letter capitalised: "Правительство области"
    kind: str  # one of bot.vocabulary.KINDS
    region: str | None  # canonical region name: named in the addressee, else the document's


@dataclass
class ParsedRecommendation:
    number: str  # unique in the document: "3", "2.3", "5.б"
    text: str
    addressee_indices: list[int]  # into ParsedDocument.addressees
    deadline: Deadline | None
    mentions: list[str] = field(default_factory=list)
    # A decision's, hearing's or appeal's item that names nobody: «без адресата», never
    # anyone's in /my (a forum's such items go to its participants instead).
    without_addressee: bool = False


@dataclass
class ParsedDocument:
    source: str
    title: str
    date: datetime.date | None
    place: str | None
    region: str | None
    addressees: list[ParsedAddressee]
    recommendations: list[ParsedRecommendation]
    warnings: list[str]
    recipients: list[str] = field(default_factory=list)  # "Направить … в X, Y"
    scope: str | None = None  # "Российская Федерация" for a federal document
    mojibake: bool = False  # the text looks like a wrong encoding: not to be published
