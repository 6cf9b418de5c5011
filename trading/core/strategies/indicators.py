"""Upstream: trading.core.strategies.builtin
Downstream: (none)
Role: incremental indicators for strategies: an exact simple moving average and Wilder's RSI, with checkpointable state."""

from collections import deque
from decimal import Decimal
from typing import Any


class MovingAverage:
    """Simple moving average of the last ``period`` values, kept as an exact Decimal sum.

    Exactness matters: strategies ask on which side of the average a price lies, and a price
    exactly on the average must compare as equal, not as a rounding error.
    """

    __slots__ = ("_window", "period", "total")

    def __init__(self, period: int) -> None:
        self.period = period
        self._window: deque[Decimal] = deque(maxlen=period)
        self.total = Decimal(0)

    @property
    def ready(self) -> bool:
        """True once ``period`` values have been seen."""
        return len(self._window) == self.period

    @property
    def value(self) -> Decimal | None:
        """The average, or None while warming up."""
        return self.total / self.period if self.ready else None

    def update(self, value: Decimal) -> bool:
        """Add a value (dropping the oldest once full); returns :attr:`ready`."""
        window = self._window
        if len(window) == self.period:
            self.total += value - window[0]
        else:
            self.total += value
        window.append(value)
        return len(window) == self.period

    def compare(self, value: Decimal) -> int:
        """-1, 0 or +1 as ``value`` is below, on or above the average (exact)."""
        difference = value * self.period - self.total
        return (difference > 0) - (difference < 0)

    def get_state(self) -> dict[str, Any]:
        """JSON-ready state."""
        return {"window": [str(v) for v in self._window]}

    def set_state(self, state: dict[str, Any]) -> None:
        """Continue from :meth:`get_state` output."""
        self._window = deque((Decimal(v) for v in state["window"]), maxlen=self.period)
        self.total = sum(self._window, Decimal(0))


class WilderRsi:
    """Relative Strength Index with Wilder's smoothing, in floats (no money is involved).

    Gains and losses are close-to-close changes. The first average gain/loss is the plain mean
    of the first ``period`` changes; after that ``avg = (avg * (period - 1) + x) / period``.
    RSI = 100 - 100 / (1 + avg_gain / avg_loss); it is 100 when there were no losses and 50
    when the price did not move at all.
    """

    __slots__ = ("_avg_gain", "_avg_loss", "_count", "_previous", "period", "value")

    def __init__(self, period: int) -> None:
        self.period = period
        self._previous: float | None = None
        self._count = 0
        self._avg_gain = 0.0
        self._avg_loss = 0.0
        self.value: float | None = None

    def update(self, close: Decimal) -> float | None:
        """Add a close; returns the RSI once ``period`` changes have been seen."""
        price = float(close)
        previous, self._previous = self._previous, price
        if previous is None:
            return None
        change = price - previous
        gain, loss = (change, 0.0) if change > 0 else (0.0, -change)
        period = self.period
        if self._count < period:
            # Warming up, the averages hold sums until `period` changes are in.
            self._count += 1
            self._avg_gain += gain
            self._avg_loss += loss
            if self._count < period:
                return None
            self._avg_gain /= period
            self._avg_loss /= period
        else:
            self._avg_gain = (self._avg_gain * (period - 1) + gain) / period
            self._avg_loss = (self._avg_loss * (period - 1) + loss) / period
        self.value = _rsi(self._avg_gain, self._avg_loss)
        return self.value

    def get_state(self) -> dict[str, Any]:
        """JSON-ready state (floats survive JSON exactly)."""
        return {
            "previous": self._previous,
            "count": self._count,
            "avg_gain": self._avg_gain,
            "avg_loss": self._avg_loss,
            "value": self.value,
        }

    def set_state(self, state: dict[str, Any]) -> None:
        """Continue from :meth:`get_state` output."""
        self._previous = state["previous"]
        self._count = state["count"]
        self._avg_gain = state["avg_gain"]
        self._avg_loss = state["avg_loss"]
        self.value = state["value"]


def _rsi(avg_gain: float, avg_loss: float) -> float:
    if avg_loss == 0:
        return 50.0 if avg_gain == 0 else 100.0
    return 100.0 - 100.0 / (1.0 + avg_gain / avg_loss)
