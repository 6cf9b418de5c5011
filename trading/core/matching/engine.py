"""Upstream: trading.core.backtest.engine, trading.livecore.paper
Downstream: trading.core.accounting.buying_power, trading.core.enums, trading.core.market, trading.core.matching.commissions, trading.core.matching.rules, trading.core.matching.slippage, trading.core.orders.events, trading.core.orders.order
Role: the paper matching engine: keeps working orders and turns price updates into fills and expiries, keyed by event time."""

from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from trading.core.accounting.buying_power import CashAccounts
from trading.core.enums import TimeInForce
from trading.core.market import Bar, PriceUpdate
from trading.core.matching.commissions import NO_COMMISSION, CommissionModel
from trading.core.matching.rules import WorkingOrder, price_on_bar, price_on_tick
from trading.core.matching.slippage import NO_SLIPPAGE, SlippageModel
from trading.core.orders.events import (
    ExecutionReport,
    Fill,
    OrderAccepted,
    OrderCancelled,
    OrderExpired,
    OrderRejected,
)
from trading.core.orders.order import Order


class PaperMatchingEngine:
    """A simulated venue for backtests and the live paper gateway.

    Deterministic: the same orders and prices give the same reports. Fill ids are
    ``{engine_id}:{client_order_id}:{n}`` for an order's n-th fill: unique, and the same
    again after a restart that hands the order back with :meth:`resume`. An order only
    matches price updates strictly later than its ``created_at``, so an order made on a bar's
    close trades from the next bar on; everything is keyed by event time, never by the wall
    clock. Resubmitting a known client order id does nothing, so a resent order never
    executes twice.

    ``volume_limit`` (a fraction, e.g. 0.1) caps each fill at that share of the bar's volume
    or the tick's size, in whole units; updates with zero volume are not capped.

    With ``accounts``, every fill first passes the buying-power rule of the order's
    portfolio (trading.core.accounting.buying_power), at the price it would fill: an order
    whose rest the cash cannot pay for is rejected (``insufficient_cash``) instead, even
    after it was accepted, since its price is only known then.
    """

    __slots__ = (
        "_accounts",
        "_books",
        "_commission",
        "_known",
        "_slippage",
        "_volume_limit",
        "engine_id",
    )

    def __init__(
        self,
        engine_id: str = "paper",
        *,
        commission: CommissionModel = NO_COMMISSION,
        slippage: SlippageModel = NO_SLIPPAGE,
        volume_limit: Decimal | None = None,
        accounts: CashAccounts | None = None,
    ) -> None:
        self.engine_id = engine_id
        self._accounts = accounts
        self._commission = commission
        self._slippage = slippage
        self._volume_limit = volume_limit
        self._books: dict[str, list[WorkingOrder]] = {}
        self._known: set[str] = set()

    def submit(self, order: Order, now: datetime) -> list[ExecutionReport]:
        """Accept (or reject) an order at event time ``now``; duplicates return nothing."""
        order_id = order.client_order_id
        if order_id in self._known:
            return []
        self._known.add(order_id)
        if order.expire_at is not None and order.expire_at <= now:
            return [OrderRejected(order_id, f"expire time {order.expire_at} already passed", now)]
        self._books.setdefault(order.symbol, []).append(WorkingOrder(order))
        return [OrderAccepted(order_id, now)]

    def resume(self, order: Order, *, filled: Decimal, fills: int, triggered: bool = False) -> None:
        """Take back a working order after a restart, as the system of record has it:
        ``filled`` units in ``fills`` fills so far (``triggered``: its stop already fired)."""
        self._known.add(order.client_order_id)
        working = WorkingOrder(order, filled, fills, triggered)
        self._books.setdefault(order.symbol, []).append(working)

    def cancel(self, client_order_id: str, now: datetime) -> list[ExecutionReport]:
        """Withdraw a working order; unknown or finished orders return nothing."""
        for symbol, book in self._books.items():
            for working in book:
                if working.order.client_order_id == client_order_id:
                    self._remove(symbol, book, working)
                    return [OrderCancelled(client_order_id, now, "cancelled on request")]
        return []

    @property
    def open_orders(self) -> list[Order]:
        """Orders still working, in arrival order per symbol."""
        return [working.order for book in self._books.values() for working in book]

    def on_price(self, update: PriceUpdate) -> list[ExecutionReport]:
        """Match the working orders of the update's symbol; returns fills and expiries."""
        book = self._books.get(update.symbol)
        if not book:
            return []
        reports: list[ExecutionReport] = []
        time = update.time
        for working in list(book):
            order = working.order
            if time <= order.created_at:
                continue
            if self._expired(working, time):
                self._remove(update.symbol, book, working)
                reports.append(OrderExpired(order.client_order_id, time))
                continue
            if isinstance(update, Bar):
                raw = price_on_bar(working, update)
            else:
                raw = price_on_tick(working, update)
            if raw is None:
                continue
            report = self._execute(working, raw, update)
            if report is not None:
                reports.append(report)
                if not working.leaves or isinstance(report, OrderRejected):
                    self._remove(update.symbol, book, working)
        return reports

    def _execute(
        self, working: WorkingOrder, raw: Decimal, update: PriceUpdate
    ) -> Fill | OrderRejected | None:
        order = working.order
        volume = update.volume if isinstance(update, Bar) else update.size
        quantity = self._capped(working.leaves, volume)
        if quantity <= 0:
            return None
        price = self._slippage.adjust(raw, order.side)
        limit = order.limit_price
        if limit is not None:
            # Slippage never pushes a limit order past its limit.
            price = min(price, limit) if order.side.sign > 0 else max(price, limit)
        order_id, commission = order.client_order_id, self._commission
        account = self._accounts[order.portfolio_id] if self._accounts is not None else None
        if account is not None:
            refusal = account.refusal(order_id, order.side, working.leaves, price, commission)
            if refusal is not None:
                return OrderRejected(order_id, refusal, update.time)
        working.leaves -= quantity
        working.fills += 1
        fill = Fill(
            fill_id=f"{self.engine_id}:{order_id}:{working.fills}",
            client_order_id=order_id,
            symbol=order.symbol,
            side=order.side,
            quantity=quantity,
            price=price,
            commission=commission.commission(quantity, price),
            time=update.time,
        )
        if account is not None:
            account.book(fill, working.leaves, commission)
        return fill

    def _capped(self, leaves: Decimal, volume: Decimal) -> Decimal:
        if self._volume_limit is None or not volume:
            return leaves
        cap = (volume * self._volume_limit).to_integral_value(ROUND_FLOOR)
        return min(leaves, cap)

    @staticmethod
    def _expired(working: WorkingOrder, time: datetime) -> bool:
        order = working.order
        if order.expire_at is not None:
            return time >= order.expire_at
        if order.time_in_force is TimeInForce.DAY:
            day = time.date()
            if working.day is None:
                working.day = day
            return day > working.day
        return False

    def _remove(self, symbol: str, book: list[WorkingOrder], working: WorkingOrder) -> None:
        if self._accounts is not None:
            self._accounts.release(working.order.portfolio_id, working.order.client_order_id)
        book.remove(working)
        if not book:
            # An empty book is dropped so the common no-order case is a single dict miss.
            del self._books[symbol]
