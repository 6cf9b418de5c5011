"""Upstream: bench.node_latency, trading.node.runtime
Downstream: monitoring.notifications, monitoring.notifications.kinds, monitoring.notifications.limiter, trading.bus.mapping, trading.bus.producer, trading.bus.topics, trading.core.orders.order, trading.node.backpressure, trading.node.inbox
Role: the node's way out to the bus: orders to the submission topic, notices (each at its kind's catalogue level; queue pressure ones rate-limited) to the notifications topic."""

from monitoring.notifications import kinds, publish_notice
from monitoring.notifications.limiter import NoticeLimiter
from trading.bus.mapping import order_message
from trading.bus.producer import BusProducer
from trading.bus.topics import ORDERS_SUBMISSION
from trading.core.orders.order import Order
from trading.node.backpressure import NOTICE_INTERVAL_SECONDS, Level, Policy
from trading.node.inbox import PortfolioInbox


class BusOutput:
    """Publishes what portfolio threads produce; thread-safe (the producer is)."""

    def __init__(self, producer: BusProducer, node_id: str) -> None:
        self.node_id = node_id
        self._producer = producer

    def submit(self, order: Order) -> None:
        """Send an order to the LiveEngine (keyed by portfolio id)."""
        self._producer.publish(ORDERS_SUBMISSION, order_message(order))

    def notice(self, portfolio_id: str, text: str, *, kind: str) -> None:
        """Publish a notice of ``kind`` (monitoring.notifications.kinds, whose level it takes)
        about ``portfolio_id``."""
        publish_notice(
            kind=kind,
            message=text,
            source=self._producer.source,
            portfolio_id=portfolio_id,
            node_id=self.node_id,
            producer=self._producer,
        )


class PressureNotices:
    """The router's pressure handler: a warning at 70%, a critical notice at 90%, each at
    most once per portfolio every 30 s. Runs on the router thread: cheap unless one is due."""

    def __init__(self, output: BusOutput, limiter: NoticeLimiter | None = None) -> None:
        self._output = output
        self._limiter = limiter or NoticeLimiter(NOTICE_INTERVAL_SECONDS)

    def __call__(self, portfolio_id: str, level: Level, inbox: PortfolioInbox) -> None:
        if self._limiter.admit((portfolio_id, level)) is None:
            return
        usage = f"queue at {len(inbox)}/{inbox.maxsize}"
        if level is Level.CRITICAL:
            action = "conflating" if inbox.policy is Policy.CONFLATE else "dropping new updates"
            text = f"{usage} (>= 90%): {action}, {inbox.dropped} dropped so far"
            self._output.notice(portfolio_id, text, kind=kinds.QUEUE_CRITICAL)
        else:
            self._output.notice(portfolio_id, f"{usage} (>= 70%)", kind=kinds.QUEUE_WARNING)
