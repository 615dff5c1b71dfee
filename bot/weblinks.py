"""Personal links to the officials' web form: an official who cannot or may not use Telegram
reports through a browser.

The rules are the invites' (``bot/invites.py``): a coordinator of the region makes a link for
one addressee; it expires and can be revoked.  Only the SHA-256 of the token is stored.  In the
services a link acts as the user id ``-link id`` (``web_actor_id``): ``AccessService.roles``
gives that actor the official's rights on the addressee while the link is good, so reports go
through ``ReportingService`` with the same permission checks as in the chat.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from bot.access import AccessService, Action, Target
from bot.clock import Clock, from_iso, to_iso
from bot.errors import NotFound, PermissionDenied, Stale
from storage.documents import AddresseeRow, DocumentRepository, DocumentRow
from storage.web import WebLinkRepository, WebLinkRow


@dataclass(frozen=True)
class WebLinkInfo:
    link: WebLinkRow
    addressee: AddresseeRow
    document: DocumentRow

    @property
    def actor_id(self) -> int:
        return web_actor_id(self.link.id)


@dataclass(frozen=True)
class NewWebLink:
    link: WebLinkRow
    token: str  # shown once, to the coordinator who made it; never stored


def web_actor_id(link_id: int) -> int:
    """The user id a link acts as in the services and the history (Telegram ids are > 0)."""
    return -link_id


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    return 20 <= len(token) <= 64 and all(c.isalnum() or c in "-_" for c in token)


class WebLinkService:
    def __init__(
        self,
        links: WebLinkRepository,
        documents: DocumentRepository,
        access: AccessService,
        clock: Clock,
        days: int,
    ) -> None:
        self.links = links
        self.documents = documents
        self.access = access
        self.clock = clock
        self.days = days

    async def _addressee(self, addressee_id: int) -> tuple[AddresseeRow, DocumentRow]:
        addressee = await self.documents.get_addressee(addressee_id)
        document = await self.documents.get(addressee.document_id) if addressee else None
        if addressee is None or document is None:
            raise NotFound("web.link_unknown")
        return addressee, document

    async def create(self, actor_id: int, addressee_id: int) -> NewWebLink:
        await self.access.require_role(actor_id, Action.INVITE)  # before any lookup
        _, document = await self._addressee(addressee_id)
        await self.access.require(actor_id, Action.INVITE, Target(region=document.region))
        token = secrets.token_urlsafe(24)
        now = self.clock.now()
        link_id = await self.links.create(
            hash_token(token),
            addressee_id,
            actor_id,
            to_iso(now + dt.timedelta(days=self.days)),
            to_iso(now),
        )
        link = await self.links.get(link_id)
        assert link is not None
        return NewWebLink(link, token)

    async def open(self, token: str) -> WebLinkInfo:
        """What a link is for, checked: NotFound when unknown, Stale when revoked or expired."""
        link = await self.links.by_hash(hash_token(token)) if looks_like_token(token) else None
        if link is None:
            raise NotFound("web.link_unknown")
        if link.revoked_at is not None:
            raise Stale("web.link_revoked")
        if from_iso(link.expires_at) <= self.clock.now():
            raise Stale("web.link_expired")
        addressee, document = await self._addressee(link.addressee_id)
        return WebLinkInfo(link, addressee, document)

    async def touch(self, info: WebLinkInfo) -> None:
        await self.links.touch(info.link.id, self.clock.iso())

    async def revoke(self, actor_id: int, link_id: int) -> bool:
        await self.access.require_role(actor_id, Action.REVOKE)  # before the lookup
        link = await self.links.get(link_id)
        if link is None:
            return False
        _, document = await self._addressee(link.addressee_id)
        await self.access.require(actor_id, Action.REVOKE, Target(region=document.region))
        return await self.links.revoke(link_id, self.clock.iso())

    async def listing(self, actor_id: int) -> list[WebLinkRow]:
        """Open links in the regions this coordinator may manage (for /officials)."""
        roles = await self.access.roles(actor_id)
        if not roles.is_coordinator:
            raise PermissionDenied("access.coordinators_only")
        regions: list[str | None] = (
            [None] if roles.is_admin else list(sorted(roles.coordinator_regions))
        )
        links: list[WebLinkRow] = []
        for region in regions:
            links += await self.links.open_for_region(region, self.clock.iso())
        return links
