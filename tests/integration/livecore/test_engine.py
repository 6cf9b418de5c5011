"""Upstream: (entry point: pytest)
Downstream: ginkgo_site.devstack.waiting, monitoring.notifications.kinds, tests.integration.node.conftest, trading.bus.codec, trading.bus.mapping, trading.bus.messages, trading.bus.topics, trading.core.enums, trading.core.testing.builders, trading.livecore.paper, trading.models, trading.redis_store
Role: LiveEngine on real Kafka, PostgreSQL and Redis: fills by the matching rules, de-duplication, rejects (and their rate-limited notices), cancels, control, restarts."""

import time
from datetime import timedelta
from decimal import Decimal

from ginkgo_site.devstack.waiting import wait_until
from monitoring.notifications import kinds
from tests.integration.node.conftest import notices_about
from trading.bus.codec import to_ns
from trading.bus.mapping import order_message, price_message
from trading.bus.messages import (
    CommandType,
    ControlCommand,
    NoticeLevel,
    OrderAcceptedReport,
    OrderCancelledReport,
    OrderCancelRequest,
    OrderFilledReport,
    OrderRejectedReport,
    OrderSubmit,
)
from trading.bus.topics import (
    CONTROL_COMMANDS,
    MARKET_DATA,
    NOTIFICATIONS,
    ORDERS_FEEDBACK,
    ORDERS_SUBMISSION,
)
from trading.core.enums import OrderStatus, OrderType, Side
from trading.core.testing.builders import T0, bar, order
from trading.livecore.paper import LATE_ORDER
from trading.models import Fill, Order, Portfolio
from trading.redis_store import engine_status_key

DAY = timedelta(days=1)


def publish_order(publisher, **fields) -> None:
    publisher.publish(ORDERS_SUBMISSION, order_message(order(**fields)))
    publisher.flush()


def publish_bar(publisher, close: str, *, open: str, low: str | None = None, day: int) -> None:
    publisher.publish(
        MARKET_DATA, price_message(bar(close, open=open, low=low, time=T0 + day * DAY))
    )
    publisher.flush()


def command(publisher, kind: CommandType, target: str = "paper") -> None:
    publisher.publish(
        CONTROL_COMMANDS, ControlCommand(ts=time.time_ns(), command_type=kind, target_id=target)
    )
    publisher.flush()


def test_orders_come_back_filled_by_the_matching_rules_and_are_recorded(
    portfolio, start_livecore, publisher, record
):
    start_livecore()
    feedback = record(ORDERS_FEEDBACK)

    publish_order(publisher, quantity=10, client_order_id="P1-0-1", created_at=T0)
    publish_bar(publisher, "101", open="100.5", low="99.5", day=1)
    # Arrives after the bar that follows its event time: it still trades on that bar.
    publish_order(
        publisher,
        quantity=4,
        order_type=OrderType.LIMIT,
        limit="100",
        client_order_id="P1-0-2",
        created_at=T0,
    )

    fills = {f.client_order_id: f for f in feedback.wait_for(OrderFilledReport, 2)}
    assert (fills["P1-0-1"].price, fills["P1-0-1"].quantity) == (Decimal("100.5"), Decimal(10))
    assert (fills["P1-0-2"].price, fills["P1-0-2"].quantity) == (Decimal("100"), Decimal(4))
    assert fills["P1-0-1"].fill_id == "P1-0-1:1"
    assert fills["P1-0-1"].ts == to_ns(T0 + DAY)
    assert {m.client_order_id for m in feedback.of(OrderAcceptedReport)} == {"P1-0-1", "P1-0-2"}
    row = Order.objects.get(pk="P1-0-1")
    assert (row.status, row.filled_quantity, row.average_price) == (
        OrderStatus.FILLED.value,
        Decimal(10),
        Decimal("100.5"),
    )
    assert list(Fill.objects.values_list("fill_id", "price")) == [
        ("P1-0-1:1", Decimal("100.5")),
        ("P1-0-2:1", Decimal("100")),
    ]


