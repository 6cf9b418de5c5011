"""Upstream: monitoring.portfolio_page, trading.management.commands.backtest, trading.management.commands.portfolio_verify, trading.services.portfolio_verify, trading.services.twins
Downstream: trading.core.orders.events
Role: fills side by side: the plain JSON row of a fill, and the fill-by-fill comparison of two runs (live and its replay) naming the first divergence."""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from itertools import zip_longest
from typing import Any

from trading.core.orders.events import Fill

# What makes two fills the same trade (ids and commissions are each run's own).
COMPARED = ("time", "symbol", "side", "quantity", "price")


def plain(value: Decimal) -> str:
    """A decimal without the zeros a fixed scale pads with: 10.50000000 -> "10.5"."""
    return f"{value.normalize():f}"


def fill_row(fill: Fill) -> dict[str, str]:
    """``{time, symbol, side, quantity, price, commission}``, numbers as plain decimals, so
    the same trade reads the same whether it came from a CSV file, the bar store or the
    database."""
    return {
        "time": fill.time.isoformat(),
        "symbol": fill.symbol,
        "side": fill.side.value,
        "quantity": plain(fill.quantity),
        "price": plain(fill.price),
        "commission": plain(fill.commission),
    }


def fill_text(fill: Fill | None) -> str:
    """One line: ``2010-03-01T00:00:00+00:00 buy 20 AAPL @ 30.1`` (``no fill`` for None)."""
    if fill is None:
        return "no fill"
    row = fill_row(fill)
    return f"{row['time']} {row['side']} {row['quantity']} {row['symbol']} @ {row['price']}"


def _trade(fill: Fill) -> tuple[Any, ...]:
    return fill.time, fill.symbol, fill.side, fill.quantity, fill.price


def _event_order(fill: Fill) -> tuple[Any, ...]:
    # The order fills happen in a run: by time, then symbol (the event order of the bars
    # that fill them); the sort is stable, so one symbol's fills at one time keep theirs.
    return fill.time, fill.symbol


@dataclass(frozen=True, slots=True)
class Divergence:
    """Where two runs first differ: the fills at ``index`` (0-based, in event order) of
    each, None on the side that has no fill there."""

    index: int
    live: Fill | None
    replayed: Fill | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the index and both sides as :func:`fill_row` (or null)."""
        return {
            "index": self.index,
            "live": fill_row(self.live) if self.live else None,
            "replayed": fill_row(self.replayed) if self.replayed else None,
        }


@dataclass(frozen=True, slots=True)
class FillComparison:
    """Two runs' fills compared one by one on :data:`COMPARED`."""

    live: int
    replayed: int
    # Fills equal on both sides before the first divergence (all of them when equal).
    matched: int
    divergence: Divergence | None

    @property
    def equal(self) -> bool:
        """True when both runs made the same trades, fill by fill."""
        return self.divergence is None


def compare_fills(live: Iterable[Fill], replayed: Iterable[Fill]) -> FillComparison:
    """Compare ``live`` with ``replayed``, both put in event order first."""
    ours = sorted(live, key=_event_order)
    theirs = sorted(replayed, key=_event_order)
    for index, (one, other) in enumerate(zip_longest(ours, theirs)):
        if one is None or other is None or _trade(one) != _trade(other):
            return FillComparison(len(ours), len(theirs), index, Divergence(index, one, other))
    return FillComparison(len(ours), len(theirs), len(ours), None)
