"""The services a handler or a job may use, built once per process from one database."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial

from bot.access import AccessService
from bot.announcements import AnnouncementService
from bot.bulk import BulkUpdateService
from bot.clock import Clock
from bot.correction_service import CorrectionService
from bot.digests import DigestPlanner
from bot.exports import ReportService
from bot.importer import ImportService
from bot.invites import InviteService
from bot.metrics import Metrics
from bot.nudges import NudgePlanner
from bot.outbox import OutboxService
from bot.paths import CONTENT_DIR
from bot.preferences import PreferenceService
from bot.privacy import PrivacyService
from bot.profiles import ProfileService
from bot.progress import ProgressService
from bot.public import PublicService, addressee_calendar_url
from bot.reporting import ReportingService
from bot.search import SearchService
from bot.settings import Settings
from bot.tasks import TaskService
from bot.texts import Texts
from bot.users import UserService
from bot.weblinks import WebLinkService
from storage.announcements import AnnouncementRepository
from storage.db import Database
from storage.digests import DigestRepository, NudgeRepository
from storage.documents import DocumentRepository, RecommendationQueries
from storage.exports import ExportRepository
from storage.fsm import FsmRepository
from storage.migrate import apply_migrations
from storage.outbox import OutboxRepository
from storage.people import PeopleCache
from storage.privacy import PrivacyRepository
from storage.progress import ProgressRepository
from storage.reporting import ReportingRepository
from storage.roles import RoleRepository
from storage.subscriptions import SubscriptionRepository
from storage.users import UserRepository
from storage.web import PublicRepository, WebLinkRepository

log = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    db: Database
    clock: Clock
    texts: Texts
    users: UserService
    access: AccessService
    documents: DocumentRepository
    importer: ImportService
    profiles: ProfileService
    outbox: OutboxService
    reporting: ReportingService
    invites: InviteService
    tasks: TaskService
    digests: DigestPlanner
    nudges: NudgePlanner
    preferences: PreferenceService
    search: SearchService
    announcements: AnnouncementService
    progress: ProgressService
    privacy: PrivacyService
    fsm: FsmRepository
    corrections: CorrectionService
    public: PublicService
    weblinks: WebLinkService
    reports: ReportService
    bulk: BulkUpdateService
    # Counters for /metrics: one registry per set of services, never shared.
    metrics: Metrics = field(default_factory=Metrics)


def build_services(
    settings: Settings, db: Database, clock: Clock | None = None, texts: Texts | None = None
) -> Services:
    clock = clock or Clock()
    texts = texts or Texts.load()
    users = UserRepository(db)
    user_service = UserService(users, clock)
    documents = DocumentRepository(db)
    people = PeopleCache(db)  # the one per process: people's rows between updates
    subscriptions = SubscriptionRepository(db, people)
    reporting = ReportingRepository(db)
    access = AccessService(settings, RoleRepository(db), reporting, clock)
    outbox = OutboxService(OutboxRepository(db), clock)
    digest_repo = DigestRepository(db)
    digests = DigestPlanner(digest_repo, outbox, texts, clock, settings.default_timezone)
    search = SearchService(db)
    importer = ImportService(
        db, documents, access, clock, settings.max_document_bytes, settings.parse_limits()
    )
    importer.after_import.append(search.reindex_document)
    reporting_service = ReportingService(
        db,
        documents,
        reporting,
        subscriptions,
        users,
        access,
        outbox,
        texts,
        clock,
        settings.default_timezone,
    )
    reporting_service.after_deadline.append(search.reindex_document)
    reporting_service.calendar_url = partial(addressee_calendar_url, settings)
    corrections = CorrectionService(importer, documents, access, reporting_service)
    progress_repo = ProgressRepository(db)
    progress = ProgressService(progress_repo, access, clock, settings.default_timezone)
    exports = ExportRepository(db)
    fsm = FsmRepository(db)  # the one per process: it caches the dialogs (storage/fsm.py)
    return Services(
        settings=settings,
        db=db,
        clock=clock,
        texts=texts,
        users=user_service,
        access=access,
        documents=documents,
        importer=importer,
        search=search,
        profiles=ProfileService(users, subscriptions, clock),
        outbox=outbox,
        reporting=reporting_service,
        invites=InviteService(db, documents, reporting, access, clock),
        digests=digests,
        preferences=PreferenceService(users, digest_repo, digests, clock),
        nudges=NudgePlanner(NudgeRepository(db), outbox, texts, clock, settings.default_timezone),
        tasks=TaskService(reporting, RecommendationQueries(db), clock, settings.default_timezone),
        announcements=AnnouncementService(
            db,
            AnnouncementRepository(db),
            documents,
            access,
            outbox,
            texts,
            clock,
            settings.default_timezone,
        ),
        progress=progress,
        privacy=PrivacyService(
            settings,
            db,
            PrivacyRepository(db, fsm, reporting.refs, people),
            user_service,
            access,
            clock,
        ),
        fsm=fsm,
        corrections=corrections,
        public=PublicService(
            PublicRepository(db),
            progress_repo,
            documents,
            reporting,
            clock,
            settings.default_timezone,
        ),
        weblinks=WebLinkService(
            WebLinkRepository(db), documents, access, clock, settings.web_link_days
        ),
        bulk=BulkUpdateService(exports, reporting_service, access, texts, settings.parse_limits()),
        reports=ReportService(
            exports,
            progress_repo,
            progress,
            access,
            texts,
            clock,
            settings.default_timezone,
        ),
    )


@asynccontextmanager
async def open_services(settings: Settings, clock: Clock | None = None) -> AsyncIterator[Services]:
    """Connect, migrate, build the services; close the database on the way out."""
    db = await Database.connect(settings.database_path)
    try:
        applied = await apply_migrations(db)
        if applied:
            log.info("migrations applied: %s", applied)
        services = build_services(settings, db, clock)
        try:
            yield services
        finally:
            await services.reporting.flush_message_refs()
    finally:
        await db.close()


async def import_seeds_if_empty(services: Services) -> None:
    """A new installation starts with the resolutions shipped in content/resolutions."""
    if not services.settings.import_seeds_on_empty or await services.documents.count():
        return
    results = await services.importer.import_directory(CONTENT_DIR / "resolutions")
    log.info(
        "imported %d shipped resolutions (%d recommendations)",
        len(results),
        sum(len(r.recommendation_ids) for r in results),
    )
