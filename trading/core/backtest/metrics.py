"""Upstream: trading.core.backtest.engine, trading.core.backtest.result, trading.reports
Downstream: (none)
Role: performance of a run: the per-bar equity curve, its drawdowns, daily returns (Sharpe, Sortino), CAGR, exposure and round-trip statistics."""

import itertools
import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

TRADING_DAYS_PER_YEAR = 252
SECONDS_PER_YEAR = 365.25 * 24 * 3600


@dataclass(frozen=True, slots=True)
class EquitySeries:
    """A run's equity after the last price update of each event time (positions marked at
    that update's price, a bar's close) and its cash then, in three columns of one length.

    Columns rather than a point object per bar: a long run has millions of bars, and tuples
    of plain values cost neither the time to build those objects nor garbage collections
    that grow with them."""

    times: tuple[datetime, ...] = ()
    equity: tuple[Decimal, ...] = ()
    cash: tuple[Decimal, ...] = ()

    def __len__(self) -> int:
        return len(self.times)

    @property
    def final(self) -> Decimal | None:
        """The last equity (None for an empty series)."""
        return self.equity[-1] if self.equity else None


@dataclass(frozen=True, slots=True)
class PriceSeries:
    """The prices one symbol's updates marked positions at (a bar's close), in time order."""

    times: tuple[datetime, ...] = ()
    prices: tuple[Decimal, ...] = ()


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """A position that went back to flat: its P&L net of the commissions paid during it."""

    symbol: str
    closed_at: datetime
    pnl: Decimal


@dataclass(frozen=True, slots=True)
class Drawdown:
    """The largest fall from a peak: ``depth`` as a fraction of the peak (0.25 = 25%), when
    the peak was, when the trough was, and when equity first came back to the peak (None
    while it has not)."""

    depth: float
    peak: datetime | None
    trough: datetime | None
    recovered: datetime | None


NO_DRAWDOWN = Drawdown(0.0, None, None, None)


class EquityCurve:
    """Collects the per-bar equity of a run, cheaply enough to be called on every update:
    the updates of one event time (bars of several symbols) leave one entry, the last."""

    __slots__ = ("_cash", "_equity", "_times")

    def __init__(self) -> None:
        self._times: list[datetime] = []
        self._equity: list[Decimal] = []
        self._cash: list[Decimal] = []

    def record(self, when: datetime, equity: Decimal, cash: Decimal) -> None:
        """Note the portfolio after the update at ``when`` (times never go backwards)."""
        times = self._times
        if times and times[-1] == when:
            self._equity[-1] = equity
            self._cash[-1] = cash
        else:
            times.append(when)
            self._equity.append(equity)
            self._cash.append(cash)

    def series(self) -> EquitySeries:
        """The curve so far."""
        return EquitySeries(tuple(self._times), tuple(self._equity), tuple(self._cash))


