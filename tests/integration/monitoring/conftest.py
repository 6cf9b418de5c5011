"""Upstream: (entry point: pytest)
Downstream: monitoring.notifications, monitoring.notifications.config, monitoring.notifications.dispatch, monitoring.notifications.service, tests.integration.bus.fixtures, tests.integration.monitoring.kit, trading.bus.config
Role: fixtures of the monitoring tests: the bus fixtures, the monitoring permissions for the roles, a webhook receiver, and a running notification service."""

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from monitoring.notifications import notice_producers_close
from monitoring.notifications.config import NotifyConfig
from monitoring.notifications.dispatch import Dispatcher
from monitoring.notifications.service import NotificationService
from tests.integration.bus.fixtures import bus, publisher, record
from tests.integration.monitoring.kit import Webhook, webhook_server
from trading.bus.config import BusConfig

__all__ = ["bus", "publisher", "record"]

START_TIMEOUT = 30.0


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with webhook_server() as hook:
        yield hook


@pytest.fixture
def notification_service(
    bus: BusConfig, redis_prefix: str, webhook: Webhook
) -> Iterator[Callable[..., NotificationService]]:
    """``start(**config)`` runs a notification service (log and webhook sinks, the test's
    topics and Redis prefix) until the test ends; ``config`` overrides NotifyConfig fields."""
    running: list[tuple[NotificationService, threading.Thread]] = []

    def start(**overrides: Any) -> NotificationService:
        config = NotifyConfig(
            **{"sinks": ("log", "webhook"), "webhook_url": webhook.url, **overrides}
        )
        service = NotificationService(
            Dispatcher(config), lost_after=20.0, bus=bus, rules_interval=0.2
        )
        thread = threading.Thread(target=service.run, daemon=True)
        thread.start()
        running.append((service, thread))
        assert service.ready.wait(START_TIMEOUT), "the notification service did not start"
        return service

    yield start
    for service, thread in running:
        service.stop()
        thread.join(START_TIMEOUT)
    notice_producers_close(timeout=1.0)
