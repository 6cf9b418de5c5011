"""Upstream: (entry point: pytest)
Downstream: trading.bus.mapping, trading.bus.messages, trading.core.testing.builders, trading.node.backpressure, trading.node.inbox, trading.node.interest, trading.node.router, trading.node.stale
Role: the router: each update reaches exactly the portfolios that want its symbol; stale, unwanted and overflowing updates are counted, never blocking."""

import time

from trading.bus.mapping import price_message
from trading.bus.messages import PriceBar
from trading.core.testing.builders import bar, tick
from trading.node.backpressure import Level, Policy
from trading.node.inbox import PortfolioInbox
from trading.node.interest import InterestMap
from trading.node.router import Router
from trading.node.stale import StaleGuard


def make_router(
    portfolios: dict[str, list[str]], maxsize: int = 100, max_age: float | None = 60
) -> tuple[Router, dict[str, PortfolioInbox], list[tuple[str, Level]]]:
    pressure: list[tuple[str, Level]] = []
    router = Router(
        InterestMap(), StaleGuard(max_age), lambda pid, level, _: pressure.append((pid, level))
    )
    inboxes = {}
    for portfolio_id, symbols in portfolios.items():
        inboxes[portfolio_id] = PortfolioInbox(maxsize, Policy.DROP)
        router.attach(portfolio_id, inboxes[portfolio_id])
        router.interest.set(portfolio_id, symbols)
    return router, inboxes, pressure


def symbols_in(inbox: PortfolioInbox) -> list[str]:
    inbox.close()
    return [update.symbol for update in iter(lambda: inbox.take(0), None)]


def test_each_update_reaches_exactly_the_portfolios_that_want_its_symbol() -> None:
    router, inboxes, _ = make_router({"P1": ["AAA", "BBB"], "P2": ["AAA"], "P3": ["CCC"]})

    for symbol in ("AAA", "BBB", "CCC", "DDD"):
        router.route(price_message(bar(100, symbol=symbol)), time.time_ns())

    assert symbols_in(inboxes["P1"]) == ["AAA", "BBB"]
    assert symbols_in(inboxes["P2"]) == ["AAA"]
    assert symbols_in(inboxes["P3"]) == ["CCC"]
    assert (router.received, router.offered, router.unwanted) == (4, 4, 1)


def test_portfolios_on_the_same_symbol_share_the_same_immutable_message() -> None:
    router, inboxes, _ = make_router({"P1": ["AAA"], "P2": ["AAA"]})

    router.route(price_message(bar(100)), time.time_ns())

    first, second = inboxes["P1"].take(0), inboxes["P2"].take(0)
    assert isinstance(first, PriceBar)
    assert first is second


def test_stale_updates_are_counted_and_not_delivered() -> None:
    router, inboxes, _ = make_router({"P1": ["AAA"]})

    delivered = router.route(price_message(tick(100)), time.time_ns())

    assert (delivered, router.stale, len(inboxes["P1"])) == (0, 1, 0)


def test_a_full_portfolio_loses_updates_while_the_others_get_them_all() -> None:
    router, inboxes, pressure = make_router({"SLOW": ["AAA"], "FAST": ["AAA"]}, maxsize=10)

    for n in range(20):
        router.route(price_message(bar(100 + n)), time.time_ns())
        inboxes["FAST"].take(0)

    assert inboxes["SLOW"].dropped == 11
    assert inboxes["FAST"].dropped == 0
    assert {pid for pid, _ in pressure} == {"SLOW"}
    assert {level for _, level in pressure} == {Level.WARNING, Level.CRITICAL}


def test_a_detached_portfolio_gets_nothing_more() -> None:
    router, inboxes, _ = make_router({"P1": ["AAA"]})

    router.detach("P1")
    router.route(price_message(bar(100)), time.time_ns())

    assert len(inboxes["P1"]) == 0
    assert router.inbox("P1") is None
