"""Scheduled work: a few APScheduler interval jobs with stable ids that ask SQLite what is due.

The scheduler keeps no state of its own (memory job store, rebuilt at every start); the
planners' ledger keys in the outbox make each digest and nudge go out once whatever the
timing of the runs, and the delivery worker sends what they queue.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.backup import BackupError, scheduled_backup
from bot.container import Services

log = logging.getLogger(__name__)

DIGEST_JOB = "plan-digests"
NUDGE_JOB = "plan-nudges"
BACKUP_JOB = "daily-backup"
RETENTION_JOB = "purge-expired"


def create_scheduler(services: Services) -> AsyncIOScheduler:
    settings = services.settings
    scheduler = AsyncIOScheduler(timezone=UTC)
    for job_id, plan, seconds in (
        (DIGEST_JOB, plan_digests, settings.digest_interval_seconds),
        (NUDGE_JOB, plan_nudges, settings.nudge_interval_seconds),
        (RETENTION_JOB, purge_expired, settings.retention_interval_seconds),
    ):
        scheduler.add_job(
            plan,
            "interval",
            seconds=seconds,
            id=job_id,
            args=[services],
            next_run_time=datetime.now(UTC),  # once at start too: catch up after downtime
            coalesce=True,
            max_instances=1,
            replace_existing=True,
        )
    if settings.backup_enabled and settings.database_path != ":memory:":
        scheduler.add_job(
            daily_backup,
            "cron",
            hour=settings.backup_hour_utc,
            minute=0,
            id=BACKUP_JOB,
            args=[services],
            coalesce=True,
            max_instances=1,
            misfire_grace_time=3600,
            replace_existing=True,
        )
    return scheduler


async def daily_backup(services: Services) -> None:
    """A consistent copy into BACKUP_DIR; only the newest BACKUP_KEEP stay."""
    settings = services.settings
    try:
        with services.metrics.job_seconds.labels("backup").time():
            result, removed = await asyncio.to_thread(
                scheduled_backup,
                settings.database_path,
                settings.backup_dir,
                settings.backup_keep,
                services.clock.now(),
            )
    except (BackupError, OSError) as exc:
        services.metrics.errors.labels("backup").inc()
        log.error("daily backup failed: %s", exc)
        return
    log.info(
        "daily backup: %s (%d bytes), %d old removed", result.path.name, result.size, len(removed)
    )


async def plan_digests(services: Services) -> None:
    with services.metrics.job_seconds.labels("digests").time():
        stats = await services.digests.run()
    if stats["queued"]:
        log.info("digests: %(due)d due, %(queued)d queued, %(empty)d empty", stats)


async def plan_nudges(services: Services) -> None:
    with services.metrics.job_seconds.labels("nudges").time():
        queued = await services.nudges.run()
    if queued:
        log.info("nudges: %d queued", queued)


async def purge_expired(services: Services) -> None:
    """Retention (152-ФЗ): old message payloads, abandoned drafts and dialogs."""
    purged = await services.privacy.purge_expired()
    if any(purged.values()):
        log.info(
            "retention: %(payloads)d payloads, %(dialogs)d dialogs, %(announcement_drafts)d"
            " announcement drafts, %(document_drafts)d document drafts purged",
            purged,
        )
