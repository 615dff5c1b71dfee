"""What the parser produces: plain dataclasses, no Telegram, no storage."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Literal

Precision = Literal["day", "month", "year"]


@dataclass(frozen=True)
class Deadline:
    date: datetime.date  # the last day of the term (end of month / year for coarse terms)
    precision: Precision
    phrase: str  # as written: "до 1 марта 2025 г.", "в 2022-2023 г.г."


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