def test_an_order_sent_twice_executes_once_and_its_history_is_sent_again(
    portfolio, start_livecore, publisher, record
):
    core = start_livecore()
    feedback = record(ORDERS_FEEDBACK)

    publish_order(publisher, quantity=10, client_order_id="P1-0-1", created_at=T0)
    publish_order(publisher, quantity=10, client_order_id="P1-0-1", created_at=T0)
    publish_bar(publisher, "101", open="100.5", day=1)
    feedback.wait_for(OrderFilledReport)
    publish_order(publisher, quantity=10, client_order_id="P1-0-1", created_at=T0)

    wait_until(lambda: core.counters["duplicates"] == 2, what="both resends handled")
    fills = feedback.wait_for(OrderFilledReport, 2)
    assert {f.fill_id for f in fills} == {"P1-0-1:1"}
    assert Fill.objects.count() == 1
    assert Order.objects.get().filled_quantity == Decimal(10)
    assert core.counters["orders"] == 1


def test_bad_orders_are_rejected_with_a_reason_and_the_engine_goes_on(
    portfolio, start_livecore, publisher, record
):
    start_livecore()
    feedback = record(ORDERS_FEEDBACK)
    base = {"ts": to_ns(T0), "portfolio_id": "P1", "symbol": "AAA", "side": Side.BUY}

    publisher.publish(
        ORDERS_SUBMISSION,
        OrderSubmit(
            **base, client_order_id="P1-0-1", quantity=Decimal(5), order_type=OrderType.LIMIT
        ),
    )
    publisher.publish(
        ORDERS_SUBMISSION, OrderSubmit(**base, client_order_id="P1-0-2", quantity=Decimal(0))
    )
    publish_order(publisher, client_order_id="X-0-1")  # the builder's portfolio is P1 ...
    publisher.publish(
        ORDERS_SUBMISSION,
        OrderSubmit(
            **{**base, "portfolio_id": "NOPE"}, client_order_id="NOPE-0-1", quantity=Decimal(1)
        ),
    )
    publisher.flush()

    rejects = {r.client_order_id: r.reason for r in feedback.wait_for(OrderRejectedReport, 3)}
    (accepted,) = feedback.wait_for(OrderAcceptedReport)
    assert "needs a limit price" in rejects["P1-0-1"]
    assert "quantity must be positive" in rejects["P1-0-2"]
    assert rejects["NOPE-0-1"] == "unknown portfolio NOPE"
    assert accepted.client_order_id == "X-0-1"


def test_rejections_raise_one_order_rejected_notice_per_portfolio_not_one_per_order(
    portfolio, start_livecore, publisher, record
):
    core = start_livecore(window=1)
    feedback = record(ORDERS_FEEDBACK)
    notices = record(NOTIFICATIONS)
    publish_bar(publisher, "101", open="100", day=1)
    publish_bar(publisher, "102", open="101", day=2)
    wait_until(lambda: core.counters["prices"] == 2, what="both bars seen")

    # The venue keeps one bar: orders of T0 come too late (rejected by the paper gateway).
    for n in (1, 2, 3):
        publish_order(publisher, client_order_id=f"P1-0-{n}", created_at=T0)
    publisher.publish(
        ORDERS_SUBMISSION,
        OrderSubmit(
            ts=to_ns(T0),
            portfolio_id="NOPE",
            client_order_id="NOPE-0-1",
            symbol="AAA",
            side=Side.BUY,
            quantity=Decimal(1),
        ),
    )
    publisher.flush()
    feedback.wait_for(OrderRejectedReport, 4)
    core.stop()
    assert core.stopped.wait(30)

    (late,) = notices_about(notices, publisher, "P1")
    (unknown,) = notices_about(notices, publisher, "NOPE")
    assert (late.kind, late.level, late.source, late.node_id) == (
        kinds.ORDER_REJECTED,
        NoticeLevel.WARNING,
        "livecore:paper",
        None,
    )
    assert late.message == f"order P1-0-1 rejected: {LATE_ORDER}"
    assert (unknown.kind, unknown.message) == (
        kinds.ORDER_REJECTED,
        "order NOPE-0-1 rejected: unknown portfolio NOPE",
    )
    assert core.counters["rejects"] == 4


