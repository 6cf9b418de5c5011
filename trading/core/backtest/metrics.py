"""Upstream: trading.core.backtest.engine
Downstream: trading.core.clock
Role: performance measurement of a run: drawdown over every update, daily returns and their Sharpe ratio."""

import itertools
import math
import statistics
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from trading.core.clock import DAWN_OF_TIME

TRADING_DAYS_PER_YEAR = 252


class PerformanceTracker:
    """Follows equity through a run, cheaply enough to be called on every price update.

    Drawdown is measured on every recorded equity; returns are daily, between the last equity
    of consecutive (UTC) days, the first day measured from the initial capital.
    """

    __slots__ = ("_closes", "_last", "_max_drawdown", "_next_day", "_peak", "_trough")

    def __init__(self, initial_capital: Decimal) -> None:
        self._closes: list[Decimal] = [initial_capital]
        self._last: Decimal | None = None
        self._next_day = DAWN_OF_TIME
        self._peak = self._trough = initial_capital
        self._max_drawdown = Decimal(0)

    def record(self, when: datetime, equity: Decimal) -> None:
        """Note the equity after the update at ``when`` (times never go backwards)."""
        if when >= self._next_day:
            if self._last is not None:
                self._closes.append(self._last)
            self._next_day = datetime.combine(when.date() + timedelta(days=1), time(), UTC)
        self._last = equity
        # Drawdown is only computed when a new peak closes the previous peak-to-trough run.
        if equity > self._peak:
            self._close_run()
            self._peak = self._trough = equity
        elif equity < self._trough:
            self._trough = equity

    @property
    def max_drawdown(self) -> float:
        """Largest fall from a peak, as a fraction of that peak (0.25 = 25%)."""
        self._close_run()
        return float(self._max_drawdown)

    def daily_returns(self) -> list[float]:
        """Return of each day, from the previous day's last equity to this day's (days that
        start without positive equity have no return)."""
        closes = self._closes if self._last is None else [*self._closes, self._last]
        pairs = itertools.pairwise(closes)
        return [float(today / before - 1) for before, today in pairs if before > 0]

    def sharpe(self) -> float | None:
        """Annualised Sharpe ratio of the daily returns, risk-free rate 0.

        ``mean / sample standard deviation * sqrt(252)``; None with fewer than two returns
        or no variation.
        """
        returns = self.daily_returns()
        if len(returns) < 2:
            return None
        deviation = statistics.stdev(returns)
        if deviation == 0:
            return None
        return statistics.fmean(returns) / deviation * math.sqrt(TRADING_DAYS_PER_YEAR)

    def _close_run(self) -> None:
        if self._peak > 0:
            self._max_drawdown = max(self._max_drawdown, (self._peak - self._trough) / self._peak)
