"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, tests.integration.node.conftest, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.enums, trading.core.testing.builders, trading.models, trading.redis_store, trading.storage.hot_positions
Role: a node on real Kafka, PostgreSQL and Redis: routing by interest, orders out, fills in once, strategy errors contained, stale data kept out."""

import json
from datetime import timedelta
from decimal import Decimal

from ginkgo_site.devstack.waiting import wait_until
from tests.integration.node.conftest import make_portfolio, status, wait_status
from trading.bus.mapping import fill_message, price_message
from trading.bus.messages import NoticeLevel, Notification, OrderSubmit
from trading.bus.topics import MARKET_DATA, NOTIFICATIONS, ORDERS_FEEDBACK, ORDERS_SUBMISSION
from trading.core.enums import Side
from trading.core.testing.builders import T0, bar, fill, tick
from trading.models import Portfolio
from trading.redis_store import redis_client
from trading.storage.hot_positions import snapshot_load

DAY = timedelta(days=1)


def publish_bars(publisher, symbols: list[str], days: int, start: int = 0) -> None:
    for day in range(start, start + days):
        for symbol in symbols:
            publisher.publish(
                MARKET_DATA, price_message(bar(100 + day, symbol=symbol, time=T0 + day * DAY))
            )
    publisher.flush()


def test_each_portfolio_gets_only_its_symbols_and_trades_them_independently(
    start_node, publisher, record
):
    make_portfolio("P1", ["AAA", "BBB"], seed=1)
    make_portfolio("P2", ["AAA"], seed=2)
    make_portfolio("P3", ["CCC"])
    orders = record(ORDERS_SUBMISSION)
    node = start_node(portfolios=frozenset({"P1", "P2", "P3"}))

    publish_bars(publisher, ["AAA", "BBB", "CCC", "DDD"], days=3)

    wait_until(
        lambda: [node.processors[p].processed for p in ("P1", "P2", "P3")] == [6, 3, 3],
        what="every wanted update processed",
    )
    seen = {p: set(node.processors[p].symbols_seen) for p in ("P1", "P2", "P3")}
    assert seen == {"P1": {"AAA", "BBB"}, "P2": {"AAA"}, "P3": {"CCC"}}
    assert node.router.unwanted == 3
    # Nothing fills, so each symbol's first order stays working and holds the symbol.
    sent = orders.wait_for(OrderSubmit, count=4)
    assert sorted((o.portfolio_id, o.symbol) for o in sent) == [
        ("P1", "AAA"),
        ("P1", "BBB"),
        ("P2", "AAA"),
        ("P3", "CCC"),
    ]
    # Symbols come on different partitions, so P1's two orders may be numbered either way.
    assert sorted(o.client_order_id for o in sent) == ["P1-1-1", "P1-1-2", "P2-1-1", "P3-1-1"]
    assert Portfolio.objects.get(pk="P1").run_epoch == 1


def test_a_fill_on_the_feedback_topic_is_booked_once_by_its_portfolio_only(
    start_node, publisher, record
):
    make_portfolio("P1", ["AAA"])
    make_portfolio("P2", ["AAA"])
    orders = record(ORDERS_SUBMISSION)
    node = start_node(portfolios=frozenset({"P1", "P2"}))
    publish_bars(publisher, ["AAA"], days=1)
    order = next(o for o in orders.wait_for(OrderSubmit, count=2) if o.portfolio_id == "P1")

    bought = fill(Side.BUY, order.quantity, 101, fill_id=f"{order.client_order_id}:1",
                  client_order_id=order.client_order_id, time=T0 + DAY)  # fmt: skip
    sold = fill(Side.SELL, order.quantity, 105, fill_id="late-1", client_order_id="P1-0-9",
                time=T0 + 2 * DAY)  # fmt: skip
    for execution in (bought, bought, sold):
        publisher.publish(ORDERS_FEEDBACK, feedback(execution))
    publisher.flush()

    # Feedback of one portfolio stays in order: once the sale is in, the repeat was seen.
    p1 = wait_status("P1", fills="2")
    assert p1["cash"] == str(100_000 - 10 * 101 + 10 * 105)
    assert json.loads(p1["positions"]) == {}
    assert node.processors["P2"].positions.fills == 0
    hot = wait_until(
        lambda: (s := snapshot_load(redis_client(), "P1")) and s.fills == 2 and s,
        what="P1's hot positions",
    )
    assert hot.cash == Decimal(p1["cash"])


def feedback(execution) -> object:
    return fill_message(execution, portfolio_id="P1", filled_quantity=execution.quantity,
                        leaves_quantity=Decimal(0), avg_price=execution.price)  # fmt: skip


def test_a_raising_strategy_sets_its_portfolio_to_error_while_the_others_keep_trading(
    start_node, publisher, record
):
    make_portfolio("BAD", ["AAA"], strategy="explode", after=1)
    make_portfolio("GOOD", ["AAA", "BBB"])
    notices = record(NOTIFICATIONS)
    node = start_node(portfolios=frozenset({"BAD", "GOOD"}))

    publish_bars(publisher, ["AAA", "BBB"], days=5)

    bad = wait_status("BAD", status="error")
    good = wait_status("GOOD", status="running", processed="10")
    assert "RuntimeError: strategy bug" in bad["error"]
    assert int(good["orders"]) >= 2
    errors = wait_until(
        lambda: [n for n in notices.of(Notification) if n.level is NoticeLevel.ERROR],
        what="an error notice",
    )
    assert {(n.portfolio_id, n.node_id) for n in errors} == {("BAD", "n1")}
    assert node.processors["BAD"].thread.is_alive()


def test_updates_older_than_the_max_age_never_reach_a_strategy(start_node, publisher):
    make_portfolio("P1", ["AAA"])
    node = start_node(portfolios=frozenset({"P1"}), max_age=30)

    publisher.publish(MARKET_DATA, price_message(tick(100, time=T0)))
    publisher.publish(MARKET_DATA, price_message(bar(100, time=T0)))
    publisher.flush()

    wait_status("P1", processed="1")
    assert node.router.stale == 1
    assert status("P1")["last_event_time"] == T0.isoformat()
