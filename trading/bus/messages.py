"""Upstream: bench.gateway_throughput, bench.node_latency, bench.node_router, ginkgo_site.devstack.feed, monitoring.apis, monitoring.models, monitoring.notifications.config, monitoring.notifications.intake, monitoring.notifications.kinds, monitoring.notifications.publish, monitoring.notifications.service, scheduling.services.migration, scheduling.services.publishing, trading.apis.engine, trading.bus.codec, trading.bus.consumer, trading.bus.deadletter, trading.bus.mapping, trading.bus.producer, trading.livecore.control, trading.livecore.datamanager, trading.livecore.engine, trading.livecore.feedback, trading.node.buffer, trading.node.control, trading.node.feed, trading.node.inbox, trading.node.processor, trading.node.router, trading.node.runtime, trading.node.stale, trading.services.control, trading.services.portfolios
Downstream: trading.core.enums
Role: every message type of the bus as a msgspec Struct: the envelope fields plus each type's payload.

On the wire each message is one JSON object: ``type`` (the tag below), ``schema`` (integer
version of that type), ``ts`` (event time, integer nanoseconds since the Unix epoch, UTC),
``source`` (who published it) and the payload fields. Decimals travel as strings, bytes as
base64. Unknown fields are ignored, so a producer may add optional fields without a new
schema version; anything else bumps ``SCHEMAS``.
"""

from decimal import Decimal
from enum import StrEnum
from typing import Any, ClassVar

import msgspec

from trading.core.enums import OrderType, Side, TimeInForce


class Message(msgspec.Struct, frozen=True, kw_only=True, tag_field="type"):
    """The envelope every message carries; subclasses add their payload and a tag."""

    # Versions of this type that decode accepts; ``schema`` defaults to the newest.
    SCHEMAS: ClassVar[frozenset[int]] = frozenset({1})
    # The payload field the Kafka key comes from (None: unkeyed).
    KEY_FIELD: ClassVar[str | None] = None

    schema: int = 1
    ts: int
    source: str = ""

    def key(self) -> str | None:
        """The Kafka key: per-key order is what consumers rely on."""
        return getattr(self, self.KEY_FIELD) if self.KEY_FIELD else None


# --- market data (keyed by symbol) ---------------------------------------------------------


class PriceBar(Message, frozen=True, kw_only=True, tag="price.bar"):
    """An OHLCV bar; ``ts`` is the bar's time."""

    KEY_FIELD: ClassVar[str | None] = "symbol"
    symbol: str
    open: Decimal
    high: Decimal
    low: Decimal
    close: Decimal
    volume: Decimal
    interval: str | None = None


class PriceTick(Message, frozen=True, kw_only=True, tag="price.tick"):
    """A trade print; ``ts`` is the trade's time."""

    KEY_FIELD: ClassVar[str | None] = "symbol"
    symbol: str
    price: Decimal
    size: Decimal


# --- orders and feedback (keyed by portfolio id) -------------------------------------------


class _OrderMessage(Message, frozen=True, kw_only=True):
    KEY_FIELD: ClassVar[str | None] = "portfolio_id"
    client_order_id: str
    portfolio_id: str


class OrderSubmit(_OrderMessage, frozen=True, kw_only=True, tag="order.submit"):
    """An order for the venue; ``ts`` is when the portfolio created it."""

    symbol: str
    side: Side
    quantity: Decimal
    order_type: OrderType = OrderType.MARKET
    limit_price: Decimal | None = None
    stop_price: Decimal | None = None
    time_in_force: TimeInForce = TimeInForce.GTC
    expire_at: int | None = None
    tag: str = ""


class OrderCancelRequest(_OrderMessage, frozen=True, kw_only=True, tag="order.cancel"):
    """Withdraw what is left of an order; ``ts`` is when it was asked."""

    reason: str = ""


class OrderAcceptedReport(_OrderMessage, frozen=True, kw_only=True, tag="order.accepted"):
    """The venue took the order; it is working."""


class OrderRejectedReport(_OrderMessage, frozen=True, kw_only=True, tag="order.rejected"):
    """The venue refused the order; ``reason`` says why."""

    reason: str


class _FillReport(_OrderMessage, frozen=True, kw_only=True):
    fill_id: str
    symbol: str
    side: Side
    quantity: Decimal
    price: Decimal
    commission: Decimal
    # The order after this fill: cumulative quantity, what is left, average price.
    filled_quantity: Decimal
    leaves_quantity: Decimal
    avg_price: Decimal


