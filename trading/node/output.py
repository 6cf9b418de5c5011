"""Upstream: bench.node_latency, trading.node.runtime
Downstream: monitoring.notifications, monitoring.notifications.kinds, trading.bus.mapping, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.core.orders.order, trading.node.backpressure, trading.node.inbox
Role: the node's way out to the bus: orders to the submission topic, notices (strategy errors, queue pressure) to the notifications topic."""

import time

from monitoring.notifications import kinds, publish_notice
from trading.bus.mapping import order_message
from trading.bus.messages import NoticeLevel
from trading.bus.producer import BusProducer
from trading.bus.topics import ORDERS_SUBMISSION
from trading.core.orders.order import Order
from trading.node.backpressure import Level, NoticeLimiter, Policy
from trading.node.inbox import PortfolioInbox


class BusOutput:
    """Publishes what portfolio threads produce; thread-safe (the producer is)."""

    def __init__(self, producer: BusProducer, node_id: str) -> None:
        self.node_id = node_id
        self._producer = producer

    def submit(self, order: Order) -> None:
        """Send an order to the LiveEngine (keyed by portfolio id)."""
        self._producer.publish(ORDERS_SUBMISSION, order_message(order))

    def notice(self, level: NoticeLevel, portfolio_id: str, text: str, *, kind: str) -> None:
        """Publish a notice of ``kind`` (monitoring.notifications.kinds) about ``portfolio_id``."""
        publish_notice(
            kind=kind,
            message=text,
            source=self._producer.source,
            level=level,
            portfolio_id=portfolio_id,
            node_id=self.node_id,
            producer=self._producer,
        )


class PressureNotices:
    """The router's pressure handler: a warning at 70%, a critical notice at 90%, each at
    most once per portfolio every 30 s. Runs on the router thread: cheap unless one is due."""

    def __init__(self, output: BusOutput, limiter: NoticeLimiter | None = None) -> None:
        self._output = output
        self._limiter = limiter or NoticeLimiter()

    def __call__(self, portfolio_id: str, level: Level, inbox: PortfolioInbox) -> None:
        if not self._limiter.allow(portfolio_id, level, time.monotonic()):
            return
        usage = f"queue at {len(inbox)}/{inbox.maxsize}"
        if level is Level.CRITICAL:
            action = "conflating" if inbox.policy is Policy.CONFLATE else "dropping new updates"
            text = f"{usage} (>= 90%): {action}, {inbox.dropped} dropped so far"
            self._output.notice(NoticeLevel.CRITICAL, portfolio_id, text, kind=kinds.QUEUE_CRITICAL)
        else:
            text = f"{usage} (>= 70%)"
            self._output.notice(NoticeLevel.WARNING, portfolio_id, text, kind=kinds.QUEUE_WARNING)
