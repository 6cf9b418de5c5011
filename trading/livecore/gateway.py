"""Upstream: trading.livecore.engine, trading.livecore.paper
Downstream: trading.core.enums, trading.core.market, trading.core.orders.events, trading.core.orders.order
Role: TradeGateway, the port a venue adapter implements (the paper venue here, a real broker later), and what it restarts from."""

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from trading.core.enums import OrderStatus
from trading.core.market import PriceUpdate
from trading.core.orders.events import ExecutionReport
from trading.core.orders.order import Order

ReportSink = Callable[[ExecutionReport], None]


@dataclass(frozen=True, slots=True)
class RestoredOrder:
    """A working order as the system of record has it when the engine (re)starts."""

    order: Order
    status: OrderStatus  # SUBMITTED, ACCEPTED or PARTIALLY_FILLED
    filled_quantity: Decimal
    fill_count: int
    last_fill_at: datetime | None
    last_fill_price: Decimal | None = None


class TradeGateway(ABC):
    """Where orders execute. The LiveEngine owns one and calls it from one thread at a time.

    Everything the venue says comes back as core execution reports (OrderAccepted,
    OrderRejected, OrderCancelled, OrderExpired, Fill) through the sink given to
    :meth:`connect`: synchronously from inside a call (the paper venue) or later from the
    adapter's own thread (a broker's event stream; the sink is thread-safe). The engine
    records each report in the database before anyone hears of it, so an adapter must:

    - report each fact once per id: fill ids are unique, and stable across restarts (a
      broker's execution id; the paper venue derives them from the client order id and the
      order's fill sequence), so a fact reported again after a crash is recognised;
    - never let a sink failure go unnoticed: it propagates, and the engine answers it with
      :meth:`restore` from the database (crash-only reconciliation);
    - treat :meth:`restore` as "this is every working order": forget anything else,
      reconcile with the venue, and report whatever happened to them meanwhile.
    """

    _sink: ReportSink | None = None

    def connect(self, sink: ReportSink) -> None:
        """Where reports go from now on."""
        self._sink = sink

    def emit(self, report: ExecutionReport) -> None:
        """Hand one report to the engine (for adapters)."""
        if self._sink is None:
            raise RuntimeError(f"{type(self).__name__} is not connected to an engine")
        self._sink(report)

    @abstractmethod
    def restore(self, orders: Sequence[RestoredOrder]) -> None:
        """Start over from the recorded working orders (engine start, or after a failure)."""

    @abstractmethod
    def submit(self, order: Order) -> None:
        """Send a new order (already recorded and de-duplicated by the engine)."""

    @abstractmethod
    def cancel(self, client_order_id: str, time: datetime) -> None:
        """Ask to withdraw what is left of a working order; ``time`` is the request's."""

    @abstractmethod
    def on_price(self, update: PriceUpdate) -> None:
        """A price update from the market data topic (a simulated venue matches on it)."""
