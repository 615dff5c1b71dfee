"""Roles and permissions, checked in the services (handlers only decide what to show).

Every state-changing service method calls ``AccessService.require`` first, so a forged
callback or a command typed by hand cannot do more than the buttons would allow.  The whole
matrix is the pure function ``allowed``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from bot.clock import Clock
from bot.errors import PermissionDenied
from bot.settings import Settings
from storage.reporting import ReportingRepository
from storage.roles import RoleRepository
from storage.web import WebLinkRepository


class Role(StrEnum):
    """In what capacity a person acts (stored with each history row), fewest rights first."""

    MEMBER = "member"
    OFFICIAL = "official"
    COORDINATOR = "coordinator"
    ADMIN = "admin"


class Action(StrEnum):
    IMPORT_DOCUMENT = "import_document"
    APPOINT_COORDINATOR = "appoint_coordinator"
    REPORT_STATUS = "report_status"
    COMMENT = "comment"
    ASSESS = "assess"
    SET_DEADLINE = "set_deadline"
    INVITE = "invite"
    REVOKE = "revoke"
    ANNOUNCE = "announce"
    VIEW = "view"  # read a recommendation: its card, history and evidence
    PERSONAL_DATA = "personal_data"  # see or erase what is stored about a person
    CORRECT_DOCUMENT = "correct_document"
    EXPORT_REPORT = "export_report"  # /report, a region's reports as files
    RECORD_LETTER = "record_letter"  # a status from an addressee's official letter
    BULK_UPDATE = "bulk_update"  # statuses from a spreadsheet sent back


@dataclass(frozen=True)
class Target:
    """What an action touches: the region of its document and the addressees concerned."""

    region: str | None = None
    addressee_ids: frozenset[int] = frozenset()
    owner_id: int | None = None  # whose personal data


@dataclass(frozen=True)
class Roles:
    user_id: int
    is_admin: bool = False
    coordinator_regions: frozenset[str] = field(default_factory=frozenset)
    official_addressees: frozenset[int] = field(default_factory=frozenset)

    def coordinates(self, region: str | None) -> bool:
        return self.is_admin or (region is not None and region in self.coordinator_regions)

    def is_official_for(self, target: Target) -> bool:
        return bool(self.official_addressees & target.addressee_ids)

    @property
    def is_coordinator(self) -> bool:
        return self.is_admin or bool(self.coordinator_regions)

    @property
    def is_official(self) -> bool:
        return bool(self.official_addressees)

    def names(self) -> set[str]:
        names: set[str] = {Role.MEMBER}
        if self.official_addressees:
            names.add(Role.OFFICIAL)
        if self.coordinator_regions:
            names.add(Role.COORDINATOR)
        if self.is_admin:
            names |= {Role.ADMIN, Role.COORDINATOR}
        return names

    def role_for(self, target: Target) -> Role:
        """The capacity in which this user acts on the target (recorded in the history)."""
        if self.is_official_for(target):
            return Role.OFFICIAL
        if target.region is not None and target.region in self.coordinator_regions:
            return Role.COORDINATOR
        if self.is_admin:
            return Role.ADMIN
        return Role.MEMBER


def allowed(roles: Roles, action: Action, target: Target = Target()) -> bool:
    """The permission matrix."""
    if action is Action.PERSONAL_DATA:
        # Only one's own: not even an admin reads or erases another person's data here.
        return target.owner_id == roles.user_id
    if roles.is_admin:
        return True
    match action:
        case Action.APPOINT_COORDINATOR:
            return False
        case Action.VIEW:
            # Published resolutions are public: everyone who uses the bot may read them.
            return True
        case Action.IMPORT_DOCUMENT:
            return roles.is_coordinator and (
                target.region is None or roles.coordinates(target.region)
            )
        case Action.REPORT_STATUS | Action.COMMENT:
            return roles.is_official_for(target) or roles.coordinates(target.region)
        case Action.ASSESS:
            # The civil-society view: anyone but the body that reports on its own work.
            return not roles.is_official_for(target)
        case _ if action in REGION_COORDINATOR_ACTIONS:
            return roles.coordinates(target.region)
    return False


# What the coordinator of the target's region (or an admin) does.
REGION_COORDINATOR_ACTIONS = frozenset(
    {
        Action.SET_DEADLINE,
        Action.INVITE,
        Action.REVOKE,
        Action.ANNOUNCE,
        Action.CORRECT_DOCUMENT,
        Action.EXPORT_REPORT,
        Action.RECORD_LETTER,
        Action.BULK_UPDATE,
    }
)
# What nobody but a coordinator (of some region) or an admin does, whatever the target.
COORDINATOR_ACTIONS = REGION_COORDINATOR_ACTIONS | {Action.IMPORT_DOCUMENT}


def refuse_unless(roles: Roles, action: Action, target: Target) -> None:
    """Raise the refusal a person reads unless ``roles`` allow the action on the target."""
    if not allowed(roles, action, target):
        if action is Action.IMPORT_DOCUMENT and roles.is_coordinator:
            raise PermissionDenied("access.other_region", region=target.region or "")
        raise PermissionDenied(DENIED_TEXT[action], region=target.region or "")


DENIED_TEXT = {
    Action.APPOINT_COORDINATOR: "access.admins_only",
    Action.IMPORT_DOCUMENT: "access.coordinators_only",
    Action.REPORT_STATUS: "access.not_responsible",
    Action.COMMENT: "access.not_responsible",
    Action.ASSESS: "access.own_work",
    Action.SET_DEADLINE: "access.region_coordinators_only",
    Action.INVITE: "access.region_coordinators_only",
    Action.REVOKE: "access.region_coordinators_only",
    Action.ANNOUNCE: "access.region_coordinators_only",
    Action.VIEW: "report.not_found",
    Action.PERSONAL_DATA: "access.own_data_only",
    Action.CORRECT_DOCUMENT: "access.region_coordinators_only",
    Action.EXPORT_REPORT: "access.region_coordinators_only",
    Action.RECORD_LETTER: "access.region_coordinators_only",
    Action.BULK_UPDATE: "access.region_coordinators_only",
}


class AccessService:
    def __init__(
        self,
        settings: Settings,
        repo: RoleRepository,
        reporting: ReportingRepository,
        clock: Clock,
    ) -> None:
        self.settings = settings
        self.repo = repo
        self.reporting = reporting
        self.clock = clock
        self.web_links = WebLinkRepository(reporting.db)

    async def roles(self, user_id: int) -> Roles:
        if user_id < 0:
            # An official's web link (bot/weblinks.py) acts as -link id: an official of its
            # addressee while it is neither revoked nor expired, else nobody.
            addressee = await self.web_links.valid_addressee(-user_id, self.clock.iso())
            return Roles(
                user_id=user_id,
                official_addressees=frozenset(() if addressee is None else (addressee,)),
            )
        regions, addressees = await self.repo.held(user_id)
        return self.held(user_id, regions, addressees)

    def held(
        self, user_id: int, coordinator_regions: frozenset[str], official_addressees: frozenset[int]
    ) -> Roles:
        """The roles of a person (not a web link) from the rows that grant them, read now:
        nothing is kept, so a role granted or revoked counts from the next update on."""
        return Roles(
            user_id=user_id,
            is_admin=self.settings.is_admin(user_id),
            coordinator_regions=coordinator_regions,
            official_addressees=official_addressees,
        )

    async def require(
        self,
        user_id: int,
        action: Action,
        target: Target | None = None,
        *,
        region: str | None = None,
    ) -> Roles:
        roles = await self.roles(user_id)
        refuse_unless(roles, action, target or Target(region=region))
        return roles

    async def require_role(self, user_id: int, action: Action) -> Roles:
        """The role an action needs at all, checked before anything is looked up: a person
        who coordinates nowhere is refused a coordinator's action by role, whatever id a
        forged button carries (rather than «not found»)."""
        roles = await self.roles(user_id)
        if action in COORDINATOR_ACTIONS and not roles.is_coordinator:
            raise PermissionDenied("access.coordinators_only")
        return roles

    async def appoint_coordinator(self, actor_id: int, user_id: int, region: str) -> bool:
        """Returns False when the user already coordinated that region."""
        await self.require(actor_id, Action.APPOINT_COORDINATOR)
        return await self.repo.add_coordinator(user_id, region, actor_id, self.clock.iso())

    async def dismiss_coordinator(self, actor_id: int, user_id: int, region: str) -> bool:
        await self.require(actor_id, Action.APPOINT_COORDINATOR)
        return await self.repo.remove_coordinator(user_id, region)

    async def coordinators(self, actor_id: int) -> list[tuple[int, str]]:
        await self.require(actor_id, Action.APPOINT_COORDINATOR)
        return await self.repo.coordinators()
