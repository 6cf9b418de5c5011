"""Upstream: trading.core.data.csv_bars, trading.livecore.datamanager
Downstream: trading.core.amounts, trading.core.market
Role: the one validation rule for market data: a bar or tick is sane by itself, and each symbol's updates come in strictly increasing time."""

from datetime import datetime
from decimal import Decimal, InvalidOperation

from trading.core.amounts import LIMIT
from trading.core.market import Bar, PriceUpdate

ZERO = Decimal(0)


def bar_problem(bar: Bar) -> str | None:
    """What is wrong with ``bar`` by itself, None when nothing is.

    Prices are finite, above 0 and at most the core's sane magnitude; low <= open <= high
    and low <= close <= high; the volume is finite, not negative and at most that magnitude.
    """
    try:
        low, high = bar.low, bar.high
        if (
            ZERO < low <= bar.open <= high <= LIMIT
            and low <= bar.close <= high
            and ZERO <= bar.volume <= LIMIT
        ):
            return None
    except InvalidOperation:  # a NaN compared: described below
        pass
    prices = (("open", bar.open), ("high", bar.high), ("low", bar.low), ("close", bar.close))
    problem = _prices_problem(prices) or _amount_problem("volume", bar.volume, positive=False)
    if problem is not None:
        return problem
    if bar.high < bar.low:
        return f"high {bar.high} is below low {bar.low}"
    for name, price in (("open", bar.open), ("close", bar.close)):
        if price > bar.high:
            return f"{name} {price} is above high {bar.high}"
        if price < bar.low:
            return f"{name} {price} is below low {bar.low}"
    return None


def update_problem(update: PriceUpdate) -> str | None:
    """What is wrong with a bar or a tick by itself, None when nothing is (a tick: price as
    a bar's prices, size as a bar's volume)."""
    if isinstance(update, Bar):
        return bar_problem(update)
    return _prices_problem((("price", update.price),)) or _amount_problem(
        "size", update.size, positive=False
    )


class UpdateChecker:
    """Applies the rule to a stream of updates: each one sane by itself (:func:`update_problem`)
    and later than the previous accepted update of its symbol.

    Refused updates leave the checker as it was, so a stream may skip them and go on.
    """

    __slots__ = ("_last",)

    def __init__(self) -> None:
        self._last: dict[str, datetime] = {}

    def problem(self, update: PriceUpdate) -> str | None:
        """Why ``update`` is refused, or None (it is then the symbol's latest)."""
        problem = update_problem(update)
        if problem is not None:
            return problem
        symbol, time = update.symbol, update.time
        previous = self._last.get(symbol)
        if previous is not None and time <= previous:
            return (
                f"time {time.isoformat()} is not after {previous.isoformat()}, "
                f"the previous time of {symbol}"
            )
        self._last[symbol] = time
        return None


def _prices_problem(prices: tuple[tuple[str, Decimal], ...]) -> str | None:
    for name, price in prices:
        problem = _amount_problem(name, price, positive=True)
        if problem is not None:
            return problem
    return None


def _amount_problem(name: str, value: Decimal, *, positive: bool) -> str | None:
    """A price must be above 0, a volume or size at least 0; both finite, at most LIMIT."""
    if not value.is_finite():
        return f"{name} is not a finite number ({value})"
    if positive and value <= 0:
        return f"{name} {value} is not above 0"
    if value < 0:
        return f"{name} {value} is negative"
    if value > LIMIT:
        return f"{name} {value} is beyond {LIMIT:.0e}"
    return None
