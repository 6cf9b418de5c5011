"""Upstream: trading.livecore.control, trading.livecore.runtime
Downstream: monitoring.metrics, monitoring.notifications, monitoring.notifications.kinds, monitoring.notifications.limiter, trading.bus.codec, trading.bus.consumer, trading.bus.mapping, trading.bus.messages, trading.bus.producer, trading.bus.topics, trading.core.errors, trading.core.market, trading.core.orders.events, trading.core.orders.order, trading.core.orders.state, trading.dbcare, trading.livecore.feedback, trading.livecore.gateway, trading.livecore.stats, trading.services.orders
Role: LiveEngine: validates and de-duplicates submitted orders, runs them on a TradeGateway, records every report, then publishes the feedback (and rejections as rate-limited notices); one transaction per batch of messages."""

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import NamedTuple

from django.db import InterfaceError, OperationalError, transaction

from monitoring.metrics import LIVECORE_FILL_LATENCY
from monitoring.notifications import kinds, publish_notice
from monitoring.notifications.limiter import NoticeLimiter
from trading.bus.codec import from_ns, to_ns
from trading.bus.consumer import Batch, Delivery, TransientError, UnexpectedMessage
from trading.bus.mapping import order_from_message, price_update
from trading.bus.messages import (
    AnyMessage,
    ExecutionWatermark,
    Message,
    OrderCancelRequest,
    OrderRejectedReport,
    OrderSubmit,
    PriceMessage,
)
from trading.bus.producer import BusProducer
from trading.bus.topics import ORDERS_FEEDBACK
from trading.core.errors import CoreError
from trading.core.market import PriceUpdate
from trading.core.orders.events import (
    ExecutionReport,
    Fill,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
)
from trading.core.orders.order import Order
from trading.core.orders.state import TrackedOrder
from trading.dbcare import ConnectionCare
from trading.livecore.feedback import feedback_message, history_messages, replay
from trading.livecore.gateway import RestoredOrder, TradeGateway
from trading.livecore.stats import Counters
from trading.services import orders as order_services

logger = logging.getLogger(__name__)

ENGINE_STOPPED = "engine stopped"
# Database faults that pass (a restart, a dropped connection): retried, never dead-lettered.
DB_TRANSIENT = (OperationalError, InterfaceError)


class _Feedback(NamedTuple):
    """A message to publish once its unit committed, the counter it adds to, and for a fill
    its order's event time (the fill latency is measured from it)."""

    message: Message
    counter: str | None
    ordered_at: datetime | None


@dataclass
class _Unit:
    """What a unit of work makes known once it committed: feedback, counts, and per order
    the event time it was executed through (its watermark)."""

    feedback: list[_Feedback] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    executed: dict[str, ExecutionWatermark] = field(default_factory=dict)

    def watermarks(self) -> list[_Feedback]:
        """The unit's watermarks, to publish after every other feedback of it."""
        return [_Feedback(mark, None, None) for mark in self.executed.values()]


class _WorkingOrders:
    """The orders the engine believes are working: by client order id, and by symbol (the
    orders a price of that symbol can execute)."""

    def __init__(self) -> None:
        self._by_id: dict[str, TrackedOrder] = {}
        self._by_symbol: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._by_id)

    def __contains__(self, client_order_id: str) -> bool:
        return client_order_id in self._by_id

    def get(self, client_order_id: str) -> TrackedOrder | None:
        return self._by_id.get(client_order_id)

    def add(self, tracked: TrackedOrder) -> None:
        order = tracked.order
        self._by_id[order.client_order_id] = tracked
        self._by_symbol.setdefault(order.symbol, set()).add(order.client_order_id)

    def remove(self, tracked: TrackedOrder) -> None:
        order = tracked.order
        del self._by_id[order.client_order_id]
        ids = self._by_symbol[order.symbol]
        ids.discard(order.client_order_id)
        if not ids:
            del self._by_symbol[order.symbol]

    def on(self, symbol: str) -> list[Order]:
        """The orders working on ``symbol``."""
        ids = self._by_symbol.get(symbol)
        return [self._by_id[client_order_id].order for client_order_id in ids] if ids else []


