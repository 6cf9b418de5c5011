"""Upstream: trading.core.matching.engine
Downstream: trading.core.enums, trading.core.errors, trading.core.market, trading.core.orders.order
Role: the fill rules of the paper venue: at what price a working order executes on a bar or a tick, if at all."""

from datetime import date
from decimal import Decimal

from trading.core.enums import OrderType, Side
from trading.core.errors import OrderError
from trading.core.market import Bar, Tick
from trading.core.orders.order import Order


class WorkingOrder:
    """An order resting at the paper venue: what is left of it and whether its stop fired."""

    __slots__ = ("day", "fills", "leaves", "order", "triggered")

    def __init__(
        self, order: Order, filled: Decimal = Decimal(0), fills: int = 0, triggered: bool = False
    ) -> None:
        self.order = order
        self.leaves = order.quantity - filled
        self.fills = fills
        self.triggered = triggered
        # Trading day (UTC date) of the first price the order could match; DAY orders end with it.
        self.day: date | None = None


def price_on_bar(working: WorkingOrder, bar: Bar) -> Decimal | None:
    """Execution price of ``working`` on ``bar`` before slippage, or None if it does not trade.

    Buys (sells mirror them): market at the open; limit at the open if the open is at or
    below the limit, else at the limit if the low reaches it; stop at the open if the open is
    at or above the stop, else at the stop if the high reaches it. A stop-limit first needs its
    stop; triggered at the open, the limit rule applies to the whole bar; triggered inside the
    bar, it fills at the stop if the limit allows that price, else at the limit only if the
    bar closes at or through the limit (the price must then have come back after the trigger).
    """
    order = working.order
    kind = order.order_type
    if kind is OrderType.MARKET:
        return bar.open
    if kind is OrderType.LIMIT:
        return _limit_on_bar(order.side, _price(order.limit_price), bar)
    if kind is OrderType.STOP:
        return _stop_on_bar(order.side, _price(order.stop_price), bar)
    return _stop_limit_on_bar(working, bar)


def price_on_tick(working: WorkingOrder, tick: Tick) -> Decimal | None:
    """Execution price of ``working`` on ``tick`` before slippage, or None.

    Every order that trades on a tick trades at the tick's price: market always; limit when
    the price is at or better than the limit; stop once the price reaches the stop;
    stop-limit when the stop has fired (on this or an earlier tick) and the limit allows it.
    """
    order = working.order
    price = tick.price
    buy = order.side is Side.BUY
    if order.order_type in (OrderType.STOP, OrderType.STOP_LIMIT) and not working.triggered:
        stop = _price(order.stop_price)
        working.triggered = price >= stop if buy else price <= stop
        if not working.triggered:
            return None
    limit = order.limit_price
    if limit is not None and (price > limit if buy else price < limit):
        return None
    return price


def _price(value: Decimal | None) -> Decimal:
    if value is None:
        # Order.__post_init__ guarantees every price an order type needs; this is a bug.
        raise OrderError("order lacks the price its type requires")
    return value


def _limit_on_bar(side: Side, limit: Decimal, bar: Bar) -> Decimal | None:
    if side is Side.BUY:
        if bar.open <= limit:
            return bar.open
        return limit if bar.low <= limit else None
    if bar.open >= limit:
        return bar.open
    return limit if bar.high >= limit else None


def _stop_on_bar(side: Side, stop: Decimal, bar: Bar) -> Decimal | None:
    if side is Side.BUY:
        if bar.open >= stop:
            return bar.open
        return stop if bar.high >= stop else None
    if bar.open <= stop:
        return bar.open
    return stop if bar.low <= stop else None


def _stop_limit_on_bar(working: WorkingOrder, bar: Bar) -> Decimal | None:
    order = working.order
    side = order.side
    limit = _price(order.limit_price)
    if working.triggered:
        return _limit_on_bar(side, limit, bar)
    trigger = _stop_on_bar(side, _price(order.stop_price), bar)
    if trigger is None:
        return None
    working.triggered = True
    if trigger == bar.open:
        return _limit_on_bar(side, limit, bar)
    buy = side is Side.BUY
    if trigger <= limit if buy else trigger >= limit:
        return trigger
    return limit if (bar.close <= limit if buy else bar.close >= limit) else None
