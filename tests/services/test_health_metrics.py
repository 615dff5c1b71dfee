"""/healthz and /metrics: what they say, per app instance, fed by real updates."""

from __future__ import annotations

import pytest
from aiogram.exceptions import TelegramRetryAfter
from aiogram.methods import GetUpdates, SendMessage
from aiohttp.test_utils import TestClient, TestServer

from bot.health import HealthService, create_health_app
from bot.metrics import Metrics
from handlers.metrics import BotApiMetrics


def sample(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def client_for(health: HealthService) -> TestClient:
    client = TestClient(TestServer(create_health_app(health)))
    await client.start_server()
    return client


async def test_healthz_needs_a_recent_poll_and_the_database(services):
    health = HealthService(services.db, services.metrics, stale_seconds=60)
    client = await client_for(health)
    try:
        response = await client.get("/healthz")
        assert response.status == 503  # never polled yet
        body = await response.json()
        assert body["database"] is True and body["seconds_since_contact"] is None
        services.metrics.contact()
        response = await client.get("/healthz")
        assert response.status == 200
        assert (await response.json())["outbox_pending"] == 0
        health.stale_seconds = 0  # the last poll is now too old
        assert (await client.get("/healthz")).status == 503
    finally:
        await client.close()


async def test_healthz_is_503_when_the_database_is_gone(services, db):
    services.metrics.contact()
    health = HealthService(db, services.metrics, stale_seconds=60)
    assert (await health.check()).healthy
    await db.close()
    report = await health.check()
    assert not report.healthy and not report.database


async def test_webhook_mode_does_not_need_traffic(services):
    health = HealthService(services.db, services.metrics, stale_seconds=60, webhook=True)
    assert (await health.check()).healthy


async def test_metrics_count_updates_errors_and_outbox(harness, services):
    await harness.send(501, "/start")
    await harness.send(501, "/help")
    await harness.click(501, "card:99999999999999999999999")  # a bogus button
    metrics = services.metrics
    assert sample(metrics, "bot_updates_total", type="message") == 2
    assert sample(metrics, "bot_updates_total", type="callback_query") == 1
    assert sample(metrics, "bot_handler_seconds_count", type="message") == 2
    assert sample(metrics, "bot_errors_total", kind="stale_button") == 1
    health = HealthService(services.db, metrics, stale_seconds=60)
    client = await client_for(health)
    try:
        response = await client.get("/metrics")
        text = await response.text()
    finally:
        await client.close()
    assert response.status == 200 and response.content_type == "text/plain"
    assert 'bot_updates_total{type="message"} 2.0' in text
    assert 'bot_outbox_rows{status="pending"}' in text
    assert "bot_telegram_429_total 0.0" in text


def test_each_instance_has_its_own_registry():
    first, second = Metrics(), Metrics()
    first.updates.labels("message").inc()
    assert sample(first, "bot_updates_total", type="message") == 1
    assert sample(second, "bot_updates_total", type="message") == 0


async def test_bot_api_metrics_count_429s_and_polls():
    metrics = Metrics()
    middleware = BotApiMetrics(metrics)

    async def throttled(bot, method):
        raise TelegramRetryAfter(method=method, message="Too Many Requests", retry_after=3)

    async def polled(bot, method):
        return []

    with pytest.raises(TelegramRetryAfter):
        await middleware(throttled, None, SendMessage(chat_id=1, text="x"))
    assert sample(metrics, "bot_telegram_429_total") == 1
    assert metrics.seconds_since_contact() is None
    await middleware(polled, None, GetUpdates())
    assert metrics.seconds_since_contact() is not None


def test_delivery_results_are_labelled():
    metrics = Metrics()
    metrics.delivery("sent")
    metrics.delivery("pending", "429")
    metrics.delivery("pending", "server error")
    metrics.delivery("blocked", "Forbidden")
    assert sample(metrics, "bot_deliveries_total", result="sent") == 1
    assert sample(metrics, "bot_deliveries_total", result="throttled") == 1
    assert sample(metrics, "bot_deliveries_total", result="retry") == 1
    assert sample(metrics, "bot_deliveries_total", result="blocked") == 1
