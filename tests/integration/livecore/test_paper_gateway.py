"""Upstream: (entry point: pytest)
Downstream: trading.core.enums, trading.core.matching.engine, trading.core.orders.events, trading.core.testing.builders, trading.livecore.gateway, trading.livecore.paper
Role: the paper gateway alone (no services): fills by event time whatever the arrival order, late orders, restores."""

from datetime import timedelta

import pytest

from trading.core.enums import OrderStatus, OrderType, Side
from trading.core.matching.engine import PaperMatchingEngine
from trading.core.orders.events import ExecutionReport, Fill, OrderAccepted, OrderRejected
from trading.core.testing.builders import T0, bar, order
from trading.livecore.gateway import RestoredOrder
from trading.livecore.paper import LATE_ORDER, PaperTradeGateway

HOUR = timedelta(hours=1)
BARS = [
    bar("100", open="100", time=T0),
    bar("102", open="101", high="103", low="99", time=T0 + HOUR),
    bar("98", open="102", high="102", low="97", time=T0 + 2 * HOUR),
    bar("99", open="98", high="100", low="96", time=T0 + 3 * HOUR),
]
ORDERS = [
    order(Side.BUY, 5, client_order_id="P1-0-1", created_at=T0),
    order(
        Side.BUY,
        5,
        order_type=OrderType.LIMIT,
        limit="97.5",
        client_order_id="P1-0-2",
        created_at=T0,
    ),
    order(
        Side.SELL,
        5,
        order_type=OrderType.STOP,
        stop="98.5",
        client_order_id="P1-0-3",
        created_at=T0 + HOUR,
    ),
    order(
        Side.BUY,
        5,
        order_type=OrderType.STOP_LIMIT,
        stop="99.5",
        limit="99.8",
        client_order_id="P1-0-4",
        created_at=T0 + 2 * HOUR,
    ),
]


def paper(window: int = 100) -> tuple[PaperTradeGateway, list[ExecutionReport]]:
    reports: list[ExecutionReport] = []
    gateway = PaperTradeGateway(window=window)
    gateway.connect(reports.append)
    return gateway, reports


def expected_fills() -> set[tuple[str, object, object]]:
    """What the core's matching engine gives when orders come first, then prices."""
    venue = PaperMatchingEngine()
    for item in ORDERS:
        venue.submit(item, item.created_at)
    fills = [r for update in BARS for r in venue.on_price(update) if isinstance(r, Fill)]
    return {(f.client_order_id, f.price, f.time) for f in fills}


def fills_of(reports: list[ExecutionReport]) -> set[tuple[str, object, object]]:
    return {(r.client_order_id, r.price, r.time) for r in reports if isinstance(r, Fill)}


@pytest.mark.parametrize("orders_after", [0, 1, 2, 4])
def test_fills_depend_on_event_time_not_on_when_orders_arrive(orders_after):
    gateway, reports = paper()
    events = [("price", b) for b in BARS]
    for item in ORDERS:
        # Orders arrive ``orders_after`` bars after the bar that carries their event time.
        position = next(i for i, b in enumerate(BARS) if b.time >= item.created_at) + 1
        events.insert(min(len(events), position + orders_after), ("order", item))

    for kind, item in events:
        (gateway.on_price if kind == "price" else gateway.submit)(item)

    assert len(expected_fills()) == 4
    assert fills_of(reports) == expected_fills()


def test_an_order_older_than_the_window_is_rejected_as_too_late():
    gateway, reports = paper(window=2)
    for update in BARS:
        gateway.on_price(update)

    gateway.submit(ORDERS[0])

    assert reports == [OrderRejected("P1-0-1", LATE_ORDER, T0)]


def test_a_price_not_newer_than_the_last_one_is_a_replay_and_is_ignored():
    gateway, reports = paper()
    gateway.on_price(BARS[1])
    gateway.submit(order(client_order_id="P1-0-9", created_at=T0 + HOUR))

    gateway.on_price(BARS[1])
    gateway.on_price(BARS[0])

    assert reports == [OrderAccepted("P1-0-9", T0 + HOUR)]


def test_a_restored_order_continues_its_fill_sequence_after_its_last_fill():
    gateway, reports = paper()
    for update in BARS:
        gateway.on_price(update)
    working = order(Side.BUY, 10, client_order_id="P1-0-7", created_at=T0)

    gateway.restore(
        [
            RestoredOrder(
                working,
                OrderStatus.PARTIALLY_FILLED,
                filled_quantity=4,
                fill_count=1,
                last_fill_at=T0 + 2 * HOUR,
            )
        ]
    )

    (fill,) = reports
    assert isinstance(fill, Fill)
    assert (fill.fill_id, fill.quantity, fill.price, fill.time) == (
        "P1-0-7:2",
        6,
        BARS[3].open,
        BARS[3].time,
    )


def test_a_restored_order_that_was_never_acknowledged_is_accepted_then_worked():
    gateway, reports = paper()
    gateway.on_price(BARS[1])
    working = order(Side.BUY, 2, client_order_id="P1-0-8", created_at=T0)

    gateway.restore([RestoredOrder(working, OrderStatus.SUBMITTED, 0, 0, None)])

    assert [type(r) for r in reports] == [OrderAccepted, Fill]
    assert reports[1].fill_id == "P1-0-8:1"
