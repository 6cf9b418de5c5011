"""Upstream: trading.livecore.paper
Downstream: trading.core.market
Role: PriceWindow: the last N price updates of each symbol in event-time order, so late orders fill by event time."""

from collections import deque
from datetime import datetime

from trading.core.market import PriceUpdate


class PriceWindow:
    """Recent price updates per symbol, at most ``size`` each, in strictly increasing time.

    An update not later than the newest one kept for its symbol is a replay (redelivery, a
    rewound consumer, a restarted replay source) and is refused. The window remembers the
    newest time it had to evict, so it can tell whether it still holds every update after a
    given time.
    """

    __slots__ = ("_evicted", "_size", "_updates")

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError(f"a price window holds at least one update, got {size}")
        self._size = size
        self._updates: dict[str, deque[PriceUpdate]] = {}
        self._evicted: dict[str, datetime] = {}

    def add(self, update: PriceUpdate) -> bool:
        """Keep ``update``; False (and nothing kept) when it is not newer than the last one."""
        kept = self._updates.get(update.symbol)
        if kept is None:
            kept = self._updates[update.symbol] = deque(maxlen=self._size)
        elif update.time <= kept[-1].time:
            return False
        if len(kept) == self._size:
            self._evicted[update.symbol] = kept[0].time
        kept.append(update)
        return True

    def after(self, symbol: str, time: datetime) -> list[PriceUpdate]:
        """The kept updates of ``symbol`` later than ``time``, oldest first."""
        kept = self._updates.get(symbol)
        if not kept:
            return []
        later: list[PriceUpdate] = []
        for update in reversed(kept):
            if update.time <= time:
                break
            later.append(update)
        later.reverse()
        return later

    def covers(self, symbol: str, time: datetime) -> bool:
        """True when no update of ``symbol`` later than ``time`` has been evicted."""
        evicted = self._evicted.get(symbol)
        return evicted is None or evicted <= time
