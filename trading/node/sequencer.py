"""Upstream: bench.node_latency, trading.node.config, trading.node.processor, trading.node.runtime, trading.node.telemetry
Downstream: trading.core.clock, trading.core.market, trading.core.orders.events, trading.core.orders.state
Role: EventSequencer: hands a portfolio's price updates and execution reports to its pipeline in the backtest's order, holding an update only while something that must come first is still due, and never longer than the wait."""

import heapq
import itertools
import time
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum, StrEnum
from typing import Protocol

from trading.core.clock import DAWN_OF_TIME
from trading.core.market import Bar, Tick
from trading.core.orders.events import ExecutionReport, Fill
from trading.core.orders.state import TrackedOrder

# The wait's default (seconds): longer than a LiveCore restart (which publishes nothing
# meanwhile), shorter than a node's drain on stop.
DEFAULT_WAIT_SECONDS = 20.0

Item = Bar | Tick | ExecutionReport


@dataclass(frozen=True, slots=True)
class ExecutedThrough:
    """The venue's word (an ``execution.watermark``) that an order was executed against every
    price of its ``symbol`` up to ``time``, and that the reports this caused came before it."""

    client_order_id: str
    symbol: str
    time: datetime


class Due(StrEnum):
    """What a held item waits for (and the reason label of an expired wait)."""

    FILLS = "fills"  # a working order's reports for the item's time (LiveCore's watermark)
    MARKET = "market"  # another symbol's update of an earlier (or the same) time


class _Rank(IntEnum):
    # At one time and symbol, the venue's reports go before the price update: a backtest
    # matches working orders against a bar before its strategy sees the bar.
    REPORT = 0
    PRICE = 1


class WorkingOrders(Protocol):
    """The pipeline's working orders, as the sequencer asks about them."""

    @property
    def working(self) -> Mapping[str, str]:
        """Symbol -> id of its working order."""

    def order(self, client_order_id: str) -> TrackedOrder | None:
        """A working order by id."""