class OrderPartiallyFilledReport(
    _FillReport, frozen=True, kw_only=True, tag="order.partially_filled"
):
    """A fill that left part of the order working; ``ts`` is the execution time."""


class OrderFilledReport(_FillReport, frozen=True, kw_only=True, tag="order.filled"):
    """The fill that completed the order; ``ts`` is the execution time."""


class OrderCancelledReport(_OrderMessage, frozen=True, kw_only=True, tag="order.cancelled"):
    """What was left of the order was withdrawn."""

    reason: str = ""


class OrderExpiredReport(_OrderMessage, frozen=True, kw_only=True, tag="order.expired"):
    """The order's time in force ran out."""


class ExecutionWatermark(_OrderMessage, frozen=True, kw_only=True, tag="execution.watermark"):
    """LiveCore has executed the order against every price of its ``symbol`` up to ``ts``
    (event time), and published the reports that caused before this message (same key,
    same partition: a node reading it has read them). Sent after each price of the symbol
    while the order works, and after the order was taken in late (matched at once against
    the prices it had missed)."""

    symbol: str


# --- control plane ----------------------------------------------------------------------------


class CommandType(StrEnum):
    """The control commands of SPEC.md §3."""

    PORTFOLIO_CREATE = "portfolio.create"
    PORTFOLIO_DELETE = "portfolio.delete"
    PORTFOLIO_RELOAD = "portfolio.reload"
    PORTFOLIO_START = "portfolio.start"
    PORTFOLIO_STOP = "portfolio.stop"
    PORTFOLIO_MIGRATE = "portfolio.migrate"
    ENGINE_START = "engine.start"
    ENGINE_STOP = "engine.stop"


class ControlCommand(Message, frozen=True, kw_only=True, tag="control.command"):
    """A command for one target (portfolio or engine); ``ts`` is SPEC's ``timestamp``."""

    KEY_FIELD: ClassVar[str | None] = "target_id"
    command_type: CommandType
    target_id: str
    config: dict[str, Any] | None = None
    version: int | None = None
    reason: str | None = None


class ScheduleUpdate(Message, frozen=True, kw_only=True, tag="schedule.update"):
    """The portfolios a node should run; ``ts`` is SPEC's ``timestamp``."""

    KEY_FIELD: ClassVar[str | None] = "node_id"
    node_id: str
    portfolio_ids: list[str]


class InterestUpdate(Message, frozen=True, kw_only=True, tag="interest.update"):
    """A node's complete set of wanted symbols (it replaces the node's previous set)."""

    KEY_FIELD: ClassVar[str | None] = "node_id"
    node_id: str
    symbols: list[str]


class InterestSyncRequest(Message, frozen=True, kw_only=True, tag="interest.sync_request"):
    """Asks every node to send its interest set again (DataManager start-up)."""


class NodeOffline(Message, frozen=True, kw_only=True, tag="node.offline"):
    """A node left: its interest set and portfolios are gone."""

    KEY_FIELD: ClassVar[str | None] = "node_id"
    node_id: str
    reason: str = ""


class NoticeLevel(StrEnum):
    """How loud a notification is."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"
    CRITICAL = "critical"


class Notification(Message, frozen=True, kw_only=True, tag="notification"):
    """Something a person should hear about; ``source`` says who noticed."""

    level: NoticeLevel
    message: str
    portfolio_id: str | None = None
    node_id: str | None = None
    # A catalogue kind (monitoring.notifications.kinds); optional, so schema 1 still decodes.
    kind: str = ""

    def key(self) -> str | None:
        """Notices about one portfolio (or node) stay in order."""
        return self.portfolio_id or self.node_id


class DeadLetter(Message, frozen=True, kw_only=True, tag="deadletter"):
    """A message a consumer could not decode or handle, with where it came from."""

    reason: str
    topic: str
    partition: int
    offset: int
    original: bytes
    original_key: bytes | None = None


AnyMessage = (
    PriceBar
    | PriceTick
    | OrderSubmit
    | OrderCancelRequest
    | OrderAcceptedReport
    | OrderRejectedReport
    | OrderPartiallyFilledReport
    | OrderFilledReport
    | OrderCancelledReport
    | OrderExpiredReport
    | ExecutionWatermark
    | ControlCommand
    | ScheduleUpdate
    | InterestUpdate
    | InterestSyncRequest
    | NodeOffline
    | Notification
    | DeadLetter
)
FillReport = OrderPartiallyFilledReport | OrderFilledReport
# A market data message (isinstance checks on hot paths use this one object).
PriceMessage = PriceBar | PriceTick
