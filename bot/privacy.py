"""Personal data under 152-ФЗ: consent, «what do you keep about me», forgetting, retention.

Nothing is stored about a person before they consent (the registration middleware asks
``may_store`` first); a refusal is kept on its own, without a name.  ``export`` and ``forget``
act on the caller's own data only (``Action.PERSONAL_DATA``).  What an official reported
stays in the history as their organization's, without their name or id.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.access import AccessService, Action, Target
from bot.clock import Clock, to_iso
from bot.paths import CONTENT_DIR
from bot.settings import Settings
from bot.users import TelegramIdentity, UserService
from storage.db import Database
from storage.privacy import ConsentRow, PrivacyRepository
from storage.users import UserRecord

POLICY_DIR = CONTENT_DIR / "privacy"
_POLICY_RE = re.compile(r"^policy_v(\d+)\.md$")
EXPORT_FORMAT = 1


@dataclass(frozen=True)
class Policy:
    version: str
    text: str


@lru_cache(maxsize=1)
def current_policy() -> Policy:
    """The newest ``content/privacy/policy_vN.md``: its N is the version consent refers to."""
    found = [(int(m.group(1)), p) for p in POLICY_DIR.iterdir() if (m := _POLICY_RE.match(p.name))]
    if not found:
        raise RuntimeError(f"no policy_vN.md in {POLICY_DIR}")
    number, path = max(found)
    return Policy(version=str(number), text=path.read_text(encoding="utf-8").strip())


@dataclass(frozen=True)
class ConsentState:
    """Where a person stands: ``given`` only for the current version of the policy."""

    record: ConsentRow | None
    version: str

    @property
    def given(self) -> bool:
        return self.record is not None and self.record.given and self.record.version == self.version

    @property
    def refused(self) -> bool:
        return self.record is not None and not self.record.given


class PrivacyService:
    def __init__(
        self,
        settings: Settings,
        db: Database,
        repo: PrivacyRepository,
        users: UserService,
        access: AccessService,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.db = db
        self.repo = repo
        self.users = users
        self.access = access
        self.clock = clock

    @property
    def policy(self) -> Policy:
        return current_policy()

    async def consent(self, user_id: int) -> ConsentState:
        return ConsentState(await self.repo.consent(user_id), self.policy.version)

    async def arrive(
        self, identity: TelegramIdentity
    ) -> tuple[ConsentState, UserRecord | None, bool]:
        """Each update's sender: (consent, user, is_new).  One read; with consent, the person is
        registered or their Telegram names refreshed, written only when something changed.
        Without consent nothing is written: the user is their record from before, or None."""
        row, user = await self.repo.standing(identity.id)
        consent = ConsentState(row, self.policy.version)
        if not consent.given:
            return consent, user, user is None
        if user is not None and self.users.is_current(user, identity):
            return consent, user, False
        user, created = await self.users.touch(identity)
        return consent, user, created

    async def give_consent(self, identity: TelegramIdentity) -> tuple[UserRecord, bool]:
        """Record consent to the current policy and register the person; (user, is_new)."""
        now = self.clock.iso()
        async with self.db.transaction():
            await self.repo.record_consent(identity.id, "given", self.policy.version, now)
            return await self.users.touch(identity)

    async def refuse_consent(self, user_id: int) -> None:
        """Keep the refusal and nothing else: a person known from before is forgotten."""
        async with self.db.transaction():
            await self._forget(user_id)
            await self.repo.record_consent(
                user_id, "refused", self.policy.version, self.clock.iso()
            )

    async def export(self, actor_id: int, subject_id: int | None = None) -> dict[str, Any]:
        """Everything stored about the person, as plain JSON-ready data."""
        subject_id = actor_id if subject_id is None else subject_id
        await self.access.require(actor_id, Action.PERSONAL_DATA, Target(owner_id=subject_id))
        data = await self.repo.export(subject_id)
        history = data.pop("history")
        return {
            "format": EXPORT_FORMAT,
            "exported_at": self.clock.iso(),
            "user_id": subject_id,
            "policy_version": self.policy.version,
            **data,
            "reports": [h for h in history if h["event"] != "assessment"],
            "assessments": [h for h in history if h["event"] == "assessment"],
        }

    async def forget(self, actor_id: int, subject_id: int | None = None) -> dict[str, int]:
        """Delete the person's data; their reports stay as their organization's, anonymised."""
        subject_id = actor_id if subject_id is None else subject_id
        await self.access.require(actor_id, Action.PERSONAL_DATA, Target(owner_id=subject_id))
        async with self.db.transaction():
            return await self._forget(subject_id)

    async def _forget(self, user_id: int) -> dict[str, int]:
        # The coordinator's «… joined» notice names the person: see handlers/invites.py.
        prefixes = [
            f"joined:{invite_id}:" for invite_id in await self.repo.invites_used_by(user_id)
        ]
        return await self.repo.forget(user_id, prefixes, self.clock.iso())

    async def purge_expired(self) -> dict[str, int]:
        """Retention: delivered messages' payloads after OUTBOX_RETENTION_DAYS, abandoned
        dialogs and drafts after DRAFT_RETENTION_DAYS.  Asks the database, keeps no state."""
        now = self.clock.now()
        messages = to_iso(now - dt.timedelta(days=self.settings.outbox_retention_days))
        drafts = to_iso(now - dt.timedelta(days=self.settings.draft_retention_days))
        return {
            "payloads": await self.repo.purge_outbox_payloads(messages),
            "dialogs": await self.repo.purge_dialogs(drafts),
            "announcement_drafts": await self.repo.purge_announcement_drafts(drafts),
            "document_drafts": await self.repo.purge_document_drafts(drafts),
        }
