"""Invites bind officials to addressees: a coordinator makes a deep link, the official opens it."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from bot.access import AccessService, Action, Target
from bot.clock import Clock, from_iso, to_iso
from bot.errors import InvalidInput, NotFound, PermissionDenied, Stale
from storage.db import Database
from storage.documents import AddresseeRow, DocumentRepository, DocumentRow
from storage.reporting import InviteRow, ReportingRepository

DEFAULT_DAYS = 14
MAX_USES = 100


@dataclass(frozen=True)
class InviteInfo:
    invite: InviteRow
    addressee: AddresseeRow
    document: DocumentRow


class InviteService:
    def __init__(
        self,
        db: Database,
        documents: DocumentRepository,
        reporting: ReportingRepository,
        access: AccessService,
        clock: Clock,
    ) -> None:
        self.db = db
        self.documents = documents
        self.reporting = reporting
        self.access = access
        self.clock = clock

    async def _addressee(self, addressee_id: int) -> tuple[AddresseeRow, DocumentRow]:
        addressee = await self.documents.get_addressee(addressee_id)
        if addressee is None:
            raise NotFound("invite.no_addressee")
        document = await self.documents.get(addressee.document_id)
        assert document is not None  # an addressee belongs to a document (a foreign key)
        return addressee, document

    async def create(
        self, actor_id: int, addressee_id: int, max_uses: int = 1, days: int = DEFAULT_DAYS
    ) -> InviteRow:
        await self.access.require_role(actor_id, Action.INVITE)  # before any lookup
        _, document = await self._addressee(addressee_id)
        await self.access.require(actor_id, Action.INVITE, Target(region=document.region))
        if not 1 <= max_uses <= MAX_USES or not 1 <= days <= 365:
            raise InvalidInput("invite.bad_limits")
        now = self.clock.now()
        token = secrets.token_urlsafe(16)  # 22 characters, fits /start's 64-character payload
        invite_id = await self.reporting.create_invite(
            token,
            addressee_id,
            actor_id,
            max_uses,
            to_iso(now + dt.timedelta(days=days)),
            to_iso(now),
        )
        invite = await self.reporting.get_invite(invite_id)
        assert invite is not None  # just written
        return invite

    async def documents_for(self, actor_id: int) -> list[DocumentRow]:
        """The resolutions a coordinator may invite officials to: their regions' (all for an
        admin)."""
        roles = await self.access.roles(actor_id)
        if not roles.is_coordinator:
            raise PermissionDenied("access.coordinators_only")
        return [
            d
            for d in await self.documents.list_documents()
            if roles.is_admin or d.region in roles.coordinator_regions
        ]

    async def addressee(self, addressee_id: int) -> AddresseeRow:
        """A body named in a resolution (public: no permission needed)."""
        addressee = await self.documents.get_addressee(addressee_id)
        if addressee is None:  # a stale button: addressees are never deleted, ids are not reused
            raise NotFound("invite.no_addressee")
        return addressee

    async def addressees_for(self, actor_id: int, document_id: int) -> list[AddresseeRow]:
        """The bodies of a resolution a coordinator may invite to (their region only)."""
        await self.access.require_role(actor_id, Action.INVITE)  # before the lookup
        document = await self.documents.get(document_id)
        if document is None:
            raise NotFound("invite.no_addressee")
        await self.access.require(actor_id, Action.INVITE, Target(region=document.region))
        return await self.documents.addressees(document_id)

    async def suggestions(self, actor_id: int, document_id: int) -> list[tuple[AddresseeRow, bool]]:
        """Who to invite after publishing: the addressees that have recommendations, with
        whether each already has an official; those without one first."""
        addressees = await self.addressees_for(actor_id, document_id)
        live = {r.id for r in await self.documents.recommendations(document_id)}
        links = await self.documents.addressee_ids_by_recommendation(document_id)
        used = {a for rec_id, ids in links.items() if rec_id in live for a in ids}
        result = [
            (a, bool(await self.reporting.officials_of(a.id))) for a in addressees if a.id in used
        ]
        return sorted(result, key=lambda pair: pair[1])

    async def addressee_for(
        self, actor_id: int, addressee_id: int, action: Action = Action.INVITE
    ) -> AddresseeRow:
        """A body this coordinator may invite to (or, with REVOKE, unbind an official of)."""
        await self.access.require_role(actor_id, action)  # before the lookup
        addressee, document = await self._addressee(addressee_id)
        await self.access.require(actor_id, action, Target(region=document.region))
        return addressee

    async def inspect(self, token: str) -> InviteInfo:
        """What an invite is for, checked for validity; raises NotFound or Stale if unusable."""
        invite = await self.reporting.invite_by_token(token)
        if invite is None:
            raise NotFound("invite.unknown")
        if invite.revoked_at is not None:
            raise Stale("invite.revoked")
        if from_iso(invite.expires_at) <= self.clock.now():
            raise Stale("invite.expired")
        if invite.uses >= invite.max_uses:
            raise Stale("invite.used_up")
        addressee, document = await self._addressee(invite.addressee_id)
        return InviteInfo(invite, addressee, document)

    async def accept(self, user_id: int, token: str) -> InviteInfo:
        info = await self.inspect(token)
        if info.addressee.id in await self.reporting.official_addressees(user_id):
            return info  # already bound: opening the link again spends nothing
        async with self.db.transaction():
            if not await self.reporting.use_invite(info.invite.id, self.clock.iso()):
                raise Stale("invite.used_up")
            await self.reporting.bind_official(
                user_id, info.addressee.id, info.invite.id, self.clock.iso()
            )
        return info

    async def revoke_invite(self, actor_id: int, invite_id: int) -> bool:
        await self.access.require_role(actor_id, Action.REVOKE)  # before any lookup
        invite = await self.reporting.get_invite(invite_id)
        if invite is None:
            return False
        _, document = await self._addressee(invite.addressee_id)
        await self.access.require(actor_id, Action.REVOKE, Target(region=document.region))
        return await self.reporting.revoke_invite(invite_id, self.clock.iso())

    async def revoke_official(self, actor_id: int, user_id: int, addressee_id: int) -> bool:
        await self.access.require_role(actor_id, Action.REVOKE)  # before any lookup
        _, document = await self._addressee(addressee_id)
        await self.access.require(actor_id, Action.REVOKE, Target(region=document.region))
        return await self.reporting.unbind_official(user_id, addressee_id, self.clock.iso())

    async def official_profile(self, user_id: int) -> tuple[str, str, str] | None:
        """(region, kind, name) of the body an official represents, known from the invite.

        An official need not fill the organization profile: /my reads the body's own.
        """
        for addressee_id in sorted(await self.reporting.official_addressees(user_id)):
            addressee, document = await self._addressee(addressee_id)
            if document is not None and document.region:
                return document.region, addressee.kind, addressee.canonical
        return None

    async def listing(self, actor_id: int) -> tuple[list[tuple[int, int]], list[InviteRow]]:
        """Officials and open invites in the regions this coordinator may manage."""
        roles = await self.access.roles(actor_id)
        if not roles.is_coordinator:
            raise PermissionDenied("access.coordinators_only")
        regions = [None] if roles.is_admin else sorted(roles.coordinator_regions)
        officials: list[tuple[int, int]] = []
        invites: list[InviteRow] = []
        for region in regions:
            officials += await self.reporting.officials_for_region(region)
            invites += await self.reporting.invites_for_region(region, self.clock.iso())
        return officials, invites
