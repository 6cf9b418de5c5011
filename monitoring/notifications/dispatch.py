"""Upstream: monitoring.notifications.service, monitoring.management.commands.run_notifications
Downstream: monitoring.metrics, monitoring.models, monitoring.notifications.config, monitoring.notifications.intake, monitoring.notifications.sinks, monitoring.notifications.throttle, monitoring.services
Role: Dispatcher: stores each notice (grouping repeats), then hands it to every sink its throttle lets through, recording the outcomes."""

import logging
from typing import Any

from monitoring.metrics import NOTICE_DELIVERIES, NOTICES
from monitoring.models import Notice
from monitoring.notifications.config import NotifyConfig
from monitoring.notifications.intake import LEVEL_RANK, IncomingNotice
from monitoring.notifications.sinks import DeliveryFailed, Sink, sinks_from_config
from monitoring.notifications.throttle import SinkThrottle, Verdict
from monitoring.services import notice_deliveries_record, notice_record

logger = logging.getLogger(__name__)

SENT = "sent"
FAILED = "failed"
BELOW_LEVEL = "below_level"


def notice_payload(notice: Notice) -> dict[str, Any]:
    """What sinks deliver: the stored notice with its grouped count, JSON-ready."""
    return {
        "id": notice.pk,
        "kind": notice.kind,
        "level": notice.level,
        "message": notice.message,
        "source": notice.source,
        "portfolio_id": notice.portfolio_id,
        "node_id": notice.node_id,
        "count": notice.count,
        "first_seen": notice.first_seen.isoformat(),
        "last_seen": notice.last_seen.isoformat(),
    }


class Dispatcher:
    """Handles every notice of the service, from whichever thread receives it one at a time
    (callers serialise: the throttles are single-threaded)."""

    def __init__(self, config: NotifyConfig, sinks: list[Sink] | None = None) -> None:
        self.config = config
        self.sinks = sinks if sinks is not None else sinks_from_config(config)
        self._throttles = {
            sink.name: SinkThrottle(
                repeat_interval=config.repeat_interval, per_minute=config.per_minute
            )
            for sink in self.sinks
        }

    def handle(self, incoming: IncomingNotice) -> None:
        """Store ``incoming`` and deliver it; a redelivery does nothing.

        Database faults propagate (the consumer retries the message); a sink's failure is
        logged and recorded, never raised.
        """
        recorded = notice_record(incoming=incoming, window=self.config.group_window)
        if recorded is None:
            return
        NOTICES.labels(incoming.kind, incoming.level.value).inc()
        notice = recorded.notice
        outcomes = {sink.name: self._deliver(sink, notice) for sink in self.sinks}
        for sink, outcome in outcomes.items():
            NOTICE_DELIVERIES.labels(sink, outcome).inc()
        notice_deliveries_record(notice=notice, outcomes=outcomes)

    def _deliver(self, sink: Sink, notice: Notice) -> str:
        if LEVEL_RANK[notice.level] < LEVEL_RANK[self.config.min_level]:
            return BELOW_LEVEL
        verdict = self._throttles[sink.name].admit(notice.pk)
        if verdict is not Verdict.SEND:
            return verdict.value
        try:
            sink.deliver(notice_payload(notice))
        except DeliveryFailed as exc:
            logger.error("notice %s not delivered to %s: %s", notice.pk, sink.name, exc)
            return FAILED
        except Exception:  # a sink's bug must not stop the others or the consumer
            logger.exception("notice %s: sink %s failed", notice.pk, sink.name)
            return FAILED
        return SENT