def test_engine_stop_rejects_new_orders_until_engine_start(
    portfolio, start_livecore, publisher, record, redis_client
):
    core = start_livecore(engine_id="paper")
    feedback = record(ORDERS_FEEDBACK)
    key = engine_status_key("paper")

    command(publisher, CommandType.ENGINE_STOP, target="someone-else")
    command(publisher, CommandType.PORTFOLIO_STOP, target="paper")
    command(publisher, CommandType.ENGINE_STOP)
    wait_until(lambda: redis_client.hget(key, "status") == b"stopped", what="status stopped")
    publish_order(publisher, client_order_id="P1-0-1")
    (rejected,) = feedback.wait_for(OrderRejectedReport)
    command(publisher, CommandType.ENGINE_START)
    wait_until(lambda: redis_client.hget(key, "status") == b"running", what="status running")
    publish_order(publisher, client_order_id="P1-0-2")

    (accepted,) = feedback.wait_for(OrderAcceptedReport)
    assert (rejected.client_order_id, rejected.reason) == ("P1-0-1", "engine stopped")
    assert accepted.client_order_id == "P1-0-2"
    assert Order.objects.get(pk="P1-0-1").status == OrderStatus.REJECTED.value
    wait_until(lambda: core.counters["commands_ignored"] == 2, what="both foreign commands")
    assert core.counters["commands"] == 2
    status = redis_client.hgetall(key)
    assert {b"started_at", b"updated_at", b"orders", b"fills", b"rejects", b"dead_letters"} <= set(
        status
    )


def test_a_cancel_request_withdraws_a_working_order(portfolio, start_livecore, publisher, record):
    start_livecore()
    feedback = record(ORDERS_FEEDBACK)
    publish_order(publisher, order_type=OrderType.LIMIT, limit="90", client_order_id="P1-0-1")
    publish_bar(publisher, "101", open="100", day=1)
    feedback.wait_for(OrderAcceptedReport)

    publisher.publish(
        ORDERS_SUBMISSION,
        OrderCancelRequest(
            ts=to_ns(T0 + 2 * DAY),
            client_order_id="P1-0-1",
            portfolio_id="P1",
            reason="changed my mind",
        ),
    )
    publisher.flush()

    (cancelled,) = feedback.wait_for(OrderCancelledReport)
    assert cancelled.ts == to_ns(T0 + 2 * DAY)
    row = Order.objects.get(pk="P1-0-1")
    assert (row.status, row.reason) == (OrderStatus.CANCELLED.value, "cancelled on request")


def test_a_restarted_engine_reloads_working_orders_and_fills_them(
    portfolio, start_livecore, publisher, record
):
    first = start_livecore()
    feedback = record(ORDERS_FEEDBACK)
    publish_order(
        publisher, quantity=3, order_type=OrderType.LIMIT, limit="95", client_order_id="P1-0-1"
    )
    feedback.wait_for(OrderAcceptedReport)
    first.stop()
    assert first.stopped.wait(30)

    start_livecore()
    publish_bar(publisher, "94", open="96", low="94", day=1)

    (filled,) = feedback.wait_for(OrderFilledReport)
    assert (filled.fill_id, filled.price) == ("P1-0-1:1", Decimal(95))
    assert Order.objects.get().status == OrderStatus.FILLED.value


def test_a_buy_the_recorded_cash_cannot_pay_for_is_rejected_as_insufficient_cash(
    portfolio, start_livecore, publisher, record
):
    Portfolio.objects.filter(pk="P1").update(initial_capital=Decimal(1000))
    first = start_livecore()
    feedback = record(ORDERS_FEEDBACK)
    notices = record(NOTIFICATIONS)
    publish_order(publisher, quantity=6, client_order_id="P1-0-1", created_at=T0)
    publish_order(publisher, quantity=5, symbol="BBB", client_order_id="P1-0-2", created_at=T0)
    publish_bar(publisher, "101", open="100", day=1)
    feedback.wait_for(OrderFilledReport)
    first.stop()
    assert first.stopped.wait(30)

    # A new engine reads the cash the recorded fill left (400) before it lets P1-0-2 fill.
    second = start_livecore()
    publisher.publish(
        MARKET_DATA, price_message(bar("101", open="100", symbol="BBB", time=T0 + DAY))
    )
    publisher.flush()

    (rejected,) = feedback.wait_for(OrderRejectedReport)
    reason = (
        "insufficient_cash: buying 5 at 100 costs 500.00 (commission included), "
        "available cash is 400.00"
    )
    assert (rejected.client_order_id, rejected.reason, rejected.ts) == (
        "P1-0-2",
        reason,
        to_ns(T0 + DAY),
    )
    assert "P1-0-2" in {m.client_order_id for m in feedback.of(OrderAcceptedReport)}
    row = Order.objects.get(pk="P1-0-2")
    assert (row.status, row.reason, row.filled_quantity) == (OrderStatus.REJECTED.value, reason, 0)
    second.stop()
    assert second.stopped.wait(30)
    (notice,) = notices_about(notices, publisher, "P1")
    assert (notice.kind, notice.message) == (
        kinds.ORDER_REJECTED,
        f"order P1-0-2 rejected: {reason}",
    )
