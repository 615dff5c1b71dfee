"""Counters for ``/metrics`` and the facts ``/healthz`` judges by — one set per app instance.

Every ``Metrics`` has its own ``CollectorRegistry``: two bots in one process (tests) never
share figures, and nothing is registered at import time.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "Metrics"]

_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
_JOB_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


class Metrics:
    def __init__(self) -> None:
        self.registry = registry = CollectorRegistry(auto_describe=True)
        self.updates = Counter(
            "bot_updates", "Updates handled, by type", ["type"], registry=registry
        )
        self.handler_seconds = Histogram(
            "bot_handler_seconds",
            "Time to handle one update, by type",
            ["type"],
            buckets=_LATENCY_BUCKETS,
            registry=registry,
        )
        self.errors = Counter(
            "bot_errors",
            "Failures: handler errors, stale buttons, daily backups",
            ["kind"],
            registry=registry,
        )
        self.outbox_rows = Gauge(
            "bot_outbox_rows", "Outbox rows by status (at scrape time)", ["status"],
            registry=registry,
        )  # fmt: skip
        self.deliveries = Counter(
            "bot_deliveries", "Delivery attempts by result", ["result"], registry=registry
        )
        self.throttled = Counter(
            "bot_telegram_429", "Answers 429 Too Many Requests from the Bot API", registry=registry
        )
        self.job_seconds = Histogram(
            "bot_job_seconds",
            "Duration of scheduled runs (digests, nudges, backup)",
            ["job"],
            buckets=_JOB_BUCKETS,
            registry=registry,
        )
        self.last_contact = Gauge(
            "bot_last_contact_timestamp_seconds",
            "Unix time of the last successful poll or webhook call",
            registry=registry,
        )
        self.last_contact_monotonic: float | None = None

    # --- events ---------------------------------------------------------------------------

    def contact(self) -> None:
        """A successful getUpdates or a webhook call: Telegram and the bot talk."""
        self.last_contact_monotonic = time.monotonic()
        self.last_contact.set_to_current_time()

    def delivery(self, status: str, error: str | None = None) -> None:
        result = {"pending": "retry"}.get(status, status)
        if error == "429":
            result = "throttled"
        self.deliveries.labels(result).inc()

    def seconds_since_contact(self) -> float | None:
        if self.last_contact_monotonic is None:
            return None
        return time.monotonic() - self.last_contact_monotonic

    def set_outbox(self, counts: dict[str, int]) -> None:
        for status in ("pending", "sending", "sent", "failed", "blocked", "cancelled"):
            self.outbox_rows.labels(status).set(counts.get(status, 0))

    def render(self) -> bytes:
        return generate_latest(self.registry)
