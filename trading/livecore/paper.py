"""Upstream: trading.livecore.runtime
Downstream: trading.core.accounting.buying_power, trading.core.backtest.engine, trading.core.enums, trading.core.market, trading.core.matching.engine, trading.core.orders.events, trading.core.orders.order, trading.livecore.gateway, trading.livecore.window
Role: PaperTradeGateway: executes on the core's paper matching engine by event time, whatever order prices and orders arrive in."""

import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime
from decimal import Decimal

from trading.core.accounting.buying_power import CashAccounts
from trading.core.backtest.engine import ExecutionSettings
from trading.core.enums import OrderStatus
from trading.core.market import PriceUpdate
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.orders.events import Fill, OrderAccepted, OrderRejected
from trading.core.orders.order import Order
from trading.livecore.gateway import RestoredOrder, TradeGateway
from trading.livecore.window import PriceWindow

LATE_ORDER = "order arrived too late: prices after its event time are no longer kept"


@dataclasses.dataclass(slots=True)
class _Working:
    """One working order on its own matching engine, and how far it has seen the market."""

    venue: PaperMatchingEngine
    symbol: str
    seen_until: datetime
    fills: int


def fill_id(client_order_id: str, sequence: int) -> str:
    """The id of an order's ``sequence``-th fill: the same on every run and every restart."""
    return f"{client_order_id}:{sequence}"


class PaperTradeGateway(TradeGateway):
    """A simulated venue that gives the fills the backtest gives.

    Each order runs on its own :class:`PaperMatchingEngine` (same rules, costs and volume
    cap as a backtest) and sees every price update of its symbol later than its event time
    exactly once, in event-time order: updates that came before the order are replayed to it
    from a bounded :class:`PriceWindow`, later ones as they arrive. So an order fills against
    the first price update after its ``created_at`` however late it arrives, as long as the
    window still holds that update (otherwise it is rejected as too late). Fill ids are
    ``<client order id>:<n>``.

    With ``cash`` (a portfolio id -> the cash its recorded fills leave it), every fill first
    passes the backtest's buying-power rule, on accounts shared by all the orders of a
    portfolio: an order the cash cannot pay for at its fill price is rejected as
    ``insufficient_cash``. The accounts are read again after every :meth:`restore`.
    """

    def __init__(
        self,
        execution: ExecutionSettings | None = None,
        *,
        window: int = 500,
        cash: Callable[[str], Decimal] | None = None,
    ) -> None:
        self._execution = execution or ExecutionSettings()
        self._window = PriceWindow(window)
        self._accounts = CashAccounts(cash) if cash is not None else None
        # Working orders by symbol, then client order id (a price update touches one symbol).
        self._books: dict[str, dict[str, _Working]] = {}

    def restore(self, orders: Sequence[RestoredOrder]) -> None:
        self._books.clear()
        if self._accounts is not None:
            self._accounts.clear()
        for restored in orders:
            if restored.status is OrderStatus.SUBMITTED:
                self._open(restored.order)
            else:
                self._resume(restored)

    def submit(self, order: Order) -> None:
        if not self._window.covers(order.symbol, order.created_at):
            self.emit(OrderRejected(order.client_order_id, LATE_ORDER, order.created_at))
            return
        self._open(order)

    def cancel(self, client_order_id: str, time: datetime) -> None:
        for book in self._books.values():
            working = book.pop(client_order_id, None)
            if working is not None:
                for report in working.venue.cancel(client_order_id, time):
                    self.emit(report)
                return

    def on_price(self, update: PriceUpdate) -> None:
        if not self._window.add(update):
            return
        book = self._books.get(update.symbol)
        for order_id, working in list(book.items()) if book else ():
            self._match(order_id, working, update)

    @property
    def working_orders(self) -> int:
        """How many orders are working."""
        return sum(len(book) for book in self._books.values())

    def _open(self, order: Order) -> None:
        venue = self._venue(order.client_order_id)
        reports = venue.submit(order, order.created_at)
        for report in reports:
            self.emit(report)
        if reports and isinstance(reports[0], OrderAccepted):
            self._track(order.client_order_id, _Working(venue, order.symbol, order.created_at, 0))

    def _resume(self, restored: RestoredOrder) -> None:
        order = restored.order
        leaves = order.quantity - restored.filled_quantity
        if leaves <= 0:
            return
        venue = self._venue(order.client_order_id)
        # The venue works the unfilled rest; what was filled is already in the books.
        venue.submit(dataclasses.replace(order, quantity=leaves), order.created_at)
        price = restored.last_fill_price
        if self._accounts is not None and price is not None:
            # As when it last filled: the rest keeps the cash it was let in for.
            account = self._accounts[order.portfolio_id]
            account.reserve(
                order.client_order_id, order.side, leaves, price, self._execution.commission
            )
        seen = max(order.created_at, restored.last_fill_at or order.created_at)
        self._track(order.client_order_id, _Working(venue, order.symbol, seen, restored.fill_count))

    def _track(self, order_id: str, working: _Working) -> None:
        book = self._books.setdefault(working.symbol, {})
        book[order_id] = working
        for update in self._window.after(working.symbol, working.seen_until):
            if order_id not in book:
                return
            self._match(order_id, working, update)

    def _match(self, order_id: str, working: _Working, update: PriceUpdate) -> None:
        if update.time <= working.seen_until:
            return
        working.seen_until = update.time
        for report in working.venue.on_price(update):
            if isinstance(report, Fill):
                working.fills += 1
                report = dataclasses.replace(report, fill_id=fill_id(order_id, working.fills))
            self.emit(report)
        if not working.venue.open_orders:
            self._books[working.symbol].pop(order_id, None)

    def _venue(self, order_id: str) -> PaperMatchingEngine:
        execution = self._execution
        return PaperMatchingEngine(
            order_id,
            commission=execution.commission,
            slippage=execution.slippage,
            volume_limit=execution.volume_limit,
            accounts=self._accounts,
        )
