"""Upstream: bench.node_latency, bench.node_router, trading.node.feed, trading.node.host, trading.node.runtime, trading.node.status
Downstream: trading.bus.messages, trading.node.backpressure, trading.node.inbox, trading.node.interest, trading.node.stale
Role: Router: hands each price update to the inbox of every portfolio that wants its symbol, without ever blocking."""

import time
from collections.abc import Callable

from trading.bus.messages import PriceBar, PriceTick
from trading.node.backpressure import Level
from trading.node.inbox import PortfolioInbox
from trading.node.interest import InterestMap
from trading.node.stale import StaleGuard

PressureHandler = Callable[[str, Level, PortfolioInbox], None]


def _ignore_pressure(portfolio_id: str, level: Level, inbox: PortfolioInbox) -> None:
    return None


class Router:
    """The market-data consumer's handler: interest lookup, stale check, fan-out.

    A lookup is one dict read of the :class:`InterestMap`; inboxes are attached and detached
    with copy-on-write too, so the router thread never takes a lock of the runtime. The
    decoded message itself (immutable) is what every interested portfolio gets: turning it
    into the core's Bar or Tick is left to the portfolios' threads, so the one router
    thread, which every update of the node goes through, does only what it must.
    Counters are written by the router thread only.
    """

    def __init__(
        self,
        interest: InterestMap,
        guard: StaleGuard,
        on_pressure: PressureHandler = _ignore_pressure,
    ) -> None:
        self.interest = interest
        self._guard = guard
        self._on_pressure = on_pressure
        self._inboxes: dict[str, PortfolioInbox] = {}
        self.received = 0
        self.offered = 0
        self.unwanted = 0
        self.stale = 0
        self.lag_ns = 0

    def attach(self, portfolio_id: str, inbox: PortfolioInbox) -> None:
        """Deliver ``portfolio_id``'s updates to ``inbox`` from now on."""
        self._inboxes = {**self._inboxes, portfolio_id: inbox}

    def detach(self, portfolio_id: str) -> None:
        """Stop delivering to ``portfolio_id``."""
        self._inboxes = {k: v for k, v in self._inboxes.items() if k != portfolio_id}

    def inbox(self, portfolio_id: str) -> PortfolioInbox | None:
        """The inbox attached for ``portfolio_id``, if any."""
        return self._inboxes.get(portfolio_id)

    def route(self, message: PriceBar | PriceTick, published_ns: int | None = None) -> int:
        """Deliver one update; returns to how many portfolio inboxes it was offered."""
        self.received += 1
        wanted_by = self.interest.lookup(message.symbol)
        if not wanted_by:
            self.unwanted += 1
            return 0
        now_ns = time.time_ns()
        if self._guard.is_stale(message, published_ns, now_ns):
            self.stale += 1
            return 0
        if published_ns is not None:
            self.lag_ns = now_ns - published_ns
        inboxes = self._inboxes
        offered = 0
        for portfolio_id in wanted_by:
            inbox = inboxes.get(portfolio_id)
            if inbox is None:
                continue
            level = inbox.offer(message)
            offered += 1
            if level:
                self._on_pressure(portfolio_id, level, inbox)
        self.offered += offered
        return offered