class LiveEngine:
    """Orders in from the submission topic, execution reports out to the feedback topic.

    Each batch of messages handled together (what was waiting on a topic, in partition
    order) is one unit of work: one database transaction (the system of record) holding
    every change its messages caused, and their feedback published only once that
    committed, so a burst of orders costs one commit rather than one per message. The
    client order id is the durable de-duplication key: an order seen again (resent,
    redelivered, replayed after a restart, handled again after its batch failed) is never
    executed twice; its recorded history is published again instead. A failed unit leaves the gateway and the
    tracked orders ahead of the rolled-back records, so the engine marks itself dirty and
    rebuilds both from the records before the next unit (crash-only reconciliation).
    A new rejection (by the engine or the gateway) is also an ``order.rejected`` notice, at
    most once a minute per portfolio, counting the rejections held back since the last one.

    After the reports of a unit, every order the unit executed prices for (or took in late)
    gets an ``execution.watermark``: the event time it was executed through. A node holds a
    price update for a portfolio with a working order until the order's watermark (or the
    report that closed it) says no fill of that time is still due, so the portfolio books
    its fills before it sees the next bar, as in a backtest. After a restart, the prices
    the market consumer reads again re-announce them. (A watermark means what it says for
    a gateway that reports while it is handed a price, as the paper venue does; an adapter
    reporting later from its own thread makes it early, and such fills reach the portfolio
    as they did before watermarks: when they come.)

    Consumer threads call :meth:`on_orders` and :meth:`on_prices` (:meth:`on_order` and
    :meth:`on_price` for one message: a unit of its own); a lock serialises them.
    """

    def __init__(
        self,
        *,
        engine_id: str,
        gateway: TradeGateway,
        producer: BusProducer,
        counters: Counters,
        republish_window: timedelta = timedelta(minutes=1),
    ) -> None:
        self.engine_id = engine_id
        self.source = f"livecore:{engine_id}"
        self.accepting = True
        self._gateway = gateway
        self._producer = producer
        self._counters = counters
        self._republish_window = republish_window
        self._lock = threading.RLock()
        self._orders = _WorkingOrders()
        # The newest price time handed to the gateway, per symbol.
        self._seen: dict[str, datetime] = {}
        self._portfolios: set[str] = set()
        self._dirty = True
        self._unit: _Unit | None = None
        self._connections = ConnectionCare()
        self._reject_notices = NoticeLimiter()
        self._fill_latency = LIVECORE_FILL_LATENCY.labels(engine_id)
        gateway.connect(self._on_report)

    def start(self) -> None:
        """Load the working orders into the gateway and re-send recent feedback.

        Feedback is published after its database write; a crash between the two would lose
        it, so the feedback of orders changed shortly before the last change is sent again
        (consumers apply it idempotently).
        """
        self._guarded(self._republish_recent)

    def on_order(self, message: AnyMessage, delivery: Delivery) -> None:
        """Handler of the submission topic: a new order or a cancel request."""
        self.on_orders([(message, delivery)])

    def on_orders(self, batch: Batch) -> None:
        """Batch handler of the submission topic: new orders and cancel requests, in order,
        as one unit (nothing is done if one of them is not of the topic)."""
        self._guarded(*[self._order_action(message) for message, _ in batch])

    def on_price(self, message: AnyMessage, delivery: Delivery) -> None:
        """Handler of the market data topic: the gateway matches working orders on it."""
        self.on_prices([(message, delivery)])

    def on_prices(self, batch: Batch) -> None:
        """Batch handler of the market data topic: the updates, in order, as one unit."""
        self._guarded(*[partial(self._price, _price_update(message)) for message, _ in batch])

    @property
    def working_orders(self) -> int:
        """Orders the engine believes are working."""
        return len(self._orders)

    # --- internals ------------------------------------------------------------------------

    def _guarded(self, *actions: Callable[[], None]) -> None:
        """Run ``actions`` in turn as one unit: one database transaction, feedback published
        (and events counted) after it commits. If anything fails, the transaction rolls back and the in-memory
        state (tracked orders, gateway) is rebuilt from the database before the next unit."""
        with self._lock:
            self._connections.check()
            unit = self._unit = _Unit()
            try:
                with transaction.atomic():
                    if self._dirty:
                        self._reconcile()
                    for action in actions:
                        action()
            except DB_TRANSIENT as exc:
                self._dirty = True
                self._connections.failed()
                raise TransientError(f"database: {exc}") from exc
            except BaseException:
                self._dirty = True
                raise
            finally:
                self._unit = None
            for name, amount in unit.counts.items():
                self._counters.add(name, amount)
            for message, counter, ordered_at in unit.feedback + unit.watermarks():
                self._producer.publish(ORDERS_FEEDBACK, message)
                if counter:
                    self._counters.add(counter)
                if ordered_at is not None:
                    self._fill_latency.observe(max(0.0, time.time() - ordered_at.timestamp()))
                # A counted rejection is a new one (history sent again is not counted).
                if counter and isinstance(message, OrderRejectedReport):
                    self._notice_rejected(message)

    def _tell(
        self, message: Message, counter: str | None = None, ordered_at: datetime | None = None
    ) -> None:
        """Queue feedback for after the unit's commit (``ordered_at``: a fill's order time)."""
        self._current().feedback.append(_Feedback(message, counter, ordered_at))

    def _count(self, name: str) -> None:
        """Count an event once the unit committed (a rolled-back unit counts nothing)."""
        self._current().counts[name] += 1

    def _current(self) -> _Unit:
        if self._unit is None:
            raise RuntimeError("outside a unit of work")
        return self._unit

    def _price(self, update: PriceUpdate) -> None:
        self._count("prices")
        symbol, time = update.symbol, update.time
        # The orders working before the price was matched: a fill may close them.
        working = self._orders.on(symbol)
        self._gateway.on_price(update)
        seen = self._seen.get(symbol)
        if seen is None or time > seen:
            self._seen[symbol] = time
        for order in working:
            self._executed(order, time)

    def _executed(self, order: Order, time: datetime) -> None:
        """``order`` is executed through ``time`` once this unit commits (its watermark goes
        out after the unit's reports)."""
        executed = self._current().executed
        known = executed.get(order.client_order_id)
        if known is None or to_ns(time) > known.ts:
            executed[order.client_order_id] = ExecutionWatermark(
                ts=to_ns(time),
                source=self.source,
                client_order_id=order.client_order_id,
                portfolio_id=order.portfolio_id,
                symbol=order.symbol,
            )

    def _republish_recent(self) -> None:
        resent = 0
        for stored in order_services.order_list_recent(window=self._republish_window):
            resent += self._republish(stored)
        logger.info(
            "engine %s started: %d working order(s), %d feedback message(s) re-sent",
            self.engine_id,
            len(self._orders),
            resent,
        )

    def _reconcile(self) -> None:
        self._orders = _WorkingOrders()
        restored: list[RestoredOrder] = []
        for stored in order_services.order_list_working():
            try:
                tracked, _ = replay(stored)
            except CoreError as exc:
                # One inconsistent record must not stop the engine: leave it to an operator.
                logger.error("order %s is not restored: %s", stored.order.client_order_id, exc)
                continue
            self._orders.add(tracked)
            last_fill = max(stored.fills, key=lambda fill: fill.time, default=None)
            restored.append(
                RestoredOrder(
                    order=stored.order,
                    status=stored.status,
                    filled_quantity=tracked.filled_quantity,
                    fill_count=len(stored.fills),
                    last_fill_at=last_fill.time if last_fill is not None else None,
                    last_fill_price=last_fill.price if last_fill is not None else None,
                )
            )
        self._dirty = False
        self._gateway.restore(restored)

    def _order_action(self, message: AnyMessage) -> Callable[[], None]:
        if isinstance(message, OrderSubmit):
            return partial(self._intake, message)
        if isinstance(message, OrderCancelRequest):
            return partial(self._cancel, message)
        raise UnexpectedMessage(f"{type(message).__name__} on the submission topic")

    def _intake(self, message: OrderSubmit) -> None:
        try:
            order = order_from_message(message)
        except (CoreError, ValueError, OverflowError) as exc:
            self._reject_unrecorded(message, f"invalid order: {exc}")
            return
        if not self._portfolio_known(order.portfolio_id):
            self._reject_unrecorded(message, f"unknown portfolio {order.portfolio_id}")
            return
        if not order_services.order_record_submitted(order=order):
            self._count("duplicates")
            stored = order_services.order_get(client_order_id=order.client_order_id)
            if stored is not None:
                self._republish(stored)
        else:
            self._count("orders")
            tracked = TrackedOrder(order)
            tracked.submit()
            self._orders.add(tracked)
            if self.accepting:
                self._gateway.submit(order)
            else:
                reject = OrderRejected(order.client_order_id, ENGINE_STOPPED, order.created_at)
                self._on_report(reject)
        # The gateway matched the order at once against the prices it came too late for.
        seen = self._seen.get(order.symbol)
        if seen is not None and seen > order.created_at:
            self._executed(order, seen)

    def _cancel(self, message: OrderCancelRequest) -> None:
        if message.client_order_id not in self._orders:
            self._count("cancels_unknown")
            return
        self._gateway.cancel(message.client_order_id, from_ns(message.ts))

    def _on_report(self, report: ExecutionReport) -> None:
        """The gateway's sink: record the report, queue its feedback."""
        with self._lock:
            if self._unit is None:
                # From an adapter's own thread: the report is a unit of its own.
                self._guarded(lambda: self._apply(report))
            else:
                self._apply(report)

    def _apply(self, report: ExecutionReport) -> None:
        tracked = self._orders.get(report.client_order_id)
        if tracked is None:
            logger.warning("report for an order that is not working: %s", report)
            return
        if isinstance(report, Fill):
            applied = order_services.fill_record(fill=report)
        else:
            applied = order_services.order_apply_report(report=report)
        if not applied:
            return
        tracked.apply(report)
        if tracked.is_closed:
            self._orders.remove(tracked)
        ordered_at = tracked.order.created_at if isinstance(report, Fill) else None
        message = feedback_message(report, tracked, self.source)
        self._tell(message, _COUNTER[type(report)], ordered_at)

    def _republish(self, stored: order_services.StoredOrder) -> int:
        try:
            messages = history_messages(stored, self.source)
        except CoreError as exc:
            logger.error("order %s: stored history is inconsistent: %s", stored.order, exc)
            return 0
        for message in messages:
            self._tell(message)
        return len(messages)

    def _reject_unrecorded(self, message: OrderSubmit, reason: str) -> None:
        # Not an order the database can hold (malformed, unknown portfolio): it is only told.
        rejected = OrderRejectedReport(
            ts=message.ts,
            client_order_id=message.client_order_id,
            portfolio_id=message.portfolio_id,
            reason=reason,
        )
        self._tell(rejected, "rejects")

    def _notice_rejected(self, rejected: OrderRejectedReport) -> None:
        admitted = self._reject_notices.admit(rejected.portfolio_id)
        if admitted is None:
            return
        text = f"order {rejected.client_order_id} rejected: {rejected.reason}"
        publish_notice(
            kind=kinds.ORDER_REJECTED,
            message=text + admitted.suffix(),
            source=self.source,
            portfolio_id=rejected.portfolio_id,
            producer=self._producer,
        )

    def _portfolio_known(self, portfolio_id: str) -> bool:
        if portfolio_id in self._portfolios:
            return True
        if order_services.portfolio_exists(portfolio_id=portfolio_id):
            self._portfolios.add(portfolio_id)
            return True
        return False


def _price_update(message: AnyMessage) -> PriceUpdate:
    if not isinstance(message, PriceMessage):
        raise UnexpectedMessage(f"{type(message).__name__} on the market data topic")
    return price_update(message)


_COUNTER: dict[type, str] = {
    OrderAccepted: "accepted",
    OrderRejected: "rejects",
    OrderCancelled: "cancelled",
    OrderExpired: "expired",
    Fill: "fills",
}
