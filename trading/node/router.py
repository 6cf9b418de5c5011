"""Upstream: bench.node_latency, bench.node_router, trading.node.feed, trading.node.host, trading.node.runtime, trading.node.status
Downstream: trading.bus.messages, trading.node.backpressure, trading.node.inbox, trading.node.interest, trading.node.stale, trading.node.telemetry
Role: Router: hands each price update to the inbox of every portfolio that wants its symbol, without ever blocking."""

import time
from collections.abc import Callable

from trading.bus.messages import PriceMessage
from trading.node.backpressure import Level
from trading.node.inbox import PortfolioInbox
from trading.node.interest import InterestMap
from trading.node.stale import StaleGuard
from trading.node.telemetry import Drop, PortfolioSeries

PressureHandler = Callable[[str, Level, PortfolioInbox], None]


def _ignore_pressure(portfolio_id: str, level: Level, inbox: PortfolioInbox) -> None:
    return None


class _Route:
    """Where one portfolio's updates go and how many went there (``routed``, written by the
    router thread only); ``exported`` is how many of those Prometheus has been told."""

    __slots__ = ("exported", "inbox", "routed", "series")

    def __init__(self, inbox: PortfolioInbox, series: PortfolioSeries) -> None:
        self.inbox = inbox
        self.series = series
        self.routed = 0
        self.exported = 0

    def __len__(self) -> int:
        return len(self.inbox)


class Router:
    """The market-data consumer's handler: interest lookup, stale check, fan-out.

    A lookup is one dict read of the :class:`InterestMap`; portfolios are attached and
    detached with copy-on-write too (a reload swaps the inbox of a portfolio's route in one
    attribute write), so the router thread never takes a lock of the runtime. The
    decoded message itself (immutable) is what every interested portfolio gets: turning it
    into the core's Bar or Tick is left to the portfolios' threads, so the one router
    thread, which every update of the node goes through, does only what it must.
    Counters are written by the router thread only. Updates routed per portfolio are plain
    ints here too (a Prometheus increment would cost more than the routing): the node's
    reporter hands them to Prometheus with :meth:`export_routed`.
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
        self._routes: dict[str, _Route] = {}
        self.received = 0
        self.offered = 0
        self.unwanted = 0
        self.stale = 0
        self.lag_ns = 0

    def attach(self, portfolio_id: str, inbox: PortfolioInbox) -> None:
        """Deliver ``portfolio_id``'s updates to ``inbox`` from now on (a reloaded portfolio's
        new inbox takes the place of the old one; its counts and series carry on)."""
        route = self._routes.get(portfolio_id)
        if route is not None:
            route.inbox = inbox
            return
        route = _Route(inbox, PortfolioSeries(portfolio_id))
        route.series.watch_queue(route)
        self._routes = {**self._routes, portfolio_id: route}

    def detach(self, portfolio_id: str) -> None:
        """Stop delivering to ``portfolio_id``."""
        self._routes = {k: v for k, v in self._routes.items() if k != portfolio_id}

    def inbox(self, portfolio_id: str) -> PortfolioInbox | None:
        """The inbox attached for ``portfolio_id``, if any."""
        route = self._routes.get(portfolio_id)
        return None if route is None else route.inbox

    def route(self, message: PriceMessage, published_ns: int | None = None) -> int:
        """Deliver one update; returns to how many portfolio inboxes it was offered."""
        self.received += 1
        wanted_by = self.interest.lookup(message.symbol)
        if not wanted_by:
            self.unwanted += 1
            return 0
        now_ns = time.time_ns()
        routes = self._routes
        if self._guard.is_stale(message, published_ns, now_ns):
            self.stale += 1
            for portfolio_id in wanted_by:
                if (route := routes.get(portfolio_id)) is not None:
                    route.series.drop(Drop.STALE)
            return 0
        if published_ns is not None:
            self.lag_ns = now_ns - published_ns
        offered = 0
        for portfolio_id in wanted_by:
            route = routes.get(portfolio_id)
            if route is None:
                continue
            route.routed += 1
            inbox = route.inbox
            level = inbox.offer(message)
            offered += 1
            if level:
                self._on_pressure(portfolio_id, level, inbox)
        self.offered += offered
        return offered

    def export_routed(self) -> None:
        """Add what was routed to each portfolio since the last call to its Prometheus
        counter. One caller thread (the node's reporter)."""
        for route in self._routes.values():
            routed = route.routed
            if routed != route.exported:
                route.series.routed.inc(routed - route.exported)
                route.exported = routed
