"""Upstream: trading.core.backtest.engine, trading.core.config, trading.core.pipeline, trading.core.risk.base, trading.core.strategies.base, trading.core.testing.harness, trading.node.clock, trading.node.loader, trading.node.sequencer
Downstream: trading.core.errors
Role: the injected time source: a Clock protocol and a settable TestClock (the core never reads the wall clock)."""

from datetime import UTC, datetime, timedelta
from typing import Protocol

from trading.core.errors import CoreError

# The earliest time there is: clocks start here, so history of any age (from year 1) replays.
DAWN_OF_TIME = datetime.min.replace(tzinfo=UTC)


class Clock(Protocol):
    """Anything that tells the current time as a timezone-aware UTC datetime."""

    def now(self) -> datetime:
        """Return the current time (aware, UTC)."""
        ...


class TestClock:
    """A clock that only moves when told to; backtests drive it with event times."""

    __slots__ = ("_now",)
    # Keeps pytest from trying to collect this class when a test module imports it.
    __test__ = False

    def __init__(self, start: datetime = DAWN_OF_TIME) -> None:
        _require_aware(start)
        self._now = start

    def now(self) -> datetime:
        """Return the time last set."""
        return self._now

    def set(self, time: datetime) -> None:
        """Move to ``time``; the clock never goes backwards."""
        if time < self._now:
            raise CoreError(f"clock cannot go back from {self._now.isoformat()} to {time}")
        self._now = time

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta`` and return the new time."""
        self.set(self._now + delta)
        return self._now


def _require_aware(time: datetime) -> None:
    if time.tzinfo is None or time.utcoffset() is None:
        raise CoreError(f"time must be timezone-aware UTC, got naive {time.isoformat()}")
