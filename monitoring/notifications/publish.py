"""Upstream: monitoring.notifications, scheduling.services.publishing, trading.services.portfolio_verify
Downstream: monitoring.notifications.kinds, trading.bus.config, trading.bus.messages, trading.bus.producer, trading.bus.topics
Role: publish_notice: any component's one call to put a notice of a catalogued kind on ginkgo.notifications (notice_build: the message alone)."""

import threading
import time

from monitoring.notifications.kinds import default_level
from trading.bus.config import BusConfig
from trading.bus.messages import NoticeLevel, Notification
from trading.bus.producer import BusProducer
from trading.bus.topics import NOTIFICATIONS

_PRODUCERS: dict[BusConfig, BusProducer] = {}
_LOCK = threading.Lock()


def publish_notice(
    *,
    kind: str,
    message: str,
    source: str,
    level: NoticeLevel | str | None = None,
    portfolio_id: str | None = None,
    node_id: str | None = None,
    producer: BusProducer | None = None,
) -> None:
    """Queue a notice for the notification service; never blocks on the broker.

    ``kind`` is one of monitoring.notifications.kinds; ``level`` defaults to the catalogue's.
    Pass the process's own ``producer`` where there is one (a node, LiveCore); otherwise a
    producer shared per bus in this process is used (close it with
    :func:`notice_producers_close` on shutdown). Notices about one portfolio (else one node)
    keep their order on the topic.
    """
    notification = notice_build(
        kind=kind,
        message=message,
        source=source,
        level=level,
        portfolio_id=portfolio_id,
        node_id=node_id,
    )
    (producer or _shared_producer(source)).publish(NOTIFICATIONS, notification)


def notice_build(
    *,
    kind: str,
    message: str,
    source: str,
    level: NoticeLevel | str | None = None,
    portfolio_id: str | None = None,
    node_id: str | None = None,
) -> Notification:
    """The Notification of a notice of ``kind``, stamped now; ``level`` defaults to the
    catalogue's. For publishers that send it themselves (the scheduler awaits acknowledgement)."""
    return Notification(
        ts=time.time_ns(),
        source=source,
        level=NoticeLevel(level or default_level(kind)),
        message=message,
        portfolio_id=portfolio_id,
        node_id=node_id,
        kind=kind,
    )


def notice_producers_close(timeout: float = 10.0) -> None:
    """Flush and forget the shared producers (process shutdown, a test's broker going away)."""
    with _LOCK:
        for producer in _PRODUCERS.values():
            producer.close(timeout)
        _PRODUCERS.clear()


def _shared_producer(source: str) -> BusProducer:
    bus = BusConfig.from_settings()
    with _LOCK:
        if bus not in _PRODUCERS:
            _PRODUCERS[bus] = BusProducer(bus, source=source)
        return _PRODUCERS[bus]