@dataclass(frozen=True, slots=True)
class Statistics:
    """What a trader reads off a run.

    ``total_return`` is final/initial - 1; ``cagr`` the yearly rate that compounds to it
    over the run's span (None for runs shorter than a day); ``sharpe`` and ``sortino`` are
    annualised from daily returns with a zero risk-free rate and target; ``win_rate`` is the
    share of round trips with a positive net P&L, ``average_win`` / ``average_loss`` the
    mean P&L of the winning / losing ones; ``exposure`` the share of bars that closed with a
    position held.
    """

    total_return: float
    cagr: float | None
    max_drawdown: Drawdown
    sharpe: float | None
    sortino: float | None
    round_trips: int
    win_rate: float | None
    average_win: Decimal | None
    average_loss: Decimal | None
    exposure: float | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: ratios as floats, money as exact decimal strings, times ISO 8601."""
        drawdown = self.max_drawdown
        return {
            "return": self.total_return,
            "cagr": self.cagr,
            "max_drawdown": drawdown.depth,
            "max_drawdown_peak": _iso(drawdown.peak),
            "max_drawdown_trough": _iso(drawdown.trough),
            "max_drawdown_recovered": _iso(drawdown.recovered),
            "sharpe": self.sharpe,
            "sortino": self.sortino,
            "round_trips": self.round_trips,
            "win_rate": self.win_rate,
            "average_win": _text(self.average_win),
            "average_loss": _text(self.average_loss),
            "exposure": self.exposure,
        }


def run_statistics(
    initial_capital: Decimal, curve: EquitySeries, trips: Sequence[RoundTrip]
) -> Statistics:
    """Score a run from its per-bar equity curve and its round trips."""
    final = curve.final if curve.final is not None else initial_capital
    returns = daily_returns(initial_capital, curve)
    wins = [trip.pnl for trip in trips if trip.pnl > 0]
    losses = [trip.pnl for trip in trips if trip.pnl < 0]
    # A position is held exactly when equity differs from cash (prices are positive).
    invested = sum(
        1 for equity, cash in zip(curve.equity, curve.cash, strict=True) if equity != cash
    )
    return Statistics(
        total_return=float(final / initial_capital - 1),
        cagr=cagr(initial_capital, curve),
        max_drawdown=max_drawdown(initial_capital, curve),
        sharpe=sharpe(returns),
        sortino=sortino(returns),
        round_trips=len(trips),
        win_rate=len(wins) / len(trips) if trips else None,
        average_win=_mean(wins),
        average_loss=_mean(losses),
        exposure=invested / len(curve) if curve else None,
    )


def drawdown_curve(initial_capital: Decimal, equity: Sequence[Decimal]) -> list[float]:
    """How far below its running peak (the initial capital to begin with) each equity is,
    as a fraction of that peak: 0 at a new high, 0.25 a quarter below it."""
    peak = initial_capital
    depths = []
    for value in equity:
        peak = max(peak, value)
        depths.append(float((peak - value) / peak) if peak > 0 else 0.0)
    return depths


def max_drawdown(initial_capital: Decimal, curve: EquitySeries) -> Drawdown:
    """The largest fall from a peak (the initial capital counts as a peak at the first bar)
    to a later trough, with its dates and the first bar back at the peak."""
    if not curve:
        return NO_DRAWDOWN
    peak, peak_time = initial_capital, curve.times[0]
    low = peak  # the lowest equity since the peak: depths are computed at new lows only
    deepest = Decimal(0)
    found: tuple[Decimal, datetime, int] | None = None
    for index, (when, equity) in enumerate(zip(curve.times, curve.equity, strict=True)):
        if equity > peak:
            peak = low = equity
            peak_time = when
        elif equity < low:
            low = equity
            if peak > 0 and (depth := (peak - equity) / peak) > deepest:
                deepest, found = depth, (peak, peak_time, index)
    if found is None:
        return NO_DRAWDOWN
    top, top_time, bottom = found
    recovered = next(
        (curve.times[i] for i in range(bottom + 1, len(curve)) if curve.equity[i] >= top), None
    )
    return Drawdown(float(deepest), top_time, curve.times[bottom], recovered)


def daily_returns(initial_capital: Decimal, curve: EquitySeries) -> list[float]:
    """Return of each (UTC) day, from the previous day's last equity to this day's; the
    first day from the initial capital (days that start without positive equity have none)."""
    closes = [initial_capital]
    day = None
    for when, equity in zip(curve.times, curve.equity, strict=True):
        today = when.date()
        if today == day:
            closes[-1] = equity
        else:
            closes.append(equity)
            day = today
    return [float(today / before - 1) for before, today in itertools.pairwise(closes) if before > 0]


def sharpe(returns: Sequence[float]) -> float | None:
    """``mean / sample standard deviation * sqrt(252)``; None with fewer than two returns or
    no variation."""
    if len(returns) < 2:
        return None
    deviation = statistics.stdev(returns)
    if deviation == 0:
        return None
    return statistics.fmean(returns) / deviation * math.sqrt(TRADING_DAYS_PER_YEAR)


def sortino(returns: Sequence[float]) -> float | None:
    """``mean / downside deviation * sqrt(252)``, the downside deviation being the root mean
    square of the returns below zero (the others counting as zero); None with fewer than two
    returns or none below zero."""
    if len(returns) < 2:
        return None
    downside = math.sqrt(sum(min(r, 0.0) ** 2 for r in returns) / len(returns))
    if downside == 0:
        return None
    return statistics.fmean(returns) / downside * math.sqrt(TRADING_DAYS_PER_YEAR)


def cagr(initial_capital: Decimal, curve: EquitySeries) -> float | None:
    """The yearly growth rate that compounds the initial capital into the final equity over
    the time from the first bar to the last (years of 365.25 days); None for a span shorter
    than a day, a final equity that is not positive, or a rate beyond floating point."""
    if curve.final is None:
        return None
    span = curve.times[-1] - curve.times[0]
    growth = float(curve.final / initial_capital)
    if span < timedelta(days=1) or growth <= 0:
        return None
    try:
        return float(growth ** (SECONDS_PER_YEAR / span.total_seconds())) - 1
    except OverflowError:
        return None


def _mean(values: Sequence[Decimal]) -> Decimal | None:
    return sum(values, Decimal(0)) / len(values) if values else None


def _iso(when: datetime | None) -> str | None:
    return None if when is None else when.isoformat()


def _text(amount: Decimal | None) -> str | None:
    return None if amount is None else str(amount)
