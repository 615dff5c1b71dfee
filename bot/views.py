"""Rendering recommendations for people: lines, cards, timelines, notice buttons.

Plain text and plain buttons (:mod:`bot.buttons`); a card's Telegram keyboard is built in
:mod:`handlers.keyboards`.

Shared by the handlers (cards on request) and the services that queue messages (notices,
nudges, digests), so a recommendation reads the same wherever it appears.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.access import Role
from bot.buttons import Button, Keyboard, OpenCard
from bot.clock import from_iso
from bot.formatting import human_date, human_deadline, shorten
from bot.morph import to_genitive
from bot.texts import Html, Texts, join_within
from bot.titles import readable_title
from storage.documents import AddresseeRow, DocumentRow, RecommendationRow
from storage.reporting import HistoryRow
from storage.statuses import CLOSED_STATUSES

CARD_TEXT_LIMIT = 1800
TIMELINE_ENTRIES = 8


def is_overdue(status: str, deadline: str | None, today: dt.date | None) -> bool:
    """An open recommendation whose deadline (ISO date) is before ``today`` — the rule
    «что просрочено?» answers by."""
    return bool(
        today is not None
        and deadline
        and status not in CLOSED_STATUSES
        and deadline < today.isoformat()
    )


def shown_state(status: str, reported: bool) -> str:
    """What one recommendation reads as: its status, or 'no_data' («нет данных») while it
    is «не начато» only by default — nobody has reported on it yet (issue 14)."""
    return "no_data" if status == "not_started" and not reported else status


def status_label(texts: Texts, status: str) -> str:
    """The label of a status or of 'no_data' (the summaries' own «Нет данных»)."""
    if status == "no_data":
        return texts("reports.file.sum_no_data")
    return texts(f"status.{status}")


def recommendation_title(rec: RecommendationRow, document: DocumentRow) -> str:
    """«п. 3.2 — Итоговая резолюция …» as plain text (escaped by the template)."""
    return f"п. {rec.number} — {shorten(readable_title(document.title), 90)}"


def deadline_text(texts: Texts, rec: RecommendationRow, today: dt.date | None = None) -> str:
    if not rec.deadline:
        return texts("card.no_deadline")
    when = human_deadline(rec.deadline, rec.deadline_precision)
    kind = getattr(rec, "deadline_kind", "once")
    note = getattr(rec, "deadline_note", None)
    if kind == "recurring" and note:
        return texts("card.deadline_recurring", note=note, date=when)
    if kind == "relative" and note:
        when = texts("card.deadline_relative", note=note, date=when)
    if kind != "recurring" and is_overdue(rec.status, rec.deadline, today):
        return texts("card.deadline_overdue", deadline=when)
    return when


def local_day(iso: str, zone: ZoneInfo) -> str:
    """A stored UTC time as the reader's local date, ``30.11.2026``."""
    return from_iso(iso).astimezone(zone).strftime("%d.%m.%Y")


def author(texts: Texts, entry: HistoryRow) -> str:
    """Who wrote a history row, never by name: an official as «представитель <организации>»
    (the organization's record outlives the person's account), others by their role."""
    if entry.actor_role == Role.OFFICIAL and entry.actor_org:
        return representative(texts, entry.actor_org)
    return texts(f"role.{entry.actor_role}")


def representative(texts: Texts, organization: str) -> str:
    """«представитель Правительства области» (the name in quotes when it will not decline)."""
    return texts("history.official_of", org=to_genitive(organization) or f"«{organization}»")


_SENTENCE_END = (".", "!", "?", "…")


def describe_entry(
    texts: Texts, entry: HistoryRow, zone: ZoneInfo, *, public: bool = False
) -> Html:
    """One line of the timeline (also the body of a follower's notice), dated in ``zone``.
    ``public``: for the open web page, where a file's name (often a surname) is left out."""
    role = author(texts, entry)
    if entry.event == "status":
        new = status_label(texts, entry.new_status or "not_started")
        if entry.old_status is None:  # the first report: the item read «нет данных» before
            what = texts("history.status_first", new=new)
        else:
            what = texts("history.status", new=new, old=status_label(texts, entry.old_status))
    elif entry.event == "deadline":
        what = texts(
            "history.deadline",
            new=human_date(entry.new_deadline) if entry.new_deadline else texts("card.no_deadline"),
        )
    elif entry.event == "assessment":
        what = texts(f"history.assessment_{entry.verdict}")
    else:
        what = texts("history.comment")
    if entry.basis == "letter" and entry.letter_date:
        # Entered by a coordinator from an official letter: on what basis, in the same line.
        what = Html(
            what
            + ", "
            + texts(
                "history.basis_letter",
                number=entry.letter_number or "—",
                date=dt.date.fromisoformat(entry.letter_date).strftime("%d.%m.%Y"),
            )
        )
    elif entry.basis == "spreadsheet":
        what = Html(what + ", " + texts("history.basis_spreadsheet"))
    line = texts("history.line", day=local_day(entry.created_at, zone), role=role, what=what)
    # A sentence ends once: a date already ends in "г."
    parts = [Html(line if line.endswith(".") else line + ".")]
    if entry.comment:
        quoted = shorten(entry.comment, 300)
        # A quote that ends its own sentence takes no stop after it («…цели.», not «…цели.».)
        key = (
            "history.comment_quote"
            if quoted.rstrip().endswith(_SENTENCE_END)
            else "history.comment_text"
        )
        parts.append(texts(key, text=quoted))
    if entry.evidence_kind == "link":
        if entry.evidence and entry.evidence not in (entry.comment or ""):  # shown once
            parts.append(texts("history.evidence_link", url=shorten(entry.evidence or "", 200)))
    elif entry.evidence_kind == "document" and public:
        parts.append(texts("history.evidence_file_public"))
    elif entry.evidence_kind:
        parts.append(
            texts(
                f"history.evidence_{entry.evidence_kind}",
                name=shorten(entry.evidence_name or "", 80),
            )
        )
    return Html(" ".join(parts))


@dataclass
class Card:
    recommendation: RecommendationRow
    document: DocumentRow
    addressees: list[AddresseeRow]
    history: list[HistoryRow]
    zone: ZoneInfo  # the reader's (or else the document's region's) time zone
    following: bool = False
    can_report: bool = False
    can_assess: bool = False
    can_set_deadline: bool = False
    can_correct: bool = False  # the document's parse (coordinators of its region, admins)
    can_record_letter: bool = False  # a status from an addressee's letter (coordinators)
    reasons: list[str] = field(default_factory=list)
    today: dt.date | None = None  # the reader's local date: a passed deadline is marked
    calendars: list[tuple[str, str]] = field(default_factory=list)  # (addressee, .ics URL)
    reported: bool = True  # someone reported on it; else its status reads «нет данных»

    @property
    def assessments(self) -> tuple[int, int]:
        """(agree, disagree), counting each person's latest verdict once."""
        latest = {e.author_key: e.verdict for e in self.history if e.event == "assessment"}
        verdicts = list(latest.values())
        return verdicts.count("agree"), verdicts.count("disagree")


def render_card(texts: Texts, card: Card) -> Html:
    rec, doc = card.recommendation, card.document
    head = texts(
        "card.head",
        number=rec.number,
        text=shorten(rec.text, CARD_TEXT_LIMIT),
        title=shorten(readable_title(doc.title), 200),
        date=human_date(doc.adopted_on) or texts("card.no_date"),
        addressees=", ".join(a.canonical for a in card.addressees) or texts("card.no_addressee"),
        deadline=deadline_text(texts, rec, card.today),
        status=status_label(texts, shown_state(rec.status, card.reported)),
    )
    parts = [head]
    if doc.recipients:
        parts[0] = Html(head + "\n" + texts("card.recipients", names=", ".join(doc.recipients)))
    if card.calendars:
        links = ", ".join(
            f'<a href="{html.escape(u)}">{html.escape(n)}</a>' for n, u in card.calendars
        )
        parts[0] = Html(parts[0] + "\n" + texts("card.calendar", links=Html(links)))
    if rec.removed:
        parts.append(texts("card.removed"))
    if card.reasons:
        parts.append(texts("card.reasons", reasons="; ".join(card.reasons)))
    agree, disagree = card.assessments
    if agree or disagree:
        parts.append(texts("card.assessments", agree=agree, disagree=disagree))
    timeline = [describe_entry(texts, e, card.zone) for e in card.history[-TIMELINE_ENTRIES:]]
    if timeline:
        parts.append(texts("card.history", lines=Html("\n".join(timeline))))
    else:
        parts.append(texts("card.no_history"))
    if card.can_report:
        parts.append(texts("card.reply_hint"))
    return join_within(parts)


def notice_keyboard(texts: Texts, rec_id: int) -> Keyboard:
    """«Открыть карточку» under a notice about a change."""
    return [[Button(texts("card.open_button"), OpenCard(rec_id))]]
