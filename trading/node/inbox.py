"""Upstream: bench.node_latency, bench.node_router, trading.node.host, trading.node.output, trading.node.processor, trading.node.router
Downstream: trading.bus.messages, trading.node.backpressure, trading.node.telemetry
Role: PortfolioInbox: one portfolio's bounded market-data queue (drop or conflate under pressure) plus an unbounded lane for feedback that always goes first."""

import threading
from collections import deque
from typing import Any, Protocol

from trading.bus.messages import PriceMessage
from trading.node.backpressure import Level, Policy, thresholds
from trading.node.telemetry import Drop, PortfolioSeries


class Successor(Protocol):
    """Who takes the market data offered after :meth:`PortfolioInbox.close`."""

    def offer(self, update: PriceMessage) -> Level:
        """Take one update."""


class _Slot:
    """A queued update whose content a newer update of the same symbol may replace."""

    __slots__ = ("update",)

    def __init__(self, update: PriceMessage) -> None:
        self.update = update


class PortfolioInbox:
    """The queue between the router (and feedback consumer) and one portfolio's thread.

    Market data goes to a lane bounded by ``maxsize``; :meth:`offer` never blocks and says
    how full the lane was (:class:`Level`), dropping or conflating per ``policy`` under
    pressure. Feedback (acks, fills) and commands go to the urgent lane, which is never
    bounded and always taken first, so backpressure can never cost a fill. After
    :meth:`close` no market data is taken in (it goes to the successor, if one was given);
    :meth:`take` returns None once both lanes are empty, which is how a portfolio thread
    learns to stop after draining. Every update it drops is counted in ``series`` by
    reason (when given: a bench's anonymous inbox has none).
    """

    def __init__(
        self, maxsize: int, policy: Policy = Policy.DROP, series: PortfolioSeries | None = None
    ) -> None:
        self.maxsize = maxsize
        self.policy = policy
        self._series = series
        self._warning_at, self._critical_at = thresholds(maxsize)
        self._conflate = policy is Policy.CONFLATE
        self._lock = threading.Lock()
        self._ready = threading.Condition(self._lock)
        self._waiting = False
        self._closed = False
        self._successor: Successor | None = None
        self._urgent: deque[Any] = deque()
        self._market: deque[Any] = deque()
        self._queued: dict[str, _Slot] = {}
        self._level = Level.NORMAL
        self.dropped = 0
        self.conflated = 0
        self.warnings = 0
        self.criticals = 0

    def __len__(self) -> int:
        return len(self._market) + len(self._urgent)

    @property
    def closed(self) -> bool:
        """True once market intake was closed."""
        return self._closed

    @property
    def market_done(self) -> bool:
        """True once intake was closed and every queued update was taken: no more market
        data will come out (feedback still may)."""
        return self._closed and not self._market

    def offer(self, update: PriceMessage) -> Level:
        """Queue a price update unless the policy refuses it; returns the level it met."""
        with self._lock:
            if self._closed:
                successor = self._successor
                if successor is None:  # routed just before the portfolio stopped
                    self._lose(Drop.DRAIN)
                    return Level.NORMAL
                return successor.offer(update)
            size = len(self._market)
            level = self._measure(size)
            if self._conflate:
                if not self._conflated(update, size, level):
                    return level
            elif level is Level.CRITICAL:
                self._lose(Drop.BACKPRESSURE)
                return level
            else:
                self._market.append(update)
            if self._waiting:
                self._ready.notify()
            return level

    def extend(self, updates: list[PriceMessage]) -> None:
        """Queue ``updates`` in order whatever the limits (a reload buffer's replay)."""
        with self._lock:
            for update in updates:
                if self._conflate:
                    self._queued[update.symbol] = slot = _Slot(update)
                    self._market.append(slot)
                else:
                    self._market.append(update)
            if self._waiting:
                self._ready.notify()

    def put_urgent(self, item: object) -> None:
        """Queue feedback or a command ahead of all market data; never refused."""
        with self._lock:
            self._urgent.append(item)
            if self._waiting:
                self._ready.notify()

    def take(self, timeout: float | None = None, *, linger: bool = False) -> Any:
        """The next item (urgent first), waiting up to ``timeout``; None when there is
        nothing to take: after the timeout, or at once once closed and drained (with
        ``linger``, an inbox closed before the call still waits out the timeout for
        feedback; one closed during the call returns None at once all the same)."""
        with self._lock:
            closed_before = self._closed
            while not self._urgent and not self._market:
                if self._closed and not (linger and closed_before):
                    return None
                self._waiting = True
                try:
                    if not self._ready.wait(timeout):
                        return None
                finally:
                    self._waiting = False
            if self._urgent:
                return self._urgent.popleft()
            item = self._market.popleft()
            if not self._conflate:
                return item
            update = item.update
            if self._queued.get(update.symbol) is item:
                del self._queued[update.symbol]
            return update

    def close(self, successor: Successor | None = None) -> None:
        """Take in no more market data (hand it to ``successor``); :meth:`take` drains what
        is queued, then ends."""
        with self._lock:
            self._closed = True
            self._successor = successor
            self._ready.notify_all()

    def discard(self) -> int:
        """Drop every queued market update (a stop that cannot wait); returns how many."""
        with self._lock:
            count = len(self._market)
            self._market.clear()
            self._queued.clear()
            self._lose(Drop.DRAIN, count)
            self._ready.notify_all()
            return count

    def _measure(self, size: int) -> Level:
        if size < self._warning_at:
            level = Level.NORMAL
        elif size < self._critical_at:
            level = Level.WARNING
        else:
            level = Level.CRITICAL
        previous = self._level
        if level > previous:
            if previous is Level.NORMAL:
                self.warnings += 1
            if level is Level.CRITICAL:
                self.criticals += 1
        self._level = level
        return level

    def _lose(self, reason: Drop, count: int = 1) -> None:
        """Count updates that will never be processed (in ``conflated`` or ``dropped``, and
        in the portfolio's series by reason)."""
        if reason is Drop.CONFLATED:
            self.conflated += count
        else:
            self.dropped += count
        if self._series is not None:
            self._series.drop(reason, count)

    def _conflated(self, update: PriceMessage, size: int, level: Level) -> bool:
        """Conflate policy; True when a new item was appended (the reader must be woken)."""
        if level is not Level.NORMAL:
            slot = self._queued.get(update.symbol)
            if slot is not None:
                slot.update = update
                self._lose(Drop.CONFLATED)
                return False
        if size >= self.maxsize:
            self._lose(Drop.BACKPRESSURE)
            return False
        slot = self._queued[update.symbol] = _Slot(update)
        self._market.append(slot)
        return True
