"""Upstream: trading.node.loader
Downstream: trading.core.clock
Role: EventClock: a portfolio's clock in a live node, moved forward by the event times of the updates it processes."""

from datetime import datetime

from trading.core.clock import DAWN_OF_TIME


class EventClock:
    """The latest event time the portfolio has processed; it never goes back.

    A live portfolio's orders carry the time of the update that caused them, as in a
    backtest: the venue fills an order on the first update after that time, so a replay of
    historical bars trades the same in a node as in a backtest, and live ticks (whose event
    time is the wall clock's) trade live. Only the portfolio's own thread moves it.
    """

    __slots__ = ("_now",)

    def __init__(self, start: datetime = DAWN_OF_TIME) -> None:
        self._now = start

    def now(self) -> datetime:
        """The latest event time seen."""
        return self._now

    def advance(self, time: datetime) -> None:
        """Move to ``time`` if it is later (updates of other symbols may come a bit late)."""
        if time > self._now:
            self._now = time
