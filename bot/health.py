"""``/healthz`` and ``/metrics`` on an optional HTTP port (METRICS_PORT; off when 0).

``/healthz`` answers 200 when the database answers and the bot has talked to Telegram lately
(a successful long poll within HEALTH_STALE_SECONDS; in webhook mode, where a quiet chat sends
nothing, the database alone decides), else 503; the body says which.  ``/metrics`` is the
Prometheus text format of this instance's registry, the outbox counted at scrape time.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict, dataclass

from aiohttp import web

from bot.metrics import CONTENT_TYPE_LATEST, Metrics
from bot.settings import port_in_use
from storage.db import Database
from storage.outbox import OutboxRepository

log = logging.getLogger(__name__)

DB_TIMEOUT = 5.0


@dataclass
class HealthReport:
    healthy: bool
    database: bool
    mode: str
    seconds_since_contact: float | None
    outbox_pending: int | None
    outbox_sending: int | None


class HealthService:
    def __init__(
        self, db: Database, metrics: Metrics, stale_seconds: float, webhook: bool = False
    ) -> None:
        self.db = db
        self.outbox = OutboxRepository(db)
        self.metrics = metrics
        self.stale_seconds = stale_seconds
        self.webhook = webhook

    async def _outbox(self) -> dict[str, int] | None:
        try:
            counts = await asyncio.wait_for(self.outbox.status_counts(), DB_TIMEOUT)
        except Exception as exc:  # locked, closed, disk gone: the answer is "unhealthy"
            log.warning("health: database check failed: %s", type(exc).__name__)
            return None
        self.metrics.set_outbox(counts)
        return counts

    async def check(self) -> HealthReport:
        counts = await self._outbox()
        since = self.metrics.seconds_since_contact()
        fresh = self.webhook or (since is not None and since <= self.stale_seconds)
        return HealthReport(
            healthy=counts is not None and fresh,
            database=counts is not None,
            mode="webhook" if self.webhook else "polling",
            seconds_since_contact=round(since, 1) if since is not None else None,
            outbox_pending=None if counts is None else counts.get("pending", 0),
            outbox_sending=None if counts is None else counts.get("sending", 0),
        )

    async def metrics_text(self) -> bytes:
        await self._outbox()
        return self.metrics.render()


def create_health_app(health: HealthService) -> web.Application:
    async def healthz(_: web.Request) -> web.Response:
        report = await health.check()
        return web.json_response(asdict(report), status=200 if report.healthy else 503)

    async def metrics(_: web.Request) -> web.Response:
        body = await health.metrics_text()
        response = web.Response(body=body)
        response.headers["Content-Type"] = CONTENT_TYPE_LATEST
        return response

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    return app


async def start_health_server(health: HealthService, host: str, port: int) -> web.AppRunner:
    runner = web.AppRunner(create_health_app(health), access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise port_in_use("METRICS_PORT", host, port, error) from None
    log.info("health and metrics on http://%s:%s/healthz and /metrics", host, port)
    return runner
