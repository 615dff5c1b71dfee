"""Progress reports: statuses, comments with evidence, assessments, deadlines.

History is append-only; the recommendation row keeps only the current status and deadline
for fast listing.  Followers hear of each change at once or in their digest, as they chose.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot.access import AccessService, Action, Roles, Target, allowed, refuse_unless
from bot.clock import Clock
from bot.deadline_input import TypedDeadline, read_deadline
from bot.errors import InvalidInput, NotFound, PermissionDenied, Stale
from bot.localtime import local_date, zone_for
from bot.occurrence import current_row
from bot.outbox import OutboxService
from bot.preferences import hears_changes_at_once
from bot.texts import Texts
from bot.views import Card, describe_entry, notice_keyboard, recommendation_title
from storage.db import Database
from storage.documents import DocumentRepository, DocumentRow, RecommendationRow
from storage.reporting import HistoryRow, ReportingRepository
from storage.statuses import STATUSES as STATUSES  # handlers read them from here
from storage.statuses import Status
from storage.subscriptions import SubscriptionRepository
from storage.users import UserRepository

VERDICTS = ("agree", "disagree")
COMMENT_LIMIT = 2000


@dataclass(frozen=True)
class Evidence:
    kind: str  # document | photo | link
    value: str  # Telegram file_id or URL
    name: str | None = None


@dataclass(frozen=True)
class Letter:
    """The basis of a status a coordinator enters for an addressee not in Telegram."""

    number: str
    date: dt.date


@dataclass(frozen=True)
class SheetChange:
    """One row of a spreadsheet sent back from /report: a new status (or None for a comment
    only), as read against ``expected`` — the status the preview showed as current."""

    recommendation_id: int
    status: str | None
    comment: str | None
    expected: str


class ChangedMeanwhile(Exception):
    """A status changed between the preview and «Применить»: nothing was applied."""


@dataclass(frozen=True)
class Subject:
    """A recommendation with what permissions need to know about it."""

    recommendation: RecommendationRow
    document: DocumentRow
    addressee_ids: frozenset[int]

    @property
    def target(self) -> Target:
        return Target(region=self.document.region, addressee_ids=self.addressee_ids)


def is_reason(text: str | None) -> bool:
    """A reason for «Не будет выполнено» says something: a few letters, not «.» or «-»."""
    return sum(ch.isalpha() for ch in text or "") >= 3


def _clean_comment(comment: str | None) -> str | None:
    comment = (comment or "").strip() or None
    if comment is not None and len(comment) > COMMENT_LIMIT:
        raise InvalidInput("report.comment_too_long")
    return comment


def last_report(history: list[HistoryRow]) -> HistoryRow | None:
    """The latest status report in a history (in any order): what an assessment is about."""
    return max((e for e in history if e.event == "status"), key=lambda e: e.id, default=None)


class ReportingService:
    def __init__(
        self,
        db: Database,
        documents: DocumentRepository,
        reporting: ReportingRepository,
        subscriptions: SubscriptionRepository,
        users: UserRepository,
        access: AccessService,
        outbox: OutboxService,
        texts: Texts,
        clock: Clock,
        default_tz: str,
    ) -> None:
        self.default_tz = default_tz
        self.db = db
        self.documents = documents
        self.reporting = reporting
        self.subscriptions = subscriptions
        self.users = users
        self.access = access
        self.outbox = outbox
        self.texts = texts
        self.clock = clock
        # async callables(document_id) after a deadline changes: the search index sorts by it
        self.after_deadline: list[Callable[[int], Awaitable[None]]] = []
        # addressee id → its deadlines feed (.ics) when the public page is on (bot/public.py)
        self.calendar_url: Callable[[int], str | None] = lambda _addressee_id: None

    async def recommendation(self, recommendation_id: int) -> RecommendationRow | None:
        """A recommendation as it stands (resolutions are public: no permission needed)."""
        return await self.documents.get_recommendation(recommendation_id)

    async def document(self, document_id: int) -> DocumentRow | None:
        return await self.documents.get(document_id)

    async def subject(self, recommendation_id: int) -> Subject:
        rec = await self.documents.get_recommendation(recommendation_id)
        if rec is None:
            raise NotFound("report.not_found")
        document = await self.documents.get(rec.document_id)
        if document is None:  # a recommendation outlives no document; kept for the types
            raise NotFound("report.not_found")
        addressees = await self.documents.addressee_ids_of(recommendation_id)
        return Subject(rec, document, addressees)

    async def check(
        self, user_id: int, action: Action, recommendation_id: int
    ) -> tuple[Subject, Roles]:
        """May this user do ``action`` on the recommendation?  Refused as a person reads it:
        the role the action needs first (before the lookup, so a forged button's id tells
        nothing), then the item, then its region or body; an assessment needs a report that
        is not the assessor's own."""
        roles = await self.access.require_role(user_id, action)
        subject = await self.subject(recommendation_id)
        refuse_unless(roles, action, subject.target)
        if action is Action.ASSESS:
            last = last_report(await self.reporting.history(recommendation_id))
            if last is not None and last.actor_id == user_id:
                raise PermissionDenied("assess.own_entry")
        return subject, roles

    async def _old_status(self, current: RecommendationRow) -> str | None:
        """What a status report changes: the status as it stood, or None for the first report
        (the item read «нет данных», not «не начато»: nobody had reported)."""
        return current.status if await self.reporting.has_reports(current.id) else None

    async def report_status(
        self,
        actor_id: int,
        recommendation_id: int,
        status: str,
        comment: str | None = None,
        evidence: Evidence | None = None,
        letter: Letter | None = None,
    ) -> HistoryRow:
        """A status report; with ``letter``, a coordinator enters what an addressee wrote in
        an official letter (recorded as the basis, shown in the history)."""
        action = Action.REPORT_STATUS if letter is None else Action.RECORD_LETTER
        subject, roles = await self.check(actor_id, action, recommendation_id)
        if status not in STATUSES:
            raise InvalidInput("report.unknown_status")
        comment = _clean_comment(comment)
        if status == Status.WONT_DO and not is_reason(comment):
            raise InvalidInput("report.reason_required")
        now = self.clock.iso()
        async with self.db.transaction():
            # Read the status inside the transaction: two reports at once cannot both be
            # recorded as changes from the same old status.
            current = await self.documents.get_recommendation(recommendation_id)
            assert current is not None  # recommendations are marked removed, never deleted
            if current.status == status:
                raise InvalidInput("report.same_status")
            entry_id = await self.reporting.append(
                _entry(
                    subject,
                    actor_id,
                    roles,
                    "status",
                    now,
                    old_status=await self._old_status(current),
                    new_status=status,
                    comment=comment,
                    **_evidence_fields(evidence),
                    **_letter_fields(letter),
                )
            )
            await self.documents.update_recommendation(
                recommendation_id, {"status": status, "status_changed_at": now}, now
            )
        return await self._after_change(subject, entry_id, actor_id)

    async def apply_sheet(self, actor_id: int, changes: list[SheetChange]) -> list[HistoryRow]:
        """Statuses and comments from a spreadsheet, all in one transaction or none: a
        refused permission, a bad value or a status that changed since the preview rolls
        everything back.  Followers hear of each change as of any report."""
        roles = await self.access.require_role(actor_id, Action.BULK_UPDATE)
        subjects = []
        for change in changes:
            subject = await self.subject(change.recommendation_id)
            if not allowed(roles, Action.BULK_UPDATE, subject.target):
                raise PermissionDenied(
                    "access.region_coordinators_only", region=subject.document.region or ""
                )
            if change.status is not None and change.status not in STATUSES:
                raise InvalidInput("report.unknown_status")
            if change.status == "wont_do" and not is_reason(_clean_comment(change.comment)):
                raise InvalidInput("report.reason_required")
            subjects.append(subject)
        now = self.clock.iso()
        entries = []
        async with self.db.transaction():
            for change, subject in zip(changes, subjects, strict=True):
                current = await self.documents.get_recommendation(change.recommendation_id)
                if current is None or current.status != change.expected:
                    raise ChangedMeanwhile(change.recommendation_id)
                comment = _clean_comment(change.comment)
                basis = {"basis": "spreadsheet"}
                if change.status is not None and change.status != current.status:
                    old = await self._old_status(current)
                    fields = {"old_status": old, "new_status": change.status}
                    entry = _entry(subject, actor_id, roles, "status", now, **fields, **basis)
                    await self.documents.update_recommendation(
                        current.id, {"status": change.status, "status_changed_at": now}, now
                    )
                elif comment:
                    entry = _entry(subject, actor_id, roles, "comment", now, **basis)
                else:
                    continue
                entry["comment"] = comment
                entries.append((subject, await self.reporting.append(entry)))
        return [await self._after_change(s, entry_id, actor_id) for s, entry_id in entries]

    async def comment(
        self,
        actor_id: int,
        recommendation_id: int,
        comment: str | None,
        evidence: Evidence | None = None,
    ) -> HistoryRow:
        subject, roles = await self.check(actor_id, Action.COMMENT, recommendation_id)
        comment = _clean_comment(comment)
        if not comment and evidence is None:
            raise InvalidInput("report.empty_comment")
        entry_id = await self.reporting.append(
            _entry(
                subject,
                actor_id,
                roles,
                "comment",
                self.clock.iso(),
                comment=comment,
                **_evidence_fields(evidence),
            )
        )
        return await self._after_change(subject, entry_id, actor_id)

    async def check_assess(
        self, user_id: int, recommendation_id: int, verdict: str
    ) -> tuple[Subject, Roles]:
        """May this user give this verdict?  One assessment per person per report: the same
        verdict again is refused (nothing changes), another one replaces it (the card counts
        each person's latest verdict)."""
        subject, roles = await self.check(user_id, Action.ASSESS, recommendation_id)
        if verdict not in VERDICTS:
            raise InvalidInput("report.unknown_verdict")
        if await self.reporting.verdict_on_last_report(recommendation_id, user_id) == verdict:
            if verdict == "agree":
                raise Stale("assess.already_agree")
            raise Stale("assess.already_disagree")
        return subject, roles

    async def assess(
        self, actor_id: int, recommendation_id: int, verdict: str, comment: str | None = None
    ) -> HistoryRow:
        subject, roles = await self.check_assess(actor_id, recommendation_id, verdict)
        entry_id = await self.reporting.append(
            _entry(
                subject,
                actor_id,
                roles,
                "assessment",
                self.clock.iso(),
                verdict=verdict,
                old_status=subject.recommendation.status,
                comment=_clean_comment(comment),
            )
        )
        return await self._after_change(subject, entry_id, actor_id)

    async def set_deadline(
        self, actor_id: int, recommendation_id: int, deadline: dt.date | None
    ) -> HistoryRow:
        subject, roles = await self.check(actor_id, Action.SET_DEADLINE, recommendation_id)
        now = self.clock.iso()
        new = deadline.isoformat() if deadline else None
        async with self.db.transaction():
            entry_id = await self.reporting.append(
                _entry(
                    subject,
                    actor_id,
                    roles,
                    "deadline",
                    now,
                    old_deadline=subject.recommendation.deadline,
                    new_deadline=new,
                )
            )
            await self.documents.update_recommendation(
                recommendation_id,
                {
                    "deadline": new,
                    "deadline_precision": "day" if new else None,
                    "deadline_phrase": None,
                    "deadline_source": "coordinator",
                    # A date set by hand is a plain date, not a recurring or relative term.
                    "deadline_kind": "once",
                    "deadline_note": None,
                    "deadline_period": None,
                },
                now,
            )
        for hook in self.after_deadline:
            await hook(subject.document.id)
        return await self._after_change(subject, entry_id, actor_id)

    async def read_deadline(
        self, user_id: int, recommendation_id: int, text: str
    ) -> TypedDeadline | None:
        """The deadline a coordinator typed («до 31 марта 2027», «через две недели»…), read
        against their local today; None when it cannot be understood.  Nothing is saved."""
        subject, _ = await self.check(user_id, Action.SET_DEADLINE, recommendation_id)
        zone = await self.reader_zone(user_id, subject.document)
        return read_deadline(text, local_date(self.clock.now(), zone))

    async def read_letter(self, user_id: int, recommendation_id: int, text: str) -> Letter:
        """«№ 01-12/345 от 05.11.2026» read against the coordinator's local today (a letter
        cannot be dated in the future); raises ``LetterError``.  Nothing is saved."""
        from bot.letters import read_letter

        subject, _ = await self.check(user_id, Action.RECORD_LETTER, recommendation_id)
        zone = await self.reader_zone(user_id, subject.document)
        return read_letter(text, local_date(self.clock.now(), zone))

    async def card(self, user_id: int, recommendation_id: int) -> Card:
        """Everything a card shows to this user, with what they may do on it (one read)."""
        view = await self.reporting.card_view(recommendation_id, user_id)
        if view is None:
            raise NotFound("report.not_found")
        if user_id < 0:  # an official's web link
            roles = await self.access.roles(user_id)
        else:
            roles = self.access.held(user_id, view.coordinator_regions, view.official_addressees)
        subject = Subject(
            view.recommendation, view.document, frozenset(a.id for a in view.addressees)
        )
        target = subject.target
        history = view.history
        zone = zone_for(view.reader_region or view.document.region, self.default_tz)
        today = local_date(self.clock.now(), zone)
        return Card(
            # A recurring term shows the occurrence due now in the reader's local time.
            recommendation=current_row(view.recommendation, today),
            document=view.document,
            addressees=view.addressees,
            history=history,
            zone=zone,
            today=today,
            following=view.following,
            can_report=allowed(roles, Action.REPORT_STATUS, target),
            # Something to agree or disagree with once a body has reported, and not one's
            # own entry (a coordinator's letter entry is assessed by others).
            can_assess=allowed(roles, Action.ASSESS, target)
            and (last := last_report(history)) is not None
            and last.actor_id != user_id,
            can_set_deadline=allowed(roles, Action.SET_DEADLINE, target),
            # A coordinator enters what an addressee not in Telegram wrote in a letter.
            can_record_letter=allowed(roles, Action.RECORD_LETTER, target),
            can_correct=allowed(roles, Action.CORRECT_DOCUMENT, Target(region=target.region)),
            calendars=[
                (a.canonical, url) for a in view.addressees if (url := self.calendar_url(a.id))
            ],
            reported=view.reported,
        )

    async def reader_zone(self, user_id: int, document: DocumentRow) -> ZoneInfo:
        """Dates a person reads are in their region's time, else in the document's region's."""
        user = await self.users.get(user_id)
        region = (user.region if user else None) or document.region
        return zone_for(region, self.default_tz)

    async def evidence(self, user_id: int, entry_id: int) -> Evidence:
        """The file, photo or link of a history entry, for anyone who may read the card."""
        entry = await self.reporting.history_entry(entry_id)
        if entry is None or not entry.evidence_kind or not entry.evidence:
            raise NotFound("report.evidence_not_found")
        subject = await self.subject(entry.recommendation_id)
        await self.access.require(user_id, Action.VIEW, subject.target)
        return Evidence(entry.evidence_kind, entry.evidence, entry.evidence_name)

    async def can(self, user_id: int, action: Action, recommendation_id: int) -> bool:
        subject = await self.subject(recommendation_id)
        return allowed(await self.access.roles(user_id), action, subject.target)

    async def follow(self, user_id: int, recommendation_id: int, on: bool) -> None:
        await self.subject(recommendation_id)  # exists
        if on:
            await self.subscriptions.follow(user_id, recommendation_id, self.clock.iso())
        else:
            await self.subscriptions.unfollow(user_id, recommendation_id)

    async def remember_message(self, chat_id: int, message_id: int, rec_ids: list[int]) -> None:
        """Replies to this message are about these recommendations (written now)."""
        await self.reporting.remember_message(chat_id, message_id, rec_ids)

    def remember_card(self, chat_id: int, message_id: int, rec_id: int) -> None:
        """A card shown: written with others a moment later (storage/message_refs.py)."""
        self.reporting.refs.remember_soon(chat_id, message_id, [rec_id])

    async def flush_message_refs(self) -> None:
        await self.reporting.refs.flush()

    async def recommendations_of_message(self, chat_id: int, message_id: int) -> list[int]:
        return await self.reporting.recommendations_of_message(chat_id, message_id)

    async def history(self, recommendation_id: int) -> list[HistoryRow]:
        return await self.reporting.history(recommendation_id)

    async def _after_change(self, subject: Subject, entry_id: int, actor_id: int) -> HistoryRow:
        entry = next(
            e
            for e in await self.reporting.history(subject.recommendation.id, 5)
            if e.id == entry_id
        )
        told = await self._tell_responsible(subject, entry, actor_id)
        await self._notify_followers(subject, entry, told | {actor_id})
        return entry

    async def _tell_responsible(
        self, subject: Subject, entry: HistoryRow, actor_id: int
    ) -> set[int]:
        """The body's officials hear, once, of a new deadline, a public disagreement or a
        report the coordinator entered from the body's letter."""
        if entry.event == "deadline":
            key = "responsible.deadline"
        elif entry.event == "status" and entry.basis == "letter":
            key = "responsible.letter"
        elif entry.event == "assessment" and entry.verdict == "disagree":
            key = "responsible.disagree"
        else:
            return set()
        officials: set[int] = set()
        for addressee_id in sorted(subject.addressee_ids):
            officials.update(await self.reporting.officials_of(addressee_id))
        officials.discard(actor_id)
        await self._send_change(subject, entry, sorted(officials), key, "responsible")
        return officials

    async def _notify_followers(self, subject: Subject, entry: HistoryRow, skip: set[int]) -> None:
        """Immediate followers (and those without digests) get a notice now; the others read
        it in their digest."""
        followers = []
        for user_id in await self.subscriptions.followers(subject.recommendation.id):
            user = None if user_id in skip else await self.users.get(user_id)
            if user is not None and hears_changes_at_once(user):
                followers.append(user_id)
        await self._send_change(subject, entry, followers, "notify.change", "notice")

    async def _send_change(
        self, subject: Subject, entry: HistoryRow, recipients: list[int], text_key: str, kind: str
    ) -> None:
        """One message per person about a history entry, dated in that person's local time;
        the ledger key (kind, entry, person) makes it once."""
        if not recipients:
            return
        fresh = await self.documents.get_recommendation(subject.recommendation.id)
        if fresh is None:
            return
        keyboard = notice_keyboard(self.texts, fresh.id)
        for user_id in recipients:
            zone = await self.reader_zone(user_id, subject.document)
            text = self.texts(
                text_key,
                title=recommendation_title(fresh, subject.document),
                change=describe_entry(self.texts, entry, zone),
            )
            await self.outbox.enqueue(
                user_id,
                kind,
                f"{kind}:{entry.id}:{user_id}",
                text,
                keyboard=keyboard,
                recommendation_ids=[fresh.id],
            )


def _entry(
    subject: Subject, actor_id: int, roles: Roles, event: str, at: str, **fields: Any
) -> dict[str, Any]:
    """A history row: who, in which capacity, when, what."""
    return {
        "recommendation_id": subject.recommendation.id,
        "actor_id": actor_id,
        "actor_role": roles.role_for(subject.target),
        "event": event,
        "created_at": at,
        **fields,
    }


def _letter_fields(letter: Letter | None) -> dict[str, str | None]:
    if letter is None:
        return {}
    return {
        "basis": "letter",
        "letter_number": letter.number,
        "letter_date": letter.date.isoformat(),
    }


def _evidence_fields(evidence: Evidence | None) -> dict[str, str | None]:
    if evidence is None:
        return {}
    return {
        "evidence_kind": evidence.kind,
        "evidence": evidence.value,
        "evidence_name": evidence.name,
    }
