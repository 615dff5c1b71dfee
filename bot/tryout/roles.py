"""Roles for the terminal's people, set up the way real people get them.

Each of them has opened the bot and agreed to the processing of their data
(:class:`~bot.privacy.PrivacyService`, as the consent button does).  The administrator is
one of the ``ADMIN_IDS`` (as in production); the administrator appoints
the coordinator through :class:`~bot.access.AccessService`; the coordinator creates an invite
through :class:`~bot.invites.InviteService` and the official accepts it.  Nothing is written
to the database behind the services' back, so every permission check still applies.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

from bot.regions import region_by_name, search_regions
from bot.users import TelegramIdentity

if TYPE_CHECKING:
    from bot.container import Services
    from bot.tryout.terminal import Person


def resolve_region(query: str) -> str | None:
    """A region's canonical name from its name or a few letters of it."""
    query = query.strip()
    if not query:
        return None
    exact = region_by_name(query)
    if exact is not None:
        return exact.name
    found = search_regions(query, limit=1)
    return found[0].name if found else None


async def default_region(services: Services) -> str | None:
    """The region with the most recommendations among the loaded resolutions."""
    weights: Counter[str] = Counter()
    for document in await services.documents.list_documents():
        if document.region:
            weights[document.region] += len(await services.documents.recommendations(document.id))
    return weights.most_common(1)[0][0] if weights else None


async def touch(services: Services, person: Person) -> None:
    """A person who has opened the bot and agreed to the processing of their data (only
    such a person is registered, and only a registered one can be appointed or invited)."""
    if (await services.privacy.consent(person.user_id)).given:
        return
    await services.privacy.give_consent(
        TelegramIdentity(id=person.user_id, first_name=person.first_name, language_code="ru")
    )


async def appoint(services: Services, admin: Person, coordinator: Person, region: str) -> None:
    await touch(services, admin)
    await touch(services, coordinator)
    await services.access.appoint_coordinator(admin.user_id, coordinator.user_id, region)


async def invite_official(
    services: Services, coordinator: Person, official: Person, regions: list[str]
) -> str | None:
    """The coordinator invites the official for the body with the most recommendations in
    their regions and the official accepts; returns the body's name (None: nobody to invite)."""
    best: tuple[int, int] | None = None
    for region in regions:
        for document in await services.documents.list_documents(region):
            links = await services.documents.addressee_ids_by_recommendation(document.id)
            counts = Counter(a for ids in links.values() for a in ids)
            for addressee_id, n in counts.items():
                if best is None or n > best[0]:
                    best = (n, addressee_id)
    if best is None:
        return None
    invite = await services.invites.create(coordinator.user_id, best[1])
    await touch(services, official)
    info = await services.invites.accept(official.user_id, invite.token)
    return info.addressee.canonical