class EventSequencer:
    """Puts one portfolio's inputs in the event order of a backtest and says when each may go.

    Everything is keyed by (event time, symbol, reports before prices): the backtest's
    order (trading.core.data.ordering). The smallest item is handed over as soon as nothing
    smaller can still arrive:

    - **fills**: a working order created before the item's time may still fill at or before
      that time (on a price of its symbol: for another symbol than the item's, on those the
      node has seen up to the item's time), until the venue's watermark for that very order
      reaches it (:class:`ExecutedThrough`, or a report of the order at that time: the
      venue worked it through then) or a report closes it. A watermark names its order
      because the venue may be ahead of the node: it may have executed a price before the
      order made on an earlier price reached it. A portfolio with no working order never
      waits for this.
    - **market** (portfolios of several symbols, bars and reports, not ticks): every other
      symbol's updates must have reached the item's time, since per symbol they arrive in
      time order. Bars of one time then go in symbol order. Ticks carry times of their own,
      which no other symbol shares: waiting for the others would cost a tick interval and
      order nothing a backtest defines.

    Nothing waits for ever: an item held ``wait`` seconds goes anyway, counted in
    :attr:`expired` (and ``on_expired``, by :class:`Due`) and told in :attr:`last_expired`,
    and the symbols it waited for are not waited for again until they show life (a price,
    a report or a watermark of theirs). Once :meth:`close` says no more market data comes,
    nothing waits for market data. Only the portfolio's thread calls it; the counters are
    read by others.
    """

    def __init__(
        self,
        symbols: Iterable[str],
        orders: WorkingOrders,
        *,
        wait: float = DEFAULT_WAIT_SECONDS,
        frontiers: Mapping[str, datetime] | None = None,
        on_expired: Callable[[Due], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._symbols = tuple(symbols)
        self._several = len(self._symbols) > 1
        self._orders = orders
        self._wait = wait
        self._on_expired = on_expired
        self._clock = clock
        # The newest update time per symbol (per symbol, updates arrive in time order).
        self._frontier: dict[str, datetime] = dict(frontiers or {})
        # Per symbol, the working order's id and the venue's watermark for it.
        self._executed: dict[str, tuple[str, datetime]] = {}
        self._market_silent: set[str] = set()
        self._fills_silent: set[str] = set()
        self._heap: list[tuple[datetime, str, _Rank, int, Item]] = []
        self._ready: deque[Item] = deque()
        self._arrivals = itertools.count()
        # (arrival number of the held head, when its wait began).
        self._held: tuple[int, float] | None = None
        self.closed = False
        self.expired = 0
        self.last_expired = ""

    def __len__(self) -> int:
        """Items taken in and not handed over yet."""
        return len(self._heap) + len(self._ready)

    def add(self, item: Item | ExecutedThrough) -> None:
        """Take in a price update, an execution report or a watermark."""
        if isinstance(item, ExecutedThrough):
            self._executed_through(item.symbol, item.client_order_id, item.time)
            return
        if isinstance(item, Bar | Tick):
            symbol, rank = item.symbol, _Rank.PRICE
            if item.time > self._frontier.get(symbol, DAWN_OF_TIME):
                self._frontier[symbol] = item.time
            if self._market_silent:
                self._market_silent.discard(symbol)
        else:
            found = self._symbol_of(item)
            if found is None:  # about no order of the portfolio: it changes nothing
                self._ready.append(item)
                return
            symbol, rank = found, _Rank.REPORT
            # A report at a time means the venue worked the order through that time.
            self._executed_through(symbol, item.client_order_id, item.time)
        heapq.heappush(self._heap, (item.time, symbol, rank, next(self._arrivals), item))

    def pop(self) -> Item | None:
        """The next item to hand over, or None while the smallest one is held (or none is
        there); an item held longer than the wait goes."""
        if self._ready:
            return self._ready.popleft()
        heap = self._heap
        while heap:
            when, symbol, rank, arrival, item = heap[0]
            due = self._due(when, symbol, rank, isinstance(item, Tick))
            if due is None:
                heapq.heappop(heap)
                self._held = None
                return item
            now = self._clock()
            if self._held is None or self._held[0] != arrival:
                self._held = (arrival, now)
                return None
            if now - self._held[1] < self._wait:
                return None
            self._expire(item, due)
        return None

    def wait_time(self) -> float | None:
        """Seconds until the held item's wait ends (None: nothing is held)."""
        if self._held is None or not self._heap:
            return None
        return max(0.0, self._held[1] + self._wait - self._clock())

    def close(self) -> None:
        """No more market data will come (the portfolio is stopping): stop waiting for it."""
        self.closed = True

    def _executed_through(self, symbol: str, client_order_id: str, when: datetime) -> None:
        self._fills_silent.discard(symbol)  # the venue shows life
        if self._orders.working.get(symbol) != client_order_id:
            return  # about an order that no longer works (or never did here)
        known = self._executed.get(symbol)
        if known is None or known[0] != client_order_id or when > known[1]:
            self._executed[symbol] = (client_order_id, when)

    def _symbol_of(self, report: ExecutionReport) -> str | None:
        if isinstance(report, Fill):
            return report.symbol
        tracked = self._orders.order(report.client_order_id)
        return None if tracked is None else tracked.order.symbol

    def _due(
        self, when: datetime, symbol: str, rank: _Rank, tick: bool
    ) -> tuple[Due, list[str]] | None:
        """What the item at (``when``, ``symbol``, ``rank``) still waits for, and from which
        symbols; None when it may go."""
        if self._several and not tick and not self.closed:
            frontier, silent = self._frontier, self._market_silent
            late = [
                s for s in self._symbols if frontier.get(s, DAWN_OF_TIME) < when and s not in silent
            ]
            if late:
                return Due.MARKET, late
        orders = self._orders
        working = orders.working
        if working:
            executed, silent = self._executed, self._fills_silent
            pending = []
            for s, client_order_id in working.items():
                if s in silent:
                    continue
                if s == symbol:
                    if rank is _Rank.REPORT:
                        continue
                    through = when
                elif (seen := self._frontier.get(s)) is None:
                    continue
                else:
                    # Another symbol's order fills only on that symbol's prices: those the
                    # node has seen up to this time (the market rule waits for the rest).
                    through = min(when, seen)
                tracked = orders.order(client_order_id)
                if tracked is None or tracked.order.created_at >= through:
                    continue  # it can fill only after that
                known = executed.get(s)
                if known is None or known[0] != client_order_id or known[1] < through:
                    pending.append(s)
            if pending:
                return Due.FILLS, pending
        return None

    def _expire(self, item: Item, due: tuple[Due, list[str]]) -> None:
        # The head stays held as it was: if it also waits for the other kind, that wait ended
        # too, and goes at once.
        reason, symbols = due
        (self._market_silent if reason is Due.MARKET else self._fills_silent).update(symbols)
        self.expired += 1
        what = "market data" if reason is Due.MARKET else "fills"
        self.last_expired = (
            f"{_describe(item)} went after {self._wait:g} s without the {what} of "
            f"{', '.join(sorted(symbols))}"
        )
        if self._on_expired is not None:
            self._on_expired(reason)


def _describe(item: Item) -> str:
    if isinstance(item, Bar | Tick | Fill):
        return f"the {type(item).__name__.lower()} of {item.symbol} at {item.time.isoformat()}"
    return f"{type(item).__name__} of {item.client_order_id} at {item.time.isoformat()}"
