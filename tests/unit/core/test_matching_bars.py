"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.matching.engine, trading.core.orders.events, trading.core.orders.order, trading.core.testing.builders
Role: the paper venue's fill rules on bars: market, limit, stop and stop-limit, including gaps through prices."""

from datetime import timedelta
from decimal import Decimal

import pytest

from trading.core.enums import OrderType, Side
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.orders.events import Fill
from trading.core.orders.order import Order
from trading.core.testing.builders import T0, bar, order

BUY, SELL = Side.BUY, Side.SELL
NEXT = T0 + timedelta(days=1)


def _fill_price(item: Order, *bars: tuple[int, int, int, int]) -> Decimal | None:
    """Submit ``item`` at T0 and play bars (open, high, low, close) from the next day on;
    returns the first fill price, or None."""
    venue = PaperMatchingEngine("V")
    venue.submit(item, T0)
    for day, (o, h, l, c) in enumerate(bars, start=1):  # noqa: E741 - OHLC names
        for report in venue.on_price(bar(c, open=o, high=h, low=l, time=T0 + timedelta(days=day))):
            if isinstance(report, Fill):
                return report.price
    return None


def test_a_market_order_does_not_fill_on_the_bar_it_was_made_on() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 10), T0)

    assert venue.on_price(bar(100, open=99, time=T0)) == []


def test_a_market_order_fills_at_the_next_bars_open() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 10), T0)

    (report,) = venue.on_price(bar(105, open=101, time=NEXT))

    assert report == Fill(
        "V:P1-0-1:1", "P1-0-1", "AAA", BUY, Decimal(10), Decimal(101), Decimal(0), NEXT
    )
    assert venue.open_orders == []


def _limit(side: Side, price: int) -> Order:
    return order(side, 10, order_type=OrderType.LIMIT, limit=price)


def _stop(side: Side, price: int) -> Order:
    return order(side, 10, order_type=OrderType.STOP, stop=price)


def _stop_limit(side: Side, stop: int, limit: int) -> Order:
    return order(side, 10, order_type=OrderType.STOP_LIMIT, stop=stop, limit=limit)


@pytest.mark.parametrize(
    ("item", "ohlc", "expected"),
    [
        # limit buy at 100
        (_limit(BUY, 100), (98, 103, 97, 101), 98),  # gap down through the limit: the open
        (_limit(BUY, 100), (100, 103, 99, 101), 100),  # open exactly at the limit
        (_limit(BUY, 100), (102, 103, 99, 101), 100),  # low reaches it: the limit
        (_limit(BUY, 100), (102, 103, 101, 101), None),  # never reached
        # limit sell at 100
        (_limit(SELL, 100), (103, 104, 99, 101), 103),  # gap up through the limit
        (_limit(SELL, 100), (98, 101, 97, 99), 100),  # high reaches it
        (_limit(SELL, 100), (98, 99, 97, 99), None),
        # stop buy at 100
        (_stop(BUY, 100), (104, 105, 103, 104), 104),  # gap up through the stop: the open
        (_stop(BUY, 100), (98, 101, 97, 99), 100),  # high reaches it: the stop
        (_stop(BUY, 100), (98, 99, 97, 99), None),
        # stop sell at 100
        (_stop(SELL, 100), (95, 96, 94, 95), 95),  # gap down through the stop
        (_stop(SELL, 100), (102, 103, 99, 101), 100),  # low reaches it
        (_stop(SELL, 100), (102, 103, 101, 101), None),
    ],
)
def test_limit_and_stop_fill_rules(item: Order, ohlc: tuple, expected: int | None) -> None:
    assert _fill_price(item, ohlc) == expected


@pytest.mark.parametrize(
    ("item", "ohlc", "expected"),
    [
        # buy stop 100 limit 102
        (_stop_limit(BUY, 100, 102), (101, 104, 100, 103), 101),  # opens triggered, under limit
        (_stop_limit(BUY, 100, 102), (104, 105, 101, 103), 102),  # opens above limit, dips to it
        (_stop_limit(BUY, 100, 102), (98, 101, 97, 101), 100),  # triggers inside: at the stop
        (_stop_limit(BUY, 100, 102), (95, 99, 94, 98), None),  # stop never reached
        # buy stop 100 limit 99: needs the price back down after the trigger
        (_stop_limit(BUY, 100, 99), (98, 101, 97, 98), 99),  # closes through the limit
        (_stop_limit(BUY, 100, 99), (98, 101, 97, 100), None),  # closes above: no fill yet
        # sell stop 100 limit 98
        (_stop_limit(SELL, 100, 98), (99, 99, 95, 96), 99),  # opens triggered, above limit
        (_stop_limit(SELL, 100, 98), (96, 99, 95, 97), 98),  # gaps below limit, rises to it
        (_stop_limit(SELL, 100, 98), (96, 97, 95, 96), None),  # gaps below, stays below
        (_stop_limit(SELL, 100, 98), (102, 103, 99, 100), 100),  # triggers inside: the stop
    ],
)
def test_stop_limit_fill_rules_on_the_triggering_bar(
    item: Order, ohlc: tuple, expected: int | None
) -> None:
    assert _fill_price(item, ohlc) == expected


def test_a_triggered_stop_limit_works_as_a_limit_on_later_bars() -> None:
    item = _stop_limit(BUY, 100, 99)

    price = _fill_price(item, (98, 101, 97, 100), (101, 102, 100, 101), (100, 101, 98, 99))

    assert price == 99


def test_an_untriggered_stop_limit_ignores_its_limit() -> None:
    # The low touches the limit but the stop never fired.
    assert _fill_price(_stop_limit(BUY, 100, 99), (98, 99, 95, 97)) is None


def test_orders_of_other_symbols_are_left_alone() -> None:
    venue = PaperMatchingEngine("V")
    venue.submit(order(BUY, 10), T0)

    assert venue.on_price(bar(5, symbol="BBB", time=NEXT)) == []
    assert len(venue.open_orders) == 1
