"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.livecore.conftest, trading.bus.codec, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.enums, trading.core.testing.builders
Role: LiveCore's execution watermarks on real Kafka and PostgreSQL: after the reports of a price, every order working on its symbol is told how far it was executed; an order taken in late is told too; nothing else is."""

from datetime import timedelta

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.livecore.conftest import make_portfolio
from trading.bus.codec import from_ns
from trading.bus.mapping import order_message, price_message
from trading.bus.messages import ExecutionWatermark, OrderFilledReport
from trading.bus.topics import MARKET_DATA, ORDERS_FEEDBACK, ORDERS_SUBMISSION
from trading.core.enums import OrderType
from trading.core.testing.builders import T0, bar, order

DAY = timedelta(days=1)


def publish_bar(publisher, day: int, symbol: str = "AAA") -> None:
    publisher.publish(MARKET_DATA, price_message(bar(100, symbol=symbol, time=T0 + day * DAY)))
    publisher.flush()


def test_a_fill_is_followed_by_the_watermark_of_its_time_for_its_order_only(
    portfolio, start_livecore, publisher, record
):
    make_portfolio("P2", ["AAA"])
    core = start_livecore()
    feedback = record(ORDERS_FEEDBACK)
    publisher.publish(ORDERS_SUBMISSION, order_message(order(client_order_id="P1-0-1")))
    publisher.flush()
    wait_until(lambda: core.engine.working_orders == 1, what="the order working")

    publish_bar(publisher, 1, "BBB")  # P1 holds nothing on BBB: no watermark
    publish_bar(publisher, 1)

    marks = feedback.wait_for(ExecutionWatermark)
    ordered = [
        m for m, _ in feedback.messages if isinstance(m, OrderFilledReport | ExecutionWatermark)
    ]
    assert [type(m).__name__ for m in ordered] == ["OrderFilledReport", "ExecutionWatermark"]
    assert [(m.portfolio_id, m.client_order_id, m.symbol, from_ns(m.ts)) for m in marks] == [
        ("P1", "P1-0-1", "AAA", T0 + DAY)
    ]

    # The order is done: the next price of AAA executes nothing of P1's.
    publish_bar(publisher, 2)
    wait_until(lambda: core.counters["prices"] == 3, what="the third price at the engine")
    assert len(feedback.of(ExecutionWatermark)) == 1


def test_a_working_order_hears_every_price_and_a_late_one_hears_how_far_it_was_matched(
    portfolio, start_livecore, publisher, record
):
    core = start_livecore()
    feedback = record(ORDERS_FEEDBACK)
    for day in (1, 2):
        publish_bar(publisher, day)
    wait_until(lambda: core.counters["prices"] == 2, what="two prices at the engine")

    # Made at day 0, it arrives after days 1 and 2: matched against both at once (a limit
    # below the market: it keeps working), and told so.
    late = order(order_type=OrderType.LIMIT, limit="50", client_order_id="P1-0-1")
    publisher.publish(ORDERS_SUBMISSION, order_message(late))
    publisher.flush()
    first = feedback.wait_for(ExecutionWatermark)
    assert [(m.client_order_id, from_ns(m.ts)) for m in first] == [("P1-0-1", T0 + 2 * DAY)]

    publish_bar(publisher, 3)
    marks = feedback.wait_for(ExecutionWatermark, 2)
    assert [from_ns(m.ts) for m in marks] == [T0 + 2 * DAY, T0 + 3 * DAY]
